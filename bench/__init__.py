"""Benchmarks (`make bench`, `python -m bench [NAME]`): see bench/__main__.py.

They run on a database of their own under the test settings; the fleet generator
(bench/fleet_data.py) and the digest fixtures can be used by tests at small sizes.
"""
