"""Sections are values: a section function decorated with :func:`section` returns a :class:`Section` holding what
it wrote (heading, sentences, tables as DataFrames, figures with captions), which displays itself exactly as the
function used to display it (the same Markdown and PNG outputs, in the same order, in Jupyter and in papermill's
executed notebooks). So an analyst can build on a section::

    sl = chapter.service_level(ctx)   # displays nothing (an assignment); `sl` alone displays the section
    sl.tables[0]                      # the table as a DataFrame (formatted cells, as shown)
    sl.figure                         # the first chart, a Matplotlib figure (re-style it, save it)

The writing helpers of :mod:`csreport.report.chapters.output` record into the innermost running section; outside any
section they display at once, as before. A section called inside another adds its content to the outer one.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Image, Markdown, display

_RUNNING: list[Section] = []


@dataclass
class Section:
    """What one section wrote, in order (``parts``: the Markdown and PNG display objects), and by kind."""

    name: str
    heading: str | None = None
    sentences: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    figures: list = field(default_factory=list)  # matplotlib figures (closed: rendered already, still usable)
    captions: list[str] = field(default_factory=list)  # figure captions, one per figure
    parts: list = field(default_factory=list)

    @property
    def figure(self):
        """The first figure, or None."""
        return self.figures[0] if self.figures else None

    @property
    def table(self) -> pd.DataFrame | None:
        """The first table, or None."""
        return self.tables[0] if self.tables else None

    def add(self, part) -> None:
        self.parts.append(part)

    def extend(self, other: Section) -> None:
        """Take over what ``other`` (a section run inside this one) wrote."""
        self.heading = self.heading or other.heading
        for name in ("sentences", "tables", "figures", "captions", "parts"):
            getattr(self, name).extend(getattr(other, name))

    def _ipython_display_(self) -> None:
        for part in self.parts:
            display(part)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """One Markdown document (images inline as data URIs) for front ends that do not call
        ``_ipython_display_``."""
        blocks = []
        for part in self.parts:
            if isinstance(part, Image):
                blocks.append(f"![](data:image/png;base64,{base64.b64encode(part.data).decode()})")
            else:
                blocks.append(part.data)
        return {"text/markdown": "\n\n".join(blocks), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return (f"Section({self.name!r}, heading={self.heading!r}, {len(self.sentences)} sentences, "
                f"{len(self.tables)} tables, {len(self.figures)} figures)")  # fmt: skip


def running() -> Section | None:
    """The innermost section being written, or None."""
    return _RUNNING[-1] if _RUNNING else None


def emit(part: Markdown | Image) -> None:
    """Record ``part`` in the running section, or display it at once when no section is running."""
    current = running()
    if current is None:
        display(part)
    else:
        current.add(part)


def section(func: Callable[..., None]) -> Callable[..., Section]:
    """Make a section function return the :class:`Section` it wrote. If it fails, what it wrote so far is
    displayed before the error (as it was when sections displayed as they went)."""

    @functools.wraps(func)
    def run(*args, **kwargs) -> Section:
        current = Section(func.__name__)
        _RUNNING.append(current)
        try:
            func(*args, **kwargs)
        except BaseException:
            _RUNNING.pop()
            outer = running()
            if outer is not None:
                outer.extend(current)
            else:
                current._ipython_display_()
            raise
        _RUNNING.pop()
        outer = running()
        if outer is not None:
            outer.extend(current)
        return current

    return run
