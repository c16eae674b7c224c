"""Analyses (BRIEF §5): pure functions over DataFrames that return results with their uncertainty, or a clear
"not enough data" reason. No plotting and no I/O here."""
