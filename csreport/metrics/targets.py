"""The service-standards catalogue ``params/targets.yml``: KPI parameters and targets, checked on load."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from csreport.errors import ParameterError
from csreport.metrics import registry
from csreport.params_file import read_params_file
from csreport.settings import Settings

if TYPE_CHECKING:
    from csreport.metrics.business import BusinessClock

_PARAMETER_KEYS = {
    "min_sample",
    "confidence",
    "short_abandon_s",
    "service_level_threshold_s",
    "fcr_repeat_window_days",
    "cost_model",
    "loyalty_index",
    "cost_benefit",
    "first_response_channels",
    "calendar_outside_share",
    "forecast_horizon_months",
}
_TARGET_KEYS = {"target", "direction", "tolerance", "channels", "basis"}
#: KPIs measured in business hours, and the elapsed-time KPI each one is the twin of (declared in the registry)
BUSINESS_TWINS = registry.business_twins()


@dataclass(frozen=True)
class Target:
    """A service standard: ``target`` with ``direction`` (higher/lower is better) and an at-risk ``tolerance``."""

    metric: str
    target: float
    direction: str
    tolerance: float = 0.0
    channels: dict[str, float] = field(default_factory=dict)
    basis: str = "elapsed"  # response and resolution times: "elapsed" (clock) or "business" (calendars.yml)

    def status(self, value: float | None) -> str:
        """``met`` on the right side of the target, ``at risk`` within tolerance of it, else ``missed``;
        ``n/a`` without a value."""
        if value is None:
            return "n/a"
        gap = value - self.target if self.direction == "higher" else self.target - value
        if gap >= 0:
            return "met"
        return "at risk" if -gap <= self.tolerance else "missed"


@dataclass(frozen=True)
class Parameters:
    """KPI parameters with the defaults documented in params/targets.yml."""

    min_sample: int = 30
    confidence: float = 0.95
    short_abandon_s: float = 5.0
    service_level_threshold_s: dict[str, float] = field(default_factory=lambda: {"phone": 20.0, "chat": 20.0})
    fcr_repeat_window_days: float = 7.0
    cost_per_handle_hour: float = 32.0
    cost_per_contact: dict[str, float] = field(default_factory=dict)
    loyalty_retention_weight: float = 0.5
    loyalty_advocacy_weight: float = 0.5
    agent_hour_cost: float = 32.0
    churn_window_days: int = 90
    value_horizon_months: int = 12
    #: the written channels first response time is measured on (phone and chat: ASA and service level)
    first_response_channels: tuple[str, ...] = ("email", "ticket", "social")
    #: share of a unit's agent activity outside its calendar's hours from which the calendar is doubted
    calendar_outside_share: float = 0.30
    #: months the contact-volume forecast looks ahead (chapter 6)
    forecast_horizon_months: int = 3
    # the units' business-hour calendars (params/calendars.yml) and the store's time zone; set by KpiCache
    business: BusinessClock | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Targets:
    parameters: Parameters
    targets: dict[str, Target]

    def get(self, metric: str) -> Target | None:
        """The service standard of ``metric``. A response or resolution time standard applies to the KPI of
        its ``basis``: with ``basis: business`` the business-hour KPI has it and the elapsed one has none."""
        if metric in BUSINESS_TWINS:
            twin = self.targets.get(BUSINESS_TWINS[metric])
            return twin if twin is not None and twin.basis == "business" else self.targets.get(metric)
        target = self.targets.get(metric)
        return None if target is not None and target.basis == "business" else target


def _check_keys(path: Path, block: str, values, allowed: set[str]) -> None:
    if not isinstance(values, dict) or set(values) - allowed:
        found = sorted(values) if isinstance(values, dict) else values
        raise ParameterError(f"{path}: parameters.{block} takes {sorted(allowed)}; found {found}.")


def _channels(path: Path, value) -> tuple[str, ...]:
    """``first_response_channels``: a non-empty list of contact channels (default: the written ones)."""
    from csreport.data.schemas import CHANNELS

    if value is None:
        return Parameters().first_response_channels
    channels = [value] if isinstance(value, str) else value
    if not isinstance(channels, list) or not channels or any(str(c) not in CHANNELS for c in channels):
        raise ParameterError(
            f"{path}: parameters.first_response_channels must be a non-empty list of channels "
            f"({', '.join(CHANNELS)}); found {value!r}. The default is [email, ticket, social]."
        )
    return tuple(dict.fromkeys(str(c) for c in channels))


def load_targets(path: str | Path | None = None) -> Targets:
    """Read and check a targets file (default: the file :class:`~csreport.settings.Settings` resolves:
    ``params/targets.yml`` of the project, else the packaged default)."""
    if path is None:
        path = Settings.resolve().targets
    path = Path(path)
    raw = read_params_file(path, "targets file", "Copy params/targets.yml and edit it.")
    params = raw.get("parameters") or {}
    unknown = set(params) - _PARAMETER_KEYS
    if unknown:
        raise ParameterError(f"{path}: unknown parameters {sorted(unknown)}; known: {sorted(_PARAMETER_KEYS)}.")
    cost = params.get("cost_model") or {}
    loyalty = params.get("loyalty_index") or {}
    benefit = params.get("cost_benefit") or {}
    _check_keys(path, "loyalty_index", loyalty, {"retention_weight", "advocacy_weight"})
    _check_keys(path, "cost_benefit", benefit, {"agent_hour_cost", "churn_window_days", "horizon_months"})
    defaults = Parameters()
    try:
        parameters = Parameters(
            min_sample=int(params.get("min_sample", defaults.min_sample)),
            confidence=float(params.get("confidence", defaults.confidence)),
            short_abandon_s=float(params.get("short_abandon_s", defaults.short_abandon_s)),
            service_level_threshold_s={
                str(k): float(v)
                for k, v in (params.get("service_level_threshold_s") or defaults.service_level_threshold_s).items()
            },
            fcr_repeat_window_days=float(params.get("fcr_repeat_window_days", defaults.fcr_repeat_window_days)),
            cost_per_handle_hour=float(cost.get("per_handle_hour", defaults.cost_per_handle_hour)),
            cost_per_contact={str(k): float(v) for k, v in (cost.get("per_contact") or {}).items()},
            loyalty_retention_weight=float(loyalty.get("retention_weight", defaults.loyalty_retention_weight)),
            loyalty_advocacy_weight=float(loyalty.get("advocacy_weight", defaults.loyalty_advocacy_weight)),
            agent_hour_cost=float(benefit.get("agent_hour_cost", defaults.agent_hour_cost)),
            churn_window_days=int(benefit.get("churn_window_days", defaults.churn_window_days)),
            value_horizon_months=int(benefit.get("horizon_months", defaults.value_horizon_months)),
            first_response_channels=_channels(path, params.get("first_response_channels")),
            calendar_outside_share=float(params.get("calendar_outside_share", defaults.calendar_outside_share)),
            forecast_horizon_months=int(params.get("forecast_horizon_months", defaults.forecast_horizon_months)),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ParameterError(f"{path}: invalid parameter value ({exc}).") from None
    weights = parameters.loyalty_retention_weight + parameters.loyalty_advocacy_weight
    if min(parameters.loyalty_retention_weight, parameters.loyalty_advocacy_weight) < 0 or abs(weights - 1) > 1e-9:
        raise ParameterError(
            f"{path}: loyalty_index weights must be non-negative and add up to 1, got "
            f"{parameters.loyalty_retention_weight:g} + {parameters.loyalty_advocacy_weight:g}."
        )
    if not 0 < parameters.calendar_outside_share <= 1:
        raise ParameterError(
            f"{path}: calendar_outside_share must be a share above 0 and at most 1, got "
            f"{parameters.calendar_outside_share}."
        )
    if not 0.5 < parameters.confidence < 1:
        raise ParameterError(f"{path}: confidence must be between 0.5 and 1, got {parameters.confidence}.")
    if parameters.forecast_horizon_months < 1:
        raise ParameterError(
            f"{path}: forecast_horizon_months must be 1 or more, got {parameters.forecast_horizon_months}."
        )
    targets = {}
    for metric, spec in (raw.get("targets") or {}).items():
        unknown = set(spec) - _TARGET_KEYS
        if unknown:
            raise ParameterError(f"{path}: target '{metric}' has unknown keys {sorted(unknown)}.")
        declared = _declared_direction(metric)
        spec = {"direction": declared, **spec} if declared else spec
        if spec.get("direction") not in ("higher", "lower"):
            raise ParameterError(f"{path}: target '{metric}' needs direction 'higher' or 'lower'.")
        if declared and spec["direction"] != declared:
            raise ParameterError(
                f"{path}: target '{metric}' has direction {spec['direction']!r}, but the KPI is declared "
                f"{declared!r} is better (csreport/metrics/registry.py); leave direction out or set it to {declared!r}."
            )
        basis = spec.get("basis", "elapsed")
        if basis not in ("elapsed", "business") or (basis == "business" and metric not in BUSINESS_TWINS.values()):
            raise ParameterError(
                f"{path}: target '{metric}' has basis {basis!r}; basis is 'elapsed' or 'business', and 'business' "
                f"applies only to {', '.join(BUSINESS_TWINS.values())}."
            )
        try:
            targets[metric] = Target(
                metric,
                float(spec["target"]),
                spec["direction"],
                float(spec.get("tolerance", 0.0)),
                {str(k): float(v) for k, v in (spec.get("channels") or {}).items()},
                basis,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"{path}: target '{metric}' is invalid ({exc}).") from None
    return Targets(parameters, targets)


def _declared_direction(target_key: str) -> str | None:
    """The direction (higher or lower is better) the registry declares for the KPI of ``target_key``."""
    return next((k.direction for k in registry.kpis() if k.target_key == target_key and k.direction), None)


#: The thresholds an analyst may set in a chapter notebook's ``parameters`` cell (``papermill -p``); each
#: overrides the targets file's parameter of that name for that run (None keeps the file's value).
THRESHOLDS = (
    "service_level_threshold_s",
    "min_sample",
    "confidence",
    "forecast_horizon_months",
    "churn_window_days",
)


def _threshold(name: str, value, kind: type, low: float, high: float | None = None):
    """``value`` as ``kind`` (int or float), above ``low`` (at least ``low`` for a whole number) and below ``high``;
    else a ParameterError naming the parameter, what was found and the fix."""
    try:
        number = kind(value)
        whole = kind is not int or number == float(value)
    except (TypeError, ValueError):
        number, whole = None, False
    if not whole or not (number >= low if kind is int else number > low) or (high is not None and number >= high):
        if kind is int:
            wanted = f"a whole number of {low:g} or more"
        else:
            wanted = f"a number above {low:g}" + (f" and below {high:g}" if high is not None else "")
        raise ParameterError(
            f"notebook parameter {name}: must be {wanted}; found {value!r}. Set it in the parameters cell (or "
            f"papermill -p {name} ...), or leave it None for the value of the targets file."
        )
    return number


def with_thresholds(targets: Targets, **values) -> Targets:
    """``targets`` with the analyst's thresholds (:data:`THRESHOLDS`) in place of the file's parameters.

    A value of None or "" keeps the file's. ``service_level_threshold_s`` is T in seconds: a number applies to every
    queued channel of the file (phone and chat by default), a mapping sets channels one by one.

    Parameters
    ----------
    targets
        The loaded targets file.
    values
        Threshold name → value, e.g. ``service_level_threshold_s=30``.
    """
    unknown = set(values) - set(THRESHOLDS)
    if unknown:
        raise ParameterError(f"unknown thresholds {sorted(unknown)}; known: {', '.join(THRESHOLDS)}.")
    given = {k: v for k, v in values.items() if v is not None and v != ""}
    if not given:
        return targets
    params = targets.parameters
    changes = {}
    if "service_level_threshold_s" in given:
        value = given["service_level_threshold_s"]
        if isinstance(value, dict):
            seconds = {str(c): _threshold("service_level_threshold_s", t, float, 0) for c, t in value.items()}
            changes["service_level_threshold_s"] = params.service_level_threshold_s | seconds
        else:
            seconds = _threshold("service_level_threshold_s", value, float, 0)
            changes["service_level_threshold_s"] = dict.fromkeys(params.service_level_threshold_s, seconds)
    if "min_sample" in given:
        changes["min_sample"] = _threshold("min_sample", given["min_sample"], int, 1)
    if "confidence" in given:
        changes["confidence"] = _threshold("confidence", given["confidence"], float, 0.5, 1)
    if "forecast_horizon_months" in given:
        changes["forecast_horizon_months"] = _threshold("forecast_horizon_months", given["forecast_horizon_months"],
                                                        int, 1)  # fmt: skip
    if "churn_window_days" in given:
        changes["churn_window_days"] = _threshold("churn_window_days", given["churn_window_days"], int, 1)
    return replace(targets, parameters=replace(params, **changes))
