"""Who churns: churn by number of contacts and by every customer attribute, each group against the rest.

Needs only customers (with ``churn_date``) and, for the contact bands, contacts with ``customer_id``; no surveys.

- Population: the unit's customers active at the start of the outcome window, the ``months`` months ending
  with ``period`` (signed up before the window or signup unknown, not churned before it).
- Outcome: churned = ``churn_date`` inside the window (and not after the data cut-off).
- Contacts: each customer's contacts in the ``lookback_days`` days up to the outcome: up to the churn date for
  a churner, up to the window's end (or the data cut-off, if earlier) for the others, so that every customer
  is counted over the same length of time before the outcome.
- Contact bands from the data: one band per distinct count 0, 1, 2, … while the band and everything above it
  each hold at least ``min_sample`` customers; only the sparse tail is merged ("5+"). A jump in churn at 4
  contacts is therefore not hidden in a "3+" band.
- Attributes: segment, region, gender, age band, spending band (quartiles of ``monthly_spend``) and every extra
  column of the customers table: a column with 2 to ``max_levels`` distinct values is a category, a numeric
  column with more is cut into quartile bands; other columns (identifiers, free text) are left out.
- Per group (attribute level): customers, churned, churn rate (ratio) with a Wilson interval, the rate of the
  rest of the population, the ratio of the two, a two-sided two-proportion z-test (pooled variance) of the
  group against the rest, the Holm-adjusted p over every group tested, and the excess churned =
  churned − rest rate × customers (customers lost beyond the rest's rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from csreport.analyses.result import AnalysisResult
from csreport.data.periods import parse_period

CONTACTS = "contacts"
AGE_BINS = [0, 25, 35, 45, 55, 65, 200]
AGE_LABELS = ["<25", "25–34", "35–44", "45–54", "55–64", "65+"]
STANDARD_ATTRIBUTES = ("segment", "region", "gender", "age_band", "spend_band")
NOT_ATTRIBUTES = {"customer_id", "business_unit", "signup_date", "churn_date", "age", "monthly_spend"}
COLUMNS = [
    "attribute",
    "level",
    "customers",
    "churned",
    "churn_rate",
    "low",
    "high",
    "rest_rate",
    "ratio",
    "p_value",
    "p_adjusted",
    "excess",
    "small_sample",
    "monthly_spend",
]


@dataclass(frozen=True)
class ChurnGroups(AnalysisResult):
    """Churn per group of every attribute against the rest of the customers, or why there is none."""

    groups: pd.DataFrame  # COLUMNS, one row per attribute level (contact bands in count order)
    customers: int  # active at the window's start
    churned: int
    start: pd.Timestamp | None
    end: pd.Timestamp | None  # exclusive: the window's end or the data cut-off
    months: int
    lookback_days: int
    reason: str | None = None
    #: who is in which group: customer_id, churned, churn_date, monthly_spend (when known) and one column per
    #: attribute with the customer's level (contacts: the number of contacts in the lookback)
    members: pd.DataFrame | None = None

    @property
    def churn_rate(self) -> float | None:
        return self.churned / self.customers if self.customers else None

    def churned_customers(self, attribute: str, level: str) -> pd.DataFrame:
        """The churned customers of one group (``"contacts"`` levels ``"4"`` or ``"4+"`` by their contacts in the
        lookback), with their churn date and monthly spend, latest churn first."""
        members = self.members
        if members is None or attribute not in members.columns:
            return pd.DataFrame(columns=["customer_id", "churn_date", "monthly_spend", attribute])
        values = members[attribute]
        if attribute == CONTACTS:
            at_least = level.endswith("+")
            count = int(level.rstrip("+"))
            inside = values >= count if at_least else values == count
        else:
            inside = values.astype("string") == level
        rows = members[inside.fillna(False).to_numpy(bool) & members["churned"].to_numpy(bool)]
        keep = [c for c in ("customer_id", "churn_date", "monthly_spend", attribute) if c in rows.columns]
        return rows[keep].sort_values(["churn_date", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def contact_bands(counts: pd.Series, min_sample: int) -> pd.Series:
    """Band labels for contact counts: ``"0"``, ``"1"``, … while the band and all higher counts each hold at
    least ``min_sample`` customers; the rest is one tail band ``"k+"`` (e.g. 0, 1, 2, 3, 4, 5+)."""
    counts = counts.astype(int)
    sizes = counts.value_counts()
    k = 0
    while sizes.get(k, 0) >= min_sample and int(sizes[sizes.index > k].sum()) >= min_sample:
        k += 1
    labels = counts.astype(str).where(counts < k, f"{k}+")
    order = [str(i) for i in range(k)] + [f"{k}+"]
    return pd.Series(pd.Categorical(labels, categories=order), index=counts.index)


def _quartile_bands(values: pd.Series) -> pd.Series:
    """Quartile bands of a numeric column, labelled by their value ranges (e.g. ``"42–80"``)."""
    numbers = pd.to_numeric(values, errors="coerce")
    edges = np.unique(np.nanquantile(numbers.dropna(), [0, 0.25, 0.5, 0.75, 1.0]))
    if len(edges) < 3:
        return pd.Series(pd.NA, index=values.index, dtype=object)
    digits = 0 if np.nanmax(np.abs(edges)) >= 100 else 1 if np.nanmax(np.abs(edges)) >= 10 else 2
    text = [f"{e:,.{digits}f}" for e in edges]
    labels = [f"{text[i]}–{text[i + 1]}" for i in range(len(edges) - 1)]
    return pd.cut(numbers, edges, labels=labels, include_lowest=True)


def attribute_columns(customers: pd.DataFrame, max_levels: int = 12) -> dict[str, pd.Series]:
    """The customer attributes to compare, as label Series: the contract's segment, region, gender, age band,
    spending band, then each extra column (categorical with 2..``max_levels`` values, or numeric in quartiles)."""
    out: dict[str, pd.Series] = {}
    for column in ("segment", "region", "gender"):
        if column in customers.columns:
            out[column] = customers[column]
    if "age" in customers.columns:
        out["age_band"] = pd.cut(customers["age"], AGE_BINS, right=False, labels=AGE_LABELS)
    if "monthly_spend" in customers.columns:
        out["spend_band"] = _quartile_bands(customers["monthly_spend"])
    for column in customers.columns:
        if column in NOT_ATTRIBUTES or column in out or str(column).startswith("_"):
            continue
        values = customers[column]
        levels = values.dropna().nunique()
        if 2 <= levels <= max_levels:
            out[column] = (
                values.astype(object).where(values.notna(), None).map(lambda v: v if v is None else str(v).strip())
            )
        elif levels > max_levels and pd.to_numeric(values.dropna(), errors="coerce").notna().all():
            out[column] = _quartile_bands(values)
    return {k: v for k, v in out.items() if v.dropna().nunique() >= 2}


def _observed(customers: pd.DataFrame, period: str, months: int, cutoff: pd.Timestamp | None) -> pd.DataFrame:
    """Customers active at the window's start, with ``churned`` and the ``reference`` moment of the outcome."""
    end_month = parse_period(period)
    start = (end_month - (months - 1)).start_time
    end = (end_month + 1).start_time
    if cutoff is not None and pd.notna(cutoff):
        end = min(end, cutoff)
    signup = customers["signup_date"] if "signup_date" in customers.columns else pd.Series(pd.NaT, customers.index)
    churn = customers["churn_date"]
    active = (signup.isna() | (signup < start)) & (churn.isna() | (churn >= start))
    frame = customers[active].copy()
    churned = frame["churn_date"].notna() & (frame["churn_date"] < end)
    frame["churned"] = churned
    frame["reference"] = frame["churn_date"].where(churned, end)
    frame.attrs.update(start=start, end=end)
    return frame


def contacts_before(observed: pd.DataFrame, contacts: pd.DataFrame, lookback_days: int) -> pd.Series:
    """Contacts of each observed customer in the ``lookback_days`` days before its ``reference`` moment
    (a churner's churn date counts as the whole day), indexed like ``observed``."""
    zero = pd.Series(0, index=observed.index, dtype=int)
    if contacts.empty or not {"customer_id", "created_at"} <= set(contacts.columns):
        return zero
    reference = observed["reference"].where(~observed["churned"], observed["reference"] + pd.Timedelta(days=1))
    ref = pd.DataFrame({"customer_id": observed["customer_id"].to_numpy(), "reference": reference.to_numpy()})
    ref["row"] = np.arange(len(ref))
    joined = ref.merge(contacts[["customer_id", "created_at"]].dropna(), on="customer_id", how="inner")
    inside = (joined["created_at"] < joined["reference"]) & (
        joined["created_at"] >= joined["reference"] - pd.Timedelta(days=lookback_days)
    )
    counts = np.bincount(joined.loc[inside, "row"].to_numpy(int), minlength=len(ref))
    return pd.Series(counts, index=observed.index, dtype=int)


def two_proportion_p(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p of the two-proportion z-test with pooled variance; 1 where the pooled rate is 0 or 1."""
    x1, n1, x2, n2 = (np.asarray(a, float) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
    p = special.erfc(np.abs(z) / np.sqrt(2))
    return np.where((se > 0) & np.isfinite(z), p, 1.0)


def _wilson(x: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    z = special.ndtri(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.minimum(centre - half, p), np.maximum(centre + half, p)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error over all groups tested)."""
    p = np.asarray(p, float)
    order = np.argsort(p, kind="stable")
    adjusted = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    out = np.empty_like(p)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def group_table(
    labels: dict[str, pd.Series],
    churned: pd.Series,
    confidence: float,
    min_sample: int,
    spend: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per attribute level: churn against the rest of the population (see the module docstring);
    ``spend``: each customer's monthly spend, whose group mean is reported (NaN without it)."""
    total, lost = len(churned), int(churned.sum())
    spend = pd.Series(np.nan, index=churned.index) if spend is None else spend.astype(float)
    rows = []
    lost_flags = churned.to_numpy(bool)
    spend_values = spend.to_numpy(float)
    known_spend = ~np.isnan(spend_values)
    for attribute, values in labels.items():
        # counts by level with NumPy (a pandas groupby per attribute cost ~0.1 s)
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, levels = values.cat.codes.to_numpy(), list(values.cat.categories)
        else:
            codes, uniques = pd.factorize(values, sort=True)
            levels = list(uniques)
        inside = codes >= 0
        size = len(levels)
        counts = np.bincount(codes[inside], minlength=size)
        lost_by = np.bincount(codes[inside], weights=lost_flags[inside], minlength=size)
        with_spend = inside & known_spend
        spend_sum = np.bincount(codes[with_spend], weights=spend_values[with_spend], minlength=size)
        spend_n = np.bincount(codes[with_spend], minlength=size)
        for k, level in enumerate(levels):
            if counts[k]:
                mean_spend = spend_sum[k] / spend_n[k] if spend_n[k] else float("nan")
                rows.append((attribute, str(level), int(counts[k]), int(lost_by[k]), float(mean_spend)))
    frame = pd.DataFrame(rows, columns=["attribute", "level", "customers", "churned", "monthly_spend"])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    x, n = frame["churned"].to_numpy(float), frame["customers"].to_numpy(float)
    rest_x, rest_n = lost - x, total - n
    frame["churn_rate"] = x / n
    frame["low"], frame["high"] = _wilson(x, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rest_rate"] = np.where(rest_n > 0, rest_x / rest_n, np.nan)
        frame["ratio"] = np.where(
            frame["rest_rate"] > 0, frame["churn_rate"] / frame["rest_rate"], np.where(x > 0, np.inf, np.nan)
        )
    frame["p_value"] = np.where(rest_n > 0, two_proportion_p(x, n, rest_x, rest_n), np.nan)
    tested = frame["p_value"].notna()
    frame["p_adjusted"] = np.nan
    frame.loc[tested, "p_adjusted"] = holm(frame.loc[tested, "p_value"].to_numpy())
    frame["excess"] = x - np.nan_to_num(frame["rest_rate"].to_numpy()) * n
    frame["small_sample"] = frame["customers"] < min_sample
    return frame[COLUMNS]


def churn_groups(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None,
    period: str,
    months: int = 3,
    lookback_days: int = 90,
    confidence: float = 0.95,
    min_sample: int = 30,
    max_levels: int = 12,
    cutoff: pd.Timestamp | None = None,
) -> ChurnGroups:
    """Churn in the ``months`` months ending with ``period`` by contact band and by customer attribute.

    ``contacts``: the unit's contacts (customer_id, created_at) from ``lookback_days`` before the window to its
    end, or None when contacts carry no customer_id; ``cutoff``: the end of the data (default: the latest
    contact), so that a customer is not counted as retained for days without data.
    """
    empty = pd.DataFrame(columns=COLUMNS)
    if customers.empty or "churn_date" not in customers.columns:
        return ChurnGroups(empty, 0, 0, None, None, months, lookback_days, "needs customers with churn_date")
    if cutoff is None and contacts is not None and not contacts.empty and "created_at" in contacts.columns:
        cutoff = contacts["created_at"].max().floor("D") + pd.Timedelta(days=1)
    observed = _observed(customers, period, months, cutoff)
    start, end = observed.attrs["start"], observed.attrs["end"]
    churned = observed["churned"]
    result = {"start": start, "end": end, "months": months, "lookback_days": lookback_days}
    if len(observed) < 2 * min_sample or churned.sum() == 0:
        return ChurnGroups(
            empty,
            len(observed),
            int(churned.sum()),
            **result,
            reason=f"{len(observed)} customers active at the start of the window and {int(churned.sum())} churned; "
            f"needs at least {2 * min_sample} customers and one churn",
        )
    labels: dict[str, pd.Series] = {}
    counts = None
    if contacts is not None and {"customer_id", "created_at"} <= set(contacts.columns):
        counts = contacts_before(observed, contacts, lookback_days)
        labels[CONTACTS] = contact_bands(counts, min_sample)
    labels.update(attribute_columns(observed.drop(columns=["churned", "reference"]), max_levels))
    spend = observed["monthly_spend"] if "monthly_spend" in observed.columns else None
    table = group_table(labels, churned, confidence, min_sample, spend)
    members = observed[[c for c in ("customer_id", "churned", "churn_date", "monthly_spend") if c in observed]].copy()
    for attribute, values in labels.items():
        members[attribute] = counts if attribute == CONTACTS else values.astype("string")
    return ChurnGroups(table, len(observed), int(churned.sum()), **result, members=members.reset_index(drop=True))


def flagged_groups(result: ChurnGroups, alpha: float, min_ratio: float, min_sample: int) -> pd.DataFrame:
    """The groups that churn significantly (Holm-adjusted p < ``alpha``) and materially (rate ≥ ``min_ratio``
    × the rest's) above the rest, at most one per attribute, largest excess loss first.

    For the contact bands the flagged top bands are merged into one group "k+" (the lowest k from which every
    higher band is flagged) and tested again against the rest; elsewhere the level with the largest excess.
    """
    if not result.available or result.groups.empty:
        return pd.DataFrame(columns=COLUMNS)
    table = result.groups
    hit = (
        (table["p_adjusted"] < alpha)
        & (table["ratio"] >= min_ratio)
        & (table["customers"] >= min_sample)
        & (table["churn_rate"] > table["rest_rate"])
    )
    picked = []
    for attribute, rows in table.groupby("attribute", sort=False):
        flags = hit[rows.index]
        if not flags.any():
            continue
        if attribute == CONTACTS and flags.iloc[-1]:
            first = len(flags)
            while first > 0 and flags.iloc[first - 1]:
                first -= 1
            picked.append(_merged_top(rows.iloc[first:], result, alpha))
        else:
            picked.append(rows[flags].sort_values("excess", ascending=False).iloc[0])
    picked = [p for p in picked if p is not None]
    if not picked:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(picked).sort_values("excess", ascending=False, kind="stable").reset_index(drop=True)


def _merged_top(rows: pd.DataFrame, result: ChurnGroups, alpha: float) -> pd.Series | None:
    """The contact bands of ``rows`` (the top ones) as one group "k+" against everyone else."""
    if len(rows) == 1:
        return rows.iloc[0]
    n, x = int(rows["customers"].sum()), int(rows["churned"].sum())
    rest_n, rest_x = result.customers - n, result.churned - x
    p = float(two_proportion_p(x, n, rest_x, rest_n))
    if not p < alpha:
        return None
    low, high = _wilson(np.array([x], float), np.array([n], float), 1 - alpha)
    rest_rate = rest_x / rest_n
    first = str(rows["level"].iloc[0])
    return pd.Series(
        {
            "attribute": CONTACTS,
            "level": first if first.endswith("+") else f"{first}+",
            "customers": n,
            "churned": x,
            "churn_rate": x / n,
            "low": float(low[0]),
            "high": float(high[0]),
            "rest_rate": rest_rate,
            "ratio": (x / n) / rest_rate if rest_rate > 0 else np.inf,
            "p_value": p,
            "p_adjusted": p,
            "excess": x - rest_rate * n,
            "small_sample": False,
            "monthly_spend": float(np.average(rows["monthly_spend"], weights=rows["customers"]))
            if rows["monthly_spend"].notna().all()
            else np.nan,
        }
    )
