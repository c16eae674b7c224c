"""The report chapters: one module of section functions per chapter notebook (``notebooks/0N_*.ipynb``).

A notebook opens the context with :func:`open_report` and calls one section function per cell; the sections
write headings, generated sentences, tables and charts in the report language.
"""

from csreport.chapters.context import ReportContext, check_period, check_unit, open_report

__all__ = ["ReportContext", "check_period", "check_unit", "open_report"]
