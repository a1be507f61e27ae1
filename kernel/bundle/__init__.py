"""Kaggle bundle: what build_kernel.py writes (kernel metadata, entry script, wheel and model
datasets) and the checks it runs before it reports success."""
