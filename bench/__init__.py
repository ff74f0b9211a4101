"""Benchmarks (not part of the app). Run ``make bench`` or ``python bench/render.py``."""
