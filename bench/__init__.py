"""Benchmarks and the synthetic-province generator (`make bench`)."""
