"""Benchmarks for Haven's speed and memory goals, run on purpose against PostgreSQL (never in the
tests): `make bench`, or `python -m bench [module ...]`. Results are in the README's "Benchmarks"."""
