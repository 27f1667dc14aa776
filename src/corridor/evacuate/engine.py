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
    horizon_text,
    routes_table,
    short_hours,
    summary,
    utilisation_table,
)
from corridor.evacuate.room import steps_to_shelters
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
    at most ``evacuation.exact_max_variables`` variables; the summary's
    ``method_choice`` says which and why). ``method`` and ``step_min``
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
        chosen, heuristic, bounds, choice = _run(net, opts, report)
    seconds = time.perf_counter() - start
    broken = violations(net, chosen.groups)
    if broken:  # a bug, never the user's input: refuse to write a wrong plan
        raise RuntimeError(f"evacuation plan breaks the model: {broken[0]} "
                           f"(and {len(broken) - 1} more)")
    info = summary(net, chosen, heuristic=heuristic, bounds=bounds,
                   options=opts.as_dict(), seconds=seconds)
    info["scenario_source"] = str(scenario.source or "")  # the report finds the map by it
    info["method_choice"] = choice
    return EvacuationResult(
        summary=info,
        routes=routes_table(net, chosen.groups),
        utilisation=utilisation_table(net, chosen.groups),
    )


def choose_method(net: EvacNetwork, opts: EvacOptions, steps: int) -> dict[str, Any]:
    """Which method runs and why (``method_choice`` in the summary).

    ``auto`` solves exactly while the first LP, over ``steps`` steps (the heuristic's
    egress, or the whole horizon when it leaves people behind), has at most
    ``exact_max_variables`` variables: LP time grows faster than the LP (on the shared
    2-core machine 36,000 variables take 2 s, 98,000 11 s, 239,000 40 s, 372,000
    minutes) and the exact method solves several LPs.
    """
    if opts.method != "auto":
        return {"requested": opts.method, "method": opts.method,
                "reason": f"{opts.method} was asked for"}
    from corridor.evacuate.exact import count_variables

    size, cap = count_variables(net, steps), opts.exact_max_variables
    span = f"{size:,} variables over {steps:,} steps ({round(steps * net.step_h, 2):g} h)"
    if size <= cap:
        method = "exact"
        reason = f"exact: its time-expanded LP has {span}, within exact_max_variables {cap:,}"
    else:
        method = "heuristic"
        reason = (f"heuristic (CCRP): the exact time-expanded LP would have {span}, more "
                  f"than exact_max_variables {cap:,} (--method exact solves it anyway)")
    return {"requested": "auto", "method": method, "reason": reason, "variables": size,
            "steps": steps, "exact_max_variables": cap}


def _run(net: EvacNetwork, opts: EvacOptions, report: _Report
         ) -> tuple[Solution, Solution, dict[str, int], dict[str, Any]]:
    from corridor.evacuate.exact import quickest

    sip = sheltered_in_place(net)
    report.stage("heuristic (CCRP)")
    groups, stranded, counters = ccrp(net, progress=report.advance)
    egress = max((g.arrival_step(net) + 1 for g in groups), default=0)
    bounds = combinatorial_bounds(net) if net.to_move else {}
    lower = max(bounds.values(), default=0)
    reasons = _reasons(net, stranded, groups=groups)
    all_arrive = not stranded
    heuristic = Solution("heuristic", "feasible", sip + groups, lower, stranded,
                         {**counters, "stranded_reason": reasons})
    choice = choose_method(net, opts, egress if all_arrive else net.horizon)
    method = choice["method"]
    if opts.method == "auto":
        report.say(f"auto: {choice['reason']}")
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
    if not all_arrive:  # as for the exact method: not everybody arrives
        heuristic.status = "infeasible"
    elif egress <= lower:
        heuristic.status = "optimal"
    if net.to_move == 0:  # everybody is already in a shelter: nothing to choose
        heuristic.method, heuristic.status = method, "optimal"
    if method == "heuristic" or net.to_move == 0:
        return heuristic, heuristic, bounds, choice

    report.stage("exact (time-expanded LP)")
    outcome = quickest(net, upper=egress if all_arrive else net.horizon, lower=lower,
                       all_arrive=all_arrive, time_limit=opts.time_limit_s, say=report.say)
    stats = dict(outcome.stats, horizon_steps=outcome.egress)
    if outcome.groups is None:  # no LP answer in time: keep the heuristic's plan
        stats["stranded_reason"] = reasons
        kept = Solution("exact", outcome.status, heuristic.groups, lower, stranded, stats)
        return kept, heuristic, bounds, choice
    stranded_exact = outcome.stranded
    stats["stranded_reason"] = _reasons(net, stranded_exact)  # a most-arrivals plan
    status = outcome.status
    if status == "optimal" and stranded_exact:
        status = "infeasible"
    exact = Solution("exact", status, sip + outcome.groups,
                     max(lower, outcome.lower_bound), stranded_exact, stats)
    return exact, heuristic, bounds, choice


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


def _reasons(net: EvacNetwork, stranded: dict[int, int],
             groups: list[Group] | None = None) -> dict[int, str]:
    """Why each node's people were left behind: a diagnosis, not a guess.

    Which shelters each node can reach at all, and which within the horizon on empty
    roads, on the links open to evacuees at some step of the horizon (other modes and
    closed roads do not count). Then the room: a static maximum flow from the nodes to
    the shelters they can reach in time, each shelter capped by its room; the nodes
    left short in *every* such flow (the source side of the minimal cut) are short of
    room, and are told the places and the people of their group (the shelters that
    group can reach, and everyone who can reach only those). For the rest the roads
    (capacity over time, waiting limits) are what stops them. ``groups``: the plan is
    the heuristic's (not one that gets the most people out), and says so.
    """
    if not stranded:
        return {}
    sources = np.flatnonzero(net.pop > 0)  # the stranded are among them
    col = {int(i): k for k, i in enumerate(sources.tolist())}
    steps = steps_to_shelters(net, sources)  # (shelters, sources) fewest transit steps
    shelters = np.flatnonzero(net.is_shelter)
    in_time = steps <= net.horizon - 1
    short = _short_of_room(net, shelters, sources, in_time)
    horizon_h = horizon_text(net)
    out = {}
    for i in stranded:
        j = col[i]
        if not np.isfinite(steps[:, j]).any():
            out[i] = NO_ROUTE
        elif i in short:
            places, people = short[i]
            out[i] = NO_ROOM + f" ({places:,.0f} places for {people:,} people)"
        elif not in_time[:, j].any():
            with_room = steps[net.shelter_cap[shelters] > 0, j]
            near = float(np.min(with_room if np.isfinite(with_room).any() else steps[:, j]))
            near *= net.step_h
            out[i] = TOO_LATE + f" ({horizon_h}): the nearest shelter is " \
                f"{short_hours(near)} away"
        elif groups is not None:
            out[i] = TOO_LATE + f" ({horizon_h}) on the heuristic's plan (the roads, waiting " \
                "limits and room it left them); --method exact gets the most people out"
        else:
            out[i] = TOO_LATE + f" ({horizon_h}): the roads cannot take more of them to a " \
                "shelter with room in time"
    return out


def _short_of_room(net: EvacNetwork, shelters: np.ndarray, nodes: np.ndarray,
                   in_time: np.ndarray) -> dict[int, tuple[float, int]]:
    """Nodes short of shelter room whatever the routes: node -> (places, people) of its
    group (a connected part of the minimal cut of people -> shelters they reach in time
    -> room)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

    reach_any = in_time.any(axis=0)
    sources, in_time = nodes[reach_any], in_time[:, reach_any]
    k, n_src = len(shelters), len(sources)
    if k == 0 or n_src == 0:
        return {}
    big = int(net.to_move) + 1
    room = np.where(np.isfinite(net.shelter_cap[shelters]),
                    np.minimum(net.shelter_cap[shelters], big), big).astype(np.int64)
    # vertices: 0 = source of all, 1..n_src the nodes, then the shelters, then the sink
    sink = 1 + n_src + k
    zi, si = np.nonzero(in_time)
    rows = np.concatenate([np.zeros(n_src, np.int64), 1 + si, 1 + n_src + np.arange(k)])
    cols = np.concatenate([1 + np.arange(n_src), 1 + n_src + zi, np.full(k, sink)])
    caps = np.concatenate([net.pop[sources].astype(np.int64),
                           np.full(len(si), big, np.int64), room])
    graph = sp.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, 0, sink)
    if flow.flow_value >= int(net.pop[sources].sum()):
        return {}
    residual = (graph - flow.flow).tocsr()
    residual.data = np.where(residual.data > 0, 1, 0)
    residual.eliminate_zeros()
    side = np.zeros(sink + 1, dtype=bool)
    side[breadth_first_order(residual, 0, directed=True, return_predecessors=False)] = True
    # the short nodes and the shelters they reach, in connected groups
    keep = side.copy()
    keep[0] = keep[sink] = False
    mask = keep[rows] & keep[cols]
    sub = sp.csr_matrix((np.ones(int(mask.sum())), (rows[mask], cols[mask])),
                        shape=(sink + 1, sink + 1))
    _, label = connected_components(sub, directed=False)
    places: dict[int, float] = {}
    people: dict[int, int] = {}
    for j in np.flatnonzero(keep[1:1 + n_src]).tolist():
        people[label[1 + j]] = people.get(label[1 + j], 0) + int(net.pop[sources[j]])
    for z in np.flatnonzero(keep[1 + n_src:sink]).tolist():
        places[label[1 + n_src + z]] = places.get(label[1 + n_src + z], 0.0) + \
            float(net.shelter_cap[shelters[z]])
    return {int(sources[j]): (places.get(label[1 + j], 0.0), people[label[1 + j]])
            for j in np.flatnonzero(keep[1:1 + n_src]).tolist()}


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


class _LineReport(_Report):
    """Progress as plain lines on stderr, one per stage and per exact LP, where no bar
    can be drawn (output to a file or a pipe), so a long solve is seen to be working."""

    def __init__(self, console: Any) -> None:
        super().__init__(None, None)
        self.console = console
        self.start = time.perf_counter()

    def _line(self, text: str) -> None:
        seconds = time.perf_counter() - self.start
        self.console.print(f"evacuate [{seconds:.0f} s]: {text}", markup=False,
                           highlight=False, soft_wrap=True)
        self.console.file.flush()

    def stage(self, text: str) -> None:
        self._line(text)

    def say(self, text: str) -> None:
        self._line(text)


@contextmanager
def _reporter(enabled: bool, total: int) -> Iterator[_Report]:
    if not enabled:
        yield _Report(None, None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from corridor.console import err_console

    if not err_console.is_terminal:
        yield _LineReport(err_console)
        return

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("evacuating", total=max(total, 1))
        yield _Report(bar, task)

