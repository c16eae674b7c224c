"""Charts print legibly: every piece of text is at least 7 pt once the saved image is set at the text width of
an A4 page with 2 cm margins (both PDF paths set each chart at 100 % of the text width)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from csreport.report import charts

TEXT_WIDTH_IN = (21.0 - 2 * 2.0) / 2.54  # A4 less 2 cm margins: 17 cm
MIN_PT = 7.0
PERIODS = [f"2026-{m:02d}" for m in range(1, 11)]


def _trend():
    frame = pd.DataFrame({"period": PERIODS, "value": np.linspace(0.7, 0.9, 10)})
    frame["low"], frame["high"] = frame["value"] - 0.02, frame["value"] + 0.02
    return charts.trend_with_target(frame, "Service level 92.4% against a target of 80.0%", "Service level", 0.8,
                                    "target", percent=True)  # fmt: skip


def _shares():
    shares = pd.DataFrame({"phone": [0.5] * 10, "chat": [0.3] * 10, "social media": [0.2] * 10}, index=PERIODS)
    return charts.stacked_shares(shares, "chat carries the most contacts (37.2% this month)", "Share of contacts")


def _heatmap():
    matrix = pd.DataFrame(np.arange(7 * 24).reshape(7, 24), index=list("MTWTFSS"), columns=range(24))
    return charts.heatmap(matrix, "Waits are longest on Monday mornings", "Hour of day", "Weekday", "Mean wait (s)")


def _pareto():
    counts = pd.Series([50, 30, 10, 5], index=["billing dispute", "delivery delay", "product defect", "other"])
    return charts.pareto(counts, "Two categories make 80% of complaints", "Complaints", "Cumulative share")


def _intervals():
    frame = pd.DataFrame({"label": ["a long driver name", "b"], "value": [1.5, 0.8], "low": [1.1, 0.5],
                          "high": [2.0, 1.2]})  # fmt: skip
    return charts.intervals(frame, "Odds of churn by band", "Odds ratio", reference=1.0, log=True)


def _profile():
    z = pd.DataFrame([[0.5, -1.2, 2.0], [-0.3, 0.8, -1.5]], index=["segment 1", "segment 2"],
                     columns=["contacts", "satisfaction", "tenure"])  # fmt: skip
    return charts.profile_heatmap(z, "Segments differ most in tenure", "SD from the base")


def _funnel():
    frame = pd.DataFrame({"n": [20, 80, 150, 300], "raw": [0.5, 0.7, 0.75, 0.9], "flag": ["below", "", "", "above"]})
    return charts.funnel(frame, "Two agents outside the limits", "Contacts", "FCR", 0.72,
                         {"below": "below", "within": "within", "above": "above"})  # fmt: skip


def _benchmarks():
    frame = pd.DataFrame({"label": ["Service level", "Average handle time"], "ours": [0.9, 400.0],
                          "industry": [0.8, 420.0], "best": [0.95, 380.0]})  # fmt: skip
    labels = {"industry": "industry average", "best": "best competitor", "ours": "east"}
    return charts.benchmark_gaps(frame, "We lead on service level", "% of industry average", labels)


def _forecast():
    history = pd.Series(np.linspace(3000, 3600, 10), index=PERIODS)
    predicted = pd.DataFrame({"period": ["2026-11", "2026-12", "2027-01"], "forecast": [3700, 3750, 3800],
                              "low": [3500, 3500, 3500], "high": [3900, 4000, 4100]})  # fmt: skip
    return charts.forecast(history, predicted, "Contacts keep rising", "Contacts",
                           {"actual": "actual", "forecast": "forecast", "interval": "80% interval"})  # fmt: skip


def _staffing():
    frame = pd.DataFrame({"label": [f"{h:02d}:{m:02d}" for h in range(8, 20) for m in (0, 30)]})
    frame["required"], frame["on_hand"] = np.arange(len(frame)) % 9 + 3, 8.0
    return charts.required_vs_actual(frame, "Short of agents at 10:00", "Interval", "Agents",
                                     {"required": "required", "on_hand": "on hand"})  # fmt: skip


def _bars():
    values = pd.Series([0.8, 0.7, 0.65], index=["team north", "team south", "team east"])
    return charts.bars(values, "Team east has the lowest FCR", "FCR", percent=True, highlight="team east")


CHARTS = [_trend, _shares, _heatmap, _pareto, _intervals, _profile, _funnel, _benchmarks, _forecast, _staffing, _bars]


@pytest.mark.parametrize("build", CHARTS, ids=[c.__name__.strip("_") for c in CHARTS])
def test_chart_text_is_at_least_7pt_at_a4_print_size(build):
    fig = build()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # the house style saves with a tight bounding box at 150 dpi
    plt.close(fig)
    image = Image.open(buffer)
    width_in = image.width / plt.rcParams["savefig.dpi"]
    printed = min(sizes) * TEXT_WIDTH_IN / width_in  # the image is set at the text width
    assert printed >= MIN_PT, f"smallest text {min(sizes)} pt prints at {printed:.1f} pt ({width_in:.2f} in wide)"


def test_staffing_chart_counts_agents_in_whole_numbers():
    """A peak of 4 agents: ticks 0, 1, 2, 3, 4 (matplotlib's default steps would be 0.0, 0.5, … 4.0)."""
    frame = pd.DataFrame({"label": ["09:00", "09:30", "10:00"], "required": [2, 4, 1], "on_hand": [2.7] * 3})
    fig = charts.required_vs_actual(frame, "Peak of 4 agents", "Interval", "Agents", {"required": "r", "on_hand": "o"})
    ticks = [t for t in fig.axes[0].get_yticks() if 0 <= t <= 4]
    plt.close(fig)
    assert ticks == [0, 1, 2, 3, 4]


def test_segment_profile_has_no_negative_zero():
    z = pd.DataFrame([[-0.04, 0.3], [0.02, -0.26]], index=["a", "b"], columns=["spend", "tenure"])
    fig = charts.profile_heatmap(z, "Segments", "SD from the base")
    labels = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert labels == ["0.0", "0.3", "0.0", "\u22120.3"]  # the report's minus sign (U+2212)


@pytest.mark.parametrize("build", CHARTS, ids=[c.__name__.strip("_") for c in CHARTS])
def test_legends_sit_outside_the_plot_area(build):
    """A legend never covers data (the funnel's legend sat on flagged agents): every legend is the figure's,
    below the axes, and overlaps none of them; titles open with a capital."""
    fig = build()
    fig.canvas.draw()
    assert all(ax.get_legend() is None for ax in fig.axes)  # no legend inside an axes
    renderer = fig.canvas.get_renderer()
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), build.__name__
            assert box.y1 <= ax.get_window_extent(renderer).y0  # below the plot
    titles = [ax.get_title("left") or ax.get_title() for ax in fig.axes if ax.get_title("left") or ax.get_title()]
    plt.close(fig)
    assert all(t[:1] == t[:1].upper() for t in titles), titles


def test_a_long_legend_wraps_onto_more_rows():
    labels = [f"a rather long channel name {i}" for i in range(6)]
    assert charts._legend_columns(labels) < 6 and charts._legend_columns(["a", "b", "c"]) == 3
