"""Findings (BRIEF §5): records produced from KPIs and analyses by explicit detection rules, and the
recommendations derived from them. Rules are pure functions (``rules``); ``collect`` reads the store."""
