"""Benchmarks: data generators and measurements against Oxigraph's own baselines."""
