"""Benchmarks that measure this project beside a stock reference built in the same run."""
