"""Benchmarks: pages and jobs timed against /healthz in the same process (make bench)."""
