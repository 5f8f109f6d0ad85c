"""Benchmarks use the test settings and database; nothing else is shared with tests/."""
