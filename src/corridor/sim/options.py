"""Simulation options: the ``simulation:`` block of scenario.yaml, with documented defaults.

Every random element of a run is described here, so a scenario states its own
uncertainty and ``--deterministic`` can switch all of it off at once. The
defaults are round planning figures (estimates, not measured data); see
docs/simulator.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

from corridor.scenario import Issue, Scenario, ScenarioError
from corridor.scenario.schema import MODES

DISTRIBUTIONS = ("lognormal", "triangular", "none")

# Coefficient of variation of a carrier's travel time over a segment, per mode.
TRAVEL_CV = {"road": 0.15, "rail": 0.20, "sea": 0.10, "air": 0.05, "inland_water": 0.15}
# Mean km a carrier covers between breakdowns, per mode (inf = never; 0 is refused:
# 1 - exp(-km / 0) would break every trip down, and `.inf` already says "never").
BREAKDOWN_KM = {"road": 20_000.0, "rail": 50_000.0, "sea": 500_000.0, "air": 200_000.0,
                "inland_water": 200_000.0}
# Mean repair time after a breakdown (h), per mode; the repair time is exponential.
REPAIR_H = {"road": 6.0, "rail": 12.0, "sea": 48.0, "air": 24.0, "inland_water": 24.0}
# The largest coefficient of variation a `triangular` multiplier reaches: it is the
# symmetric triangle around 1 (Multipliers in state.py), at its widest on [0, 2], whose
# variance is 1/6. A larger cv is refused, never silently lowered.
TRIANGULAR_MAX_CV = 1.0 / math.sqrt(6.0)


@dataclass(frozen=True)
class SimOptions:
    """How a run draws its random times; all of it off when ``deterministic``."""

    deterministic: bool = False
    distribution: str = "lognormal"  # of travel and handling time multipliers (mean 1)
    travel_cv: dict[str, float] = field(default_factory=lambda: dict(TRAVEL_CV))
    handling_cv: float = 0.25  # load / unload times and node handling
    breakdown_km: dict[str, float] = field(default_factory=lambda: dict(BREAKDOWN_KM))
    repair_h: dict[str, float] = field(default_factory=lambda: dict(REPAIR_H))
    hold_h: float = 24.0  # longest a loaded carrier waits for a fuller load

    def switched_off(self) -> SimOptions:
        return replace(self, deterministic=True)


def options_from(scenario: Scenario, deterministic: bool = False) -> SimOptions:
    """Read ``scenario.simulation``; raise :class:`ScenarioError` naming the key."""
    label = scenario.inputs.yaml_label if scenario.inputs is not None else "scenario.yaml"
    values, issues = check_simulation(dict(scenario.simulation or {}), label)
    if issues:
        raise ScenarioError(issues)
    return SimOptions(deterministic=deterministic, **values)


def check_simulation(raw: dict[str, Any], label: str = "scenario.yaml"
                     ) -> tuple[dict[str, Any], list[Issue]]:
    """The options a ``simulation:`` block sets and every problem with it. Used by the
    scenario loader too, so ``corridor validate`` reports what ``simulate`` would."""
    issues: list[Issue] = []
    known = {f.name for f in fields(SimOptions)} - {"deterministic"}
    values: dict[str, Any] = {}
    for key, v in raw.items():
        col = f"simulation.{key}"
        if str(key).startswith("x_"):
            continue
        if key not in known:
            issues.append(Issue(label, f"unknown simulation key '{key}' (known: "
                                f"{', '.join(sorted(known))})", column=col))
        elif key == "distribution":
            if v not in DISTRIBUTIONS:
                issues.append(Issue(label, f"'{v}' is not one of {', '.join(DISTRIBUTIONS)}",
                                    column=col))
            else:
                values[key] = v
        elif key in ("travel_cv", "breakdown_km", "repair_h"):
            per_mode = _per_mode(v, getattr(SimOptions(), key), col, label, issues,
                                 positive=key == "breakdown_km")
            if per_mode is not None:
                values[key] = per_mode
        else:
            if _number_ok(v):
                values[key] = float(v)
            else:
                issues.append(Issue(label, f"'{v}' must be a number >= 0", column=col))
    if raw.get("distribution") == "triangular":
        _triangular_reach(raw, label, issues)
    return values, issues


def _triangular_reach(raw: dict[str, Any], label: str, issues: list[Issue]) -> None:
    """An issue for every cv given (``travel_cv``, per mode or for all, and
    ``handling_cv``) that a triangular multiplier cannot reach (TRIANGULAR_MAX_CV)."""
    given: list[tuple[str, Any]] = []
    for key in ("travel_cv", "handling_cv"):
        v = raw.get(key)
        if isinstance(v, dict) and key == "travel_cv":
            given += [(f"simulation.{key}.{mode}", x) for mode, x in v.items() if mode in MODES]
        elif key in raw:
            given.append((f"simulation.{key}", v))
    for col, v in given:
        if _number_ok(v) and v > TRIANGULAR_MAX_CV + 1e-12:
            issues.append(Issue(
                label, f"'{v}' is more than distribution 'triangular' can spread: its "
                f"coefficient of variation is at most 1/sqrt(6) = {TRIANGULAR_MAX_CV:.3f} "
                "(the mean-1 triangle on [0, 2]); give a cv <= 0.408 or use "
                "distribution 'lognormal'", column=col))


def _number_ok(v: Any) -> bool:
    return (isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            and not math.isnan(v))


def _per_mode(v: Any, default: dict[str, float], col: str, label: str,
              issues: list[Issue], positive: bool = False) -> dict[str, float] | None:
    """A number for every mode, or a mapping of some modes to numbers; ``positive``:
    each number > 0 (``breakdown_km``: the mean km between breakdowns, ``.inf`` for
    none)."""
    if _number_ok(v) and not (positive and v == 0):
        return dict.fromkeys(MODES, float(v))
    if positive and _number_ok(v):
        issues.append(Issue(label, _ZERO_KM.format(v), column=col))
        return None
    if not isinstance(v, dict):
        issues.append(Issue(label, "must be a number or a mapping of modes to numbers",
                            column=col))
        return None
    out = dict(default)
    for mode, x in v.items():
        if mode not in MODES:
            issues.append(Issue(label, f"'{mode}' is not a mode ({', '.join(MODES)})",
                                column=f"{col}.{mode}"))
        elif not _number_ok(x):
            issues.append(Issue(label, f"'{x}' must be a number "
                                f"{'> 0' if positive else '>= 0'}", column=f"{col}.{mode}"))
        elif positive and x == 0:
            issues.append(Issue(label, _ZERO_KM.format(x), column=f"{col}.{mode}"))
        else:
            out[mode] = float(x)
    return out


# breakdown_km 0 would mean a breakdown on every trip (1 - exp(-km / 0) = 1); never
# breaking down is `.inf` (YAML's infinity), so a 0 is most likely meant as "none"
_ZERO_KM = ("'{}' must be a number > 0: the mean km a carrier covers between breakdowns "
            "(breakdown chance 1 - exp(-km / breakdown_km)); for no breakdowns give .inf")
