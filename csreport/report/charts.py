"""Chart helpers with one house style: seaborn theme, the colour-blind-safe palette, Noto Sans CJK SC (from
mplfonts, registered once) so Chinese labels render, sizes legible at A4 width in print.

Every function takes data already aggregated (never raw millions of rows) and labels already in the report
language, and returns a matplotlib Figure; titles state the finding, in sentence case ("Chat carries the most
contacts", whatever the value that opens it); the caption (source and n) is written beside the figure by the
chapter. A legend is always outside the plot area (below it), so it never covers data. Negative numbers on the
axes carry the same minus sign (U+2212) as the report's text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

FONT_FAMILY = "Noto Sans CJK SC"
WIDTH, HEIGHT = 7.2, 3.4  # inches: the text width of an A4 page with 2 cm margins
PALETTE = sns.color_palette("colorblind")
GOOD, BAD, NEUTRAL, TARGET = PALETTE[2], PALETTE[3], PALETTE[0], "0.25"
MINUS = "\u2212"  # the minus sign of every number in the report (locale files: locale.minus)


@cache
def font_path() -> Path:
    """The Noto Sans CJK SC font file shipped by mplfonts (also used by the PDF renderer)."""
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


@cache
def use_house_style() -> None:
    """Register the CJK font and set the seaborn theme once per process."""
    font_manager.fontManager.addfont(str(font_path()))
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=PALETTE,
        font=FONT_FAMILY,
        rc={
            "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
            "axes.unicode_minus": True,  # U+2212, as the report's text (locale minus); Noto Sans CJK has it
            "axes.titlesize": 12,
            "axes.titleweight": "normal",  # the CJK font ships one weight; asking for bold only logs a warning
            "axes.titlelocation": "left",
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
        },
    )


def _figure(height: float = HEIGHT, width: float = WIDTH):
    use_house_style()
    return plt.subplots(figsize=(width, height), layout="constrained")


def _percent_axis(axis) -> None:
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _title(ax, title: str, **labels) -> None:
    """The chart's title in sentence case, and its axis labels."""
    ax.set(title=title[:1].upper() + title[1:], **labels)


def _legend_below(fig, ax, handles=None, labels=None, columns: int | None = None) -> None:
    """The legend outside the plot area, centred below it (constrained layout makes room): it never covers
    data, whatever the values."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    fig.legend(handles, labels, loc="outside lower center", ncols=columns or _legend_columns(labels), frameon=False)


LEGEND_ROW = 110  # characters of legend text that fit on one row below a chart at the house sizes


def _legend_columns(labels) -> int:
    """As many legend columns as fit the chart's width (a wide character, e.g. Chinese, counts twice): long
    labels wrap onto more rows instead of pushing the plot out of the figure."""
    widths = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(label)) + 6 for label in labels]
    columns = len(widths)
    while columns > 1 and columns * max(widths) > LEGEND_ROW:
        columns -= 1
    return max(columns, 1)


def trend_with_target(
    frame: pd.DataFrame, title: str, ylabel: str, target: float | None = None, target_label: str = "",
    percent: bool = False,
):  # fmt: skip
    """Monthly values (columns period, value, low, high) as a line with its interval band and the target."""
    fig, ax = _figure()
    x = np.arange(len(frame))
    ax.plot(x, frame["value"], marker="o", color=NEUTRAL, lw=2)
    if {"low", "high"} <= set(frame.columns) and frame["low"].notna().any():
        ax.fill_between(x, frame["low"].astype(float), frame["high"].astype(float), color=NEUTRAL, alpha=0.15, lw=0)
    if target is not None:
        ax.axhline(target, color=TARGET, ls="--", lw=1)
        ax.annotate(target_label, (x[0], target), xytext=(0, 3), textcoords="offset points", fontsize=8)
    ax.set_xticks(x, frame["period"], rotation=45, ha="right")
    _title(ax, title, ylabel=ylabel, xlabel="")
    if percent:
        _percent_axis(ax.yaxis)
    return fig


def stacked_shares(shares: pd.DataFrame, title: str, ylabel: str):
    """Shares per period (index) and category (columns) as stacked bars summing to 100 %."""
    fig, ax = _figure()
    shares.plot(kind="bar", stacked=True, ax=ax, width=0.8, color=PALETTE[: shares.shape[1]], edgecolor="white")
    _title(ax, title, ylabel=ylabel, xlabel="")
    ax.tick_params(axis="x", rotation=45)
    _percent_axis(ax.yaxis)
    _legend_below(fig, ax)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, xlabel: str, ylabel: str, colorbar: str, fmt: str = ".0f"):
    """A small matrix (e.g. weekday × hour of day) with a sequential colour map."""
    fig, ax = _figure(height=3.0)
    sns.heatmap(matrix, ax=ax, cmap="mako_r", cbar_kws={"label": colorbar}, annot=False, fmt=fmt, linewidths=0.3)
    _title(ax, title, xlabel=xlabel, ylabel=ylabel)
    return fig


def pareto(counts: pd.Series, title: str, ylabel: str, cumulative_label: str):
    """Counts per category, largest first, with the cumulative share on a second axis."""
    counts = counts.sort_values(ascending=False)
    fig, ax = _figure()
    x = np.arange(len(counts))
    ax.bar(x, counts.to_numpy(), color=NEUTRAL)
    ax.set_xticks(x, counts.index, rotation=30, ha="right")
    _title(ax, title, ylabel=ylabel)
    second = ax.twinx()
    second.plot(x, counts.cumsum() / counts.sum(), color=BAD, marker="o", lw=1.5)
    second.set_ylim(0, 1.05)
    second.set_ylabel(cumulative_label)
    second.grid(False)
    _percent_axis(second.yaxis)
    return fig


def intervals(
    frame: pd.DataFrame, title: str, xlabel: str, reference: float | None = None, percent: bool = False,
    log: bool = False,
):  # fmt: skip
    """Point estimates with intervals (columns label, value, low, high), one row each: driver effects,
    churn by band, odds ratios."""
    frame = frame.dropna(subset=["value"])
    fig, ax = _figure(height=max(2.0, 0.45 * len(frame) + 1.0))
    y = np.arange(len(frame))[::-1]
    ax.errorbar(
        frame["value"], y,
        # clipped at 0: an interval end can sit a rounding error inside its point (e.g. Wilson at 0 events)
        xerr=[np.clip(frame["value"] - frame["low"], 0, None), np.clip(frame["high"] - frame["value"], 0, None)],
        fmt="o", color=NEUTRAL, ecolor=NEUTRAL, capsize=3,
    )  # fmt: skip
    if reference is not None:
        ax.axvline(reference, color=TARGET, ls="--", lw=1)
    ax.set_yticks(y, frame["label"])
    _title(ax, title, xlabel=xlabel)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    if percent:
        _percent_axis(ax.xaxis)
    return fig


def profile_heatmap(z_scores: pd.DataFrame, title: str, colorbar: str):
    """Segment profiles: mean of each feature per segment in standard deviations from the customer base."""
    fig, ax = _figure(height=max(2.2, 0.5 * len(z_scores) + 1.2))
    shown = z_scores.astype(float).round(1) + 0.0  # + 0.0: no "-0.0" label
    cells = shown.map(lambda v: f"{v:.1f}".replace("-", MINUS))  # the report's minus sign, as on the axes
    sns.heatmap(shown, ax=ax, cmap="vlag", center=0, annot=cells, fmt="", cbar_kws={"label": colorbar})
    _title(ax, title, xlabel="", ylabel="")
    return fig


def funnel(frame: pd.DataFrame, title: str, xlabel: str, ylabel: str, centre: float, legend: dict[str, str]):
    """Funnel plot: each agent's raw rate against contacts handled, with 95 % and 99.8 % control limits
    around ``centre`` (columns n, raw, flag; flag 'below' / 'above' / '' outside the 99.8 % limits)."""
    fig, ax = _figure()
    n = np.linspace(max(5, frame["n"].min()), frame["n"].max(), 200)
    se = np.sqrt(centre * (1 - centre) / n)
    for z, style in ((1.96, ":"), (3.09, "--")):
        ax.plot(n, np.clip(centre + z * se, 0, 1), color=TARGET, ls=style, lw=1)
        ax.plot(n, np.clip(centre - z * se, 0, 1), color=TARGET, ls=style, lw=1)
    palette = {"below": BAD, "above": GOOD}
    colours = [palette.get(flag, NEUTRAL) for flag in frame["flag"]]
    ax.scatter(frame["n"], frame["raw"], c=colours, s=18, alpha=0.8)
    ax.axhline(centre, color=TARGET, lw=1)
    _title(ax, title, xlabel=xlabel, ylabel=ylabel)
    _percent_axis(ax.yaxis)
    handles = [plt.Line2D([], [], marker="o", ls="", color=c) for c in (BAD, NEUTRAL, GOOD)]
    _legend_below(fig, ax, handles, [legend["below"], legend["within"], legend["above"]])
    return fig


def benchmark_gaps(frame: pd.DataFrame, title: str, xlabel: str, labels: dict[str, str]):
    """Our value, the industry average and the best competitor per KPI, each as % of the industry average
    (columns label, ours, industry, best); 100 % = industry average."""
    fig, ax = _figure(height=max(2.2, 0.42 * len(frame) + 1.0))
    y = np.arange(len(frame))[::-1]
    ax.axvline(1.0, color=TARGET, lw=1, label=labels["industry"])
    ax.scatter(frame["best"] / frame["industry"], y, marker="D", color=PALETTE[4], label=labels["best"], zorder=3)
    ax.scatter(frame["ours"] / frame["industry"], y, marker="o", s=40, color=NEUTRAL, label=labels["ours"], zorder=4)
    ax.set_yticks(y, frame["label"])
    _title(ax, title, xlabel=xlabel)
    _percent_axis(ax.xaxis)
    _legend_below(fig, ax)
    return fig


def forecast(history: pd.Series, predicted: pd.DataFrame, title: str, ylabel: str, labels: dict[str, str]):
    """Monthly history (index period) and the forecast (columns period, forecast, low, high)."""
    fig, ax = _figure()
    periods = list(history.index.astype(str)) + list(predicted["period"].astype(str))
    x_hist = np.arange(len(history))
    x_pred = np.arange(len(history), len(periods))
    ax.plot(x_hist, history.to_numpy(), marker="o", color=NEUTRAL, label=labels["actual"])
    ax.plot(x_pred, predicted["forecast"], marker="o", color=PALETTE[1], ls="--", label=labels["forecast"])
    ax.fill_between(x_pred, predicted["low"], predicted["high"], color=PALETTE[1], alpha=0.2, lw=0,
                    label=labels["interval"])  # fmt: skip
    ax.set_xticks(np.arange(len(periods)), periods, rotation=45, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _title(ax, title, ylabel=ylabel)
    _legend_below(fig, ax)
    return fig


def required_vs_actual(frame: pd.DataFrame, title: str, xlabel: str, ylabel: str, labels: dict[str, str]):
    """Agents required per interval of a weekday (columns interval label, required) and the agents on hand
    on average (a horizontal line)."""
    fig, ax = _figure()
    x = np.arange(len(frame))
    ax.bar(x, frame["required"], color=NEUTRAL, label=labels["required"])
    if "on_hand" in frame.columns and frame["on_hand"].notna().any():
        ax.axhline(float(frame["on_hand"].iloc[0]), color=BAD, lw=2, label=labels["on_hand"])
    step = max(1, len(frame) // 12)
    ax.set_xticks(x[::step], frame["label"].iloc[::step], rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # agents are whole: no 0.5 ticks
    _title(ax, title, xlabel=xlabel, ylabel=ylabel)
    _legend_below(fig, ax)
    return fig


def bars(values: pd.Series, title: str, xlabel: str, percent: bool = False, highlight: str | None = None):
    """Horizontal bars of one value per label (index), largest at the top."""
    values = values.sort_values()
    fig, ax = _figure(height=max(2.0, 0.35 * len(values) + 1.0))
    colours = [BAD if label == highlight else NEUTRAL for label in values.index]
    ax.barh(values.index.astype(str), values.to_numpy(), color=colours)
    _title(ax, title, xlabel=xlabel)
    if percent:
        _percent_axis(ax.xaxis)
    return fig
