"""Benchmarks for the quality bars of ARCHITECTURE.md section 8 (``python -m benchmarks.run``)."""
