"""Engine options for ``corridor evacuate``: the ``evacuation:`` mapping of scenario.yaml.

Every key is checked here, so a typo (``step_mins``) is an error naming the key,
not a silently ignored option.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from corridor.scenario import Issue, Scenario, ScenarioError
from corridor.scenario.schema import MODES

METHODS = ("auto", "exact", "heuristic")
# `method: auto` solves exactly while its first time-expanded LP has at most this many
# variables (arc-steps + holding + departures + absorptions, over the heuristic's
# egress): about 10 s per LP on a shared 2-core machine, and the exact method needs a
# few. LP time grows faster than the LP: at 400,000 (the default until 2026-12-05) a
# 900-node grid did not finish in 400 s and Chicago-Sketch at 5-minute steps took 15 min.
EXACT_MAX_VARIABLES = 100_000

DEFAULTS: dict[str, Any] = {
    "step_min": 10.0,
    "speed_kmh": 5.0,
    "method": "auto",
    "modes": ["road"],
    "exact_max_variables": EXACT_MAX_VARIABLES,
    "time_limit_s": None,
    "target_h": None,
}
KEYS = tuple(DEFAULTS)


@dataclass(frozen=True)
class EvacOptions:
    """Resolved options (scenario.yaml ``evacuation:`` overridden by call arguments)."""

    step_min: float = 10.0
    speed_kmh: float = 5.0  # walking; 30-40 for evacuation by car in town
    method: str = "auto"
    modes: tuple[str, ...] = ("road",)
    exact_max_variables: int = EXACT_MAX_VARIABLES
    time_limit_s: float | None = None
    target_h: float | None = None  # clearance wanted by then; the report compares

    @property
    def step_h(self) -> float:
        return self.step_min / 60.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_min": self.step_min,
            "speed_kmh": self.speed_kmh,
            "method": self.method,
            "modes": list(self.modes),
            "exact_max_variables": self.exact_max_variables,
            "time_limit_s": self.time_limit_s,
            "target_h": self.target_h,
        }


def _label(scenario: Scenario) -> str:
    src = scenario.source
    if src is None:
        return "scenario.yaml"
    return "scenario.yaml" if src.is_dir() else src.name


def _positive(value: Any, allow_inf: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if math.isnan(value) or value <= 0:
        return False
    return allow_inf or math.isfinite(value)


def resolve_options(
    scenario: Scenario,
    *,
    method: str | None = None,
    step_min: float | None = None,
    time_limit: float | None = None,
) -> EvacOptions:
    """Merge the scenario's ``evacuation:`` mapping with explicit arguments; check all."""
    return _resolve(dict(scenario.evacuation or {}), _label(scenario), method, step_min,
                    time_limit)


def check_evacuation(raw: dict[str, Any], label: str = "scenario.yaml") -> list[Issue]:
    """Every problem with an ``evacuation:`` block, as ``corridor evacuate`` reports it:
    the scenario loader uses it, so ``corridor validate`` does not pass what
    ``evacuate`` then refuses."""
    try:
        _resolve(dict(raw), label, None, None, None)
    except ScenarioError as e:
        return list(e.issues)
    return []


def _resolve(raw: dict[str, Any], label: str, method: str | None, step_min: float | None,
             time_limit: float | None) -> EvacOptions:
    issues: list[Issue] = []
    for key in raw:
        if key not in KEYS and not str(key).startswith("x_"):
            issues.append(Issue(label, f"unknown evacuation option '{key}' (known: "
                                f"{', '.join(KEYS)})", column=f"evacuation.{key}"))
    given: dict[str, Any] = {k: raw.get(k, DEFAULTS[k]) for k in KEYS}
    where = {k: label for k in KEYS}
    for key, value in (("method", method), ("step_min", step_min),
                       ("time_limit_s", time_limit)):
        if value is not None:
            given[key] = value
            where[key] = "--" + key.replace("_s", "").replace("_", "-")

    def bad(key: str, message: str) -> None:
        col = None if where[key].startswith("--") else f"evacuation.{key}"
        issues.append(Issue(where[key], message, column=col))

    if not _positive(given["step_min"]):
        bad("step_min", f"step_min '{given['step_min']}' must be a number of minutes > 0")
        given["step_min"] = DEFAULTS["step_min"]
    if not _positive(given["speed_kmh"], allow_inf=True):
        bad("speed_kmh", f"speed_kmh '{given['speed_kmh']}' must be a number > 0 "
            "(.inf: the links' own speed_kmh only)")
        given["speed_kmh"] = DEFAULTS["speed_kmh"]
    if given["method"] not in METHODS:
        bad("method", f"method '{given['method']}' is not one of {', '.join(METHODS)}")
        given["method"] = "auto"
    modes = given["modes"]
    if isinstance(modes, str):
        modes = [m.strip() for m in modes.split(";") if m.strip()]
    if not isinstance(modes, list | tuple) or not modes or any(m not in MODES for m in modes):
        bad("modes", f"modes '{given['modes']}' must be a list of link modes "
            f"({', '.join(MODES)})")
        modes = DEFAULTS["modes"]
    cap = given["exact_max_variables"]
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        bad("exact_max_variables", f"exact_max_variables '{cap}' must be a whole number >= 0")
        cap = EXACT_MAX_VARIABLES
    tl = given["time_limit_s"]
    if tl is not None and not _positive(tl):
        bad("time_limit_s", f"time limit '{tl}' must be a number of seconds > 0")
        tl = None
    target = given["target_h"]
    if target is not None and not _positive(target):
        bad("target_h", f"target_h '{target}' must be a number of hours > 0")
        target = None
    if issues:
        raise ScenarioError(issues)
    return EvacOptions(
        step_min=float(given["step_min"]),
        speed_kmh=float(given["speed_kmh"]),
        method=str(given["method"]),
        modes=tuple(str(m) for m in modes),
        exact_max_variables=int(cap),
        time_limit_s=None if tl is None else float(tl),
        target_h=None if target is None else float(target),
    )
