"""KPI functions (BRIEF §4): pure functions over DataFrames returning :class:`csreport.metrics.measure.Measure`.

Each docstring states the formula, what is excluded and the unit. Missing columns, empty inputs and zero
denominators give an unavailable Measure with the reason, never 0 and never an exception.
"""
