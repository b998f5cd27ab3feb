"""Benchmarks against the local sandbox; ``python -m benchmarks.run`` runs them all and writes docs/benchmarks.md."""
