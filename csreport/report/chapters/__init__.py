"""The report chapters: one module of section functions per chapter notebook (``notebooks/0N_*.ipynb``).

A notebook opens the context with :func:`open_report` and calls one section function per cell; the sections
write headings, generated sentences, tables and charts in the report language.
"""

from csreport.data.periods import check_period, check_unit
from csreport.report.chapters.context import ReportContext, open_report

# chapter notebook → (section module, section functions after ``title``), in reading order
SECTIONS = {
    "01_background": (
        "background",
        ["brief", "kpi_scorecard", "standing_issues", "scope", "data_quality", "overview"],
    ),
    "02_customers": (
        "customers",
        [
            "customer_groups",
            "needs",
            "segmentation",
            "satisfaction",
            "complaints",
            "loyalty",
            "loyalty_index",
            "drivers",
            "comments",
        ],
    ),
    "03_service_quality": (
        "service_quality",
        ["service_level", "efficiency", "cost_benefit", "bottlenecks", "standards", "improvements"],
    ),
    "04_staff": (
        "staff",
        ["workforce", "employee_satisfaction", "performance", "training", "training_and_performance"],
    ),
    "05_competition": ("competition", ["benchmarks", "features", "lead_lag"]),
    "06_outlook": ("outlook", ["forecast", "staffing", "churn_outlook", "recommendations", "method_notes"]),
}

__all__ = ["SECTIONS", "ReportContext", "check_period", "check_unit", "open_report"]
