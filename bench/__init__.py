"""Benchmarks of the portal (bench/README.md). Run with `make bench` or `python -m bench.run`."""
