"""The printed page and the marks that the chapters and the renderers share: page margins, the table font and
cell padding, and the scorecard's status marks.

The chapters measure table columns for this page (``chapters/output.py``), the renderers set it (``pipeline/render``,
``pipeline/quarto``, ``pipeline/layout``) and the index shows the same status marks (``pipeline/index``): the values
live here so that a renderer never imports a chapter module.
"""

from __future__ import annotations

PAGE_MARGIN_CM = 2.0  # left, right, top and bottom, in both PDF paths (pipeline.render, pipeline.quarto)
TABLE_FONT_PT = 8.0  # the size of table text in print, in points
TABLE_INSET_PT = 5.0  # the padding on each side of a table cell in print, in points

#: a KPI's status against its target → (symbol, tone); the tone names the colour class in marks.css / marks.lua
STATUS_MARKS = {"met": ("✓", "met"), "at risk": ("▲", "risk"), "missed": ("×", "missed")}
