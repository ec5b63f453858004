"""Speed, memory and accuracy figures for the lab: ``python -m benchmarks --out results.json``."""
