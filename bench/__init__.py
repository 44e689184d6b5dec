"""Benchmarks, each run as `python -m bench.<name>`; their saved outputs live in bench/results/."""
