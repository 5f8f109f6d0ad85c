"""A portal app that exists only for the benchmarks: one additive migration for `bench.migrate`.

`bench.settings` installs it as a tenant app, so every schema of a benchmark fleet has it
applied; the migrate benchmark takes it back out of every schema (column and migration record)
and times applying it to the whole fleet, ours and django-tenants', from the same starting point.
"""

# What its one migration adds, and what the benchmark takes back out.
TABLE = "accounts_user"
COLUMN = "bench_note"
