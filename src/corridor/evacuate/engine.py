"""``evacuate``: choose the method, run it, and turn the plan into a result."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from corridor.evacuate.bounds import (
    COARSE_MIN_STEPS,
    coarse_bound,
    coarse_factor,
    combinatorial_bounds,
    dynamic_flow_bound,
    to_shelter,
)
from corridor.evacuate.ccrp import ccrp
from corridor.evacuate.network import EvacNetwork, build_network
from corridor.evacuate.options import EvacOptions, resolve_options
from corridor.evacuate.result import (
    EvacuationResult,
    routes_table,
    summary,
    utilisation_table,
)
from corridor.evacuate.solution import Group, Solution, sheltered_in_place, violations
from corridor.scenario import Scenario

NO_ROUTE = "no route to a shelter with room"
NO_ROOM = "the shelters it can reach are full"
TOO_LATE = "not in a shelter within the horizon"


def evacuate(
    scenario: Scenario,
    *,
    method: str = "auto",
    step_min: float | None = None,
    time_limit: float | None = None,
    progress: bool = True,
) -> EvacuationResult:
    """Plan the evacuation of every node's ``population`` to the shelters.

    ``method``: ``exact`` (quickest flow over the time-expanded network, linopy +
    HiGHS), ``heuristic`` (CCRP) or ``auto`` (exact while the time-expanded model has
    at most ``evacuation.exact_max_variables`` variables). ``method`` and ``step_min``
    override the scenario's ``evacuation:`` options when given (``method="auto"``
    defers to the scenario); ``time_limit`` (seconds) bounds the exact LPs; on
    running out the best plan found so far is returned with status ``time_limit``.
    Raises :class:`~corridor.scenario.ScenarioError` for bad options or a scenario
    with nobody to evacuate or nowhere to go.
    """
    opts = resolve_options(scenario, method=None if method == "auto" else method,
                           step_min=step_min, time_limit=time_limit)
    net = build_network(scenario, opts)
    start = time.perf_counter()
    with _reporter(progress, net.to_move) as report:
        chosen, heuristic, bounds = _run(net, opts, report)
    seconds = time.perf_counter() - start
    broken = violations(net, chosen.groups)
    if broken:  # a bug, never the user's input: refuse to write a wrong plan
        raise RuntimeError(f"evacuation plan breaks the model: {broken[0]} "
                           f"(and {len(broken) - 1} more)")
    info = summary(net, chosen, heuristic=heuristic, bounds=bounds,
                   options=opts.as_dict(), seconds=seconds)
    info["scenario_source"] = str(scenario.source or "")  # the report finds the map by it
    return EvacuationResult(
        summary=info,
        routes=routes_table(net, chosen.groups),
        utilisation=utilisation_table(net, chosen.groups),
    )


def _run(net: EvacNetwork, opts: EvacOptions,
         report: _Report) -> tuple[Solution, Solution, dict[str, int]]:
    from corridor.evacuate.exact import estimate_size, quickest

    sip = sheltered_in_place(net)
    report.stage("heuristic (CCRP)")
    groups, stranded, counters = ccrp(net, progress=report.advance)
    egress = max((g.arrival_step(net) + 1 for g in groups), default=0)
    bounds = combinatorial_bounds(net) if net.to_move else {}
    lower = max(bounds.values(), default=0)
    reasons = _reasons(net, stranded)
    all_arrive = not stranded
    heuristic = Solution("heuristic", "feasible", sip + groups, lower, stranded,
                         {**counters, "stranded_reason": reasons})
    method = opts.method
    if method == "auto":
        steps = egress if all_arrive else net.horizon
        method = "exact" if estimate_size(net, steps) <= opts.exact_max_variables else \
            "heuristic"
    if method == "heuristic" and all_arrive and net.to_move and egress > lower:
        report.stage("lower bounds (flow over time)")
        best = 0
        for among in _late_clusters(net, groups):
            if egress <= max(lower, best):
                break
            best = max(best, dynamic_flow_bound(net, egress, time_limit=opts.time_limit_s,
                                                among=among))
        bounds["dynamic_flow"] = best
        lower = max(lower, best)
    if method == "heuristic" and all_arrive and net.to_move and egress > lower:
        factor = coarse_factor(net, egress)
        if (egress - 1) // factor + 1 >= COARSE_MIN_STEPS:  # else too coarse to tell much
            report.stage("lower bound (coarse time-expanded LP)")
            bounds["coarse_lp"], _ = coarse_bound(net, egress, time_limit=opts.time_limit_s)
            heuristic.stats["bound_step_factor"] = factor
            lower = max(lower, bounds["coarse_lp"])
    heuristic.lower_bound = lower
    if not all_arrive and any(r != TOO_LATE for r in reasons.values()):
        heuristic.status = "infeasible"
    elif all_arrive and egress <= lower:
        heuristic.status = "optimal"
    if net.to_move == 0:  # everybody is already in a shelter: nothing to choose
        heuristic.method, heuristic.status = method, "optimal"
    if method == "heuristic" or net.to_move == 0:
        return heuristic, heuristic, bounds

    report.stage("exact (time-expanded LP)")
    outcome = quickest(net, upper=egress if all_arrive else net.horizon, lower=lower,
                       all_arrive=all_arrive, time_limit=opts.time_limit_s, say=report.say)
    stats = dict(outcome.stats, horizon_steps=outcome.egress)
    if outcome.groups is None:  # no LP answer in time: keep the heuristic's plan
        stats["stranded_reason"] = reasons
        kept = Solution("exact", outcome.status, heuristic.groups, lower, stranded, stats)
        return kept, heuristic, bounds
    stranded_exact = outcome.stranded
    stats["stranded_reason"] = _reasons(net, stranded_exact)
    status = outcome.status
    if status == "optimal" and stranded_exact:
        status = "infeasible"
    exact = Solution("exact", status, sip + outcome.groups,
                     max(lower, outcome.lower_bound), stranded_exact, stats)
    return exact, heuristic, bounds


def _late_clusters(net: EvacNetwork, groups: list[Group]) -> list[np.ndarray | None]:
    """Sets of sources to bound separately: all of them, those whose people the
    heuristic gets out last, and those farthest from a shelter (the first one, 5 %,
    20 % and 50 % of each ranking)."""
    last = np.full(net.n, -1)
    for g in groups:
        last[g.source] = max(last[g.source], g.arrival_step(net))
    sources = np.flatnonzero(net.pop > 0)
    late = sources[np.argsort(-last[sources], kind="stable")]
    far = sources[np.argsort(-to_shelter(net)[sources], kind="stable")]
    out: list[np.ndarray | None] = [None]
    seen: set[tuple[int, ...]] = set()
    for order in (late, far):
        for share in (0.0, 0.05, 0.2, 0.5):
            k = max(1, math.ceil(share * len(order)))
            key = tuple(sorted(order[:k].tolist()))
            if k < len(order) and key not in seen:
                seen.add(key)
                out.append(order[:k])
    return out


def _reasons(net: EvacNetwork, stranded: dict[int, int]) -> dict[int, str]:
    """Why each node's people were left behind (as far as can be told cheaply)."""
    if not stranded:
        return {}
    near = to_shelter(net)
    total_room = float(net.shelter_cap.sum())
    out = {}
    for i in stranded:
        if not np.isfinite(near[i]):
            out[i] = NO_ROUTE
        elif total_room < net.to_move:
            out[i] = NO_ROOM + f" ({total_room:,.0f} places for {net.to_move:,} people)"
        else:
            out[i] = TOO_LATE
    return out


class _Report:
    """Progress for long runs (a rich bar on stderr), or nothing when quiet."""

    def __init__(self, bar: Any, task: Any) -> None:
        self.bar, self.task = bar, task

    def advance(self, people: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, people)

    def stage(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=text)

    def say(self, text: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=text)


@contextmanager
def _reporter(enabled: bool, total: int) -> Iterator[_Report]:
    if not enabled:
        yield _Report(None, None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from corridor.console import err_console

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("evacuating", total=max(total, 1))
        yield _Report(bar, task)

