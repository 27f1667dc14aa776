"""The quickest evacuation, exactly: flows over the time-expanded network (linopy + HiGHS).

Node (v, t) is "at v during step t". Variables, all people:

- ``x[a, t]``: enter arc a in step t, reach its head in step t + transit(a);
  at most the arc's capacity in step t;
- ``w[v, t]``: wait at v from step t to t+1; at most capacity_pax of v;
- ``d[i, t]``: leave home at source i in step t (waiting at home is free);
- ``y[z, t]``: taken in by shelter z in step t; over all steps at most its room.

Flow is conserved at every (v, t). The network matrix is totally unimodular and all
capacities are whole, so vertex solutions are whole people.

The egress time T* (smallest horizon E in which everybody arrives) is found by
minimising the total evacuation time sum((t+1) * y) for a horizon that is known to
work (the heuristic's), then testing smaller horizons (E - 1 first, then bisection
between the proven lower bound and the best horizon found): an infeasible LP proves
the bound, a feasible one gives a plan. For one shelter without room limits the
minimum-total-time flow is an earliest-arrival flow, so E - 1 is usually the only
test. The flow is then split into groups on timed routes; a route that comes back
to a node it already passed is shortened to waiting there (at home, or where
waiting is not limited), so nobody walks in circles.

Node-steps that no evacuee can reach in time (too early from every source, or too
late to make a shelter by E) get no variables.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from corridor.evacuate.bounds import from_sources, to_shelter
from corridor.evacuate.network import EvacNetwork
from corridor.evacuate.solution import Group

X, W, D, Y = 0, 1, 2, 3  # variable kinds


@dataclass(frozen=True)
class Expanded:
    """The time-expanded network for horizon ``steps`` as flat variable arrays."""

    net: EvacNetwork
    steps: int
    kind: np.ndarray  # X/W/D/Y per variable
    obj: np.ndarray  # arc (X) or node (W, D, Y) per variable
    t: np.ndarray  # step per variable
    upper: np.ndarray  # upper bound per variable (inf = none)
    balance: sp.csr_matrix  # (n*steps, K): conservation at every node-step
    sources: np.ndarray  # nodes with people who can reach a shelter
    supply: sp.csr_matrix  # (len(sources), K): departures per source
    limited: np.ndarray  # shelters with finite room
    room: sp.csr_matrix  # (len(limited), K): intake per limited shelter

    @property
    def size(self) -> int:
        return len(self.kind)

    def arrival_cost(self) -> np.ndarray:
        """Total evacuation time in steps: (t+1) per person taken in during step t."""
        return np.where(self.kind == Y, self.t + 1.0, 0.0)


def estimate_size(net: EvacNetwork, steps: int) -> int:
    """Variables of the time-expanded model before pruning (sizes the coarse bound)."""
    hold = int((net.hold_cap > 0).sum())
    return (net.m + hold + int((net.pop > 0).sum()) + int((net.shelter_cap > 0).sum())) * steps


def count_variables(net: EvacNetwork, steps: int) -> int:
    """Variables :func:`expand` gives for ``steps`` steps, counted without building it.

    The same windows as :func:`expand` (a node-step only exists once someone can be
    there and while a shelter can still be reached), less only the steps in which a
    link has no capacity: an upper bound off by those, cheap enough for
    ``method: auto`` to decide before any LP is built.
    """
    early = from_sources(net)
    near = to_shelter(net)

    def window(lo: np.ndarray, hi: np.ndarray) -> int:
        ok = np.isfinite(lo) & np.isfinite(hi)
        return int(np.maximum(hi[ok] - lo[ok] + 1, 0).sum())

    arcs = window(early[net.tail], steps - 1 - net.transit - near[net.head])
    holding = net.hold_cap > 0
    waits = window(early[holding], steps - 2 - near[holding])
    sources = (net.pop > 0) & np.isfinite(near)
    departs = int(np.maximum(steps - near[sources], 0).sum())
    shelters = (net.shelter_cap > 0) & np.isfinite(early)
    intake = int(np.maximum(steps - early[shelters], 0).sum())
    return arcs + waits + departs + intake


def expand(net: EvacNetwork, steps: int) -> Expanded:
    """Build the time-expanded network for a horizon of ``steps`` steps."""
    e = steps
    early = from_sources(net)  # earliest step anyone can be at a node
    near = to_shelter(net)  # fewest steps from a node to a shelter with room
    kinds, objs, ts, ups = [], [], [], []

    # arcs: enter in step t >= early(tail), still reach a shelter by step e-1
    tau = net.transit
    last = e - 1 - tau - near[net.head]
    first = early[net.tail]
    ok = np.isfinite(last) & np.isfinite(first)
    caps = net.cap_matrix(e)
    for a in np.flatnonzero(ok).tolist():
        lo, hi = int(first[a]), int(last[a])
        if hi < lo:
            continue
        t = np.arange(lo, hi + 1)
        c = caps[a, lo:hi + 1]
        t, c = t[c > 0], c[c > 0]
        kinds.append(np.full(len(t), X))
        objs.append(np.full(len(t), a))
        ts.append(t)
        ups.append(c)
    # waiting: at v from t to t+1
    for v in np.flatnonzero((net.hold_cap > 0) & np.isfinite(early) & np.isfinite(near)).tolist():
        lo, hi = int(early[v]), int(e - 2 - near[v])
        if hi < lo:
            continue
        t = np.arange(lo, hi + 1)
        kinds.append(np.full(len(t), W))
        objs.append(np.full(len(t), v))
        ts.append(t)
        ups.append(np.full(len(t), float(net.hold_cap[v])))
    sources = np.flatnonzero((net.pop > 0) & np.isfinite(near))
    for i in sources.tolist():
        t = np.arange(0, max(0, int(e - near[i])))
        kinds.append(np.full(len(t), D))
        objs.append(np.full(len(t), i))
        ts.append(t)
        ups.append(np.full(len(t), np.inf))
    shelters = np.flatnonzero((net.shelter_cap > 0) & np.isfinite(early))
    for z in shelters.tolist():
        t = np.arange(int(early[z]), e)
        kinds.append(np.full(len(t), Y))
        objs.append(np.full(len(t), z))
        ts.append(t)
        ups.append(np.full(len(t), np.inf))

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    kind = cat(kinds, np.int8)
    obj = cat(objs, np.int64)
    t = cat(ts, np.int64)
    upper = cat(ups, float)
    k = len(kind)
    col = np.arange(k)

    # conservation at (v, s): inflow - outflow = 0, row v*e + s
    is_x = kind == X
    xa = obj[is_x]
    rows = [net.tail[xa] * e + t[is_x], net.head[xa] * e + t[is_x] + tau[xa]]
    cols = [col[is_x], col[is_x]]
    vals = [-np.ones(is_x.sum()), np.ones(is_x.sum())]
    is_w = kind == W
    rows += [obj[is_w] * e + t[is_w], obj[is_w] * e + t[is_w] + 1]
    cols += [col[is_w], col[is_w]]
    vals += [-np.ones(is_w.sum()), np.ones(is_w.sum())]
    is_d = kind == D
    rows.append(obj[is_d] * e + t[is_d])
    cols.append(col[is_d])
    vals.append(np.ones(is_d.sum()))
    is_y = kind == Y
    rows.append(obj[is_y] * e + t[is_y])
    cols.append(col[is_y])
    vals.append(-np.ones(is_y.sum()))
    balance = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(net.n * e, k),
    )
    src_row = {int(i): r for r, i in enumerate(sources.tolist())}
    supply = sp.csr_matrix(
        (np.ones(is_d.sum()), (np.array([src_row[int(i)] for i in obj[is_d]], dtype=np.int64),
                               col[is_d])),
        shape=(len(sources), k),
    )
    limited = shelters[np.isfinite(net.shelter_cap[shelters])]
    lim_row = {int(z): r for r, z in enumerate(limited.tolist())}
    in_lim = is_y & np.isin(obj, limited)
    room = sp.csr_matrix(
        (np.ones(in_lim.sum()), (np.array([lim_row[int(z)] for z in obj[in_lim]],
                                          dtype=np.int64), col[in_lim])),
        shape=(len(limited), k),
    )
    return Expanded(net, e, kind, obj, t, upper, balance, sources, supply, limited, room)


@dataclass(frozen=True)
class LPResult:
    status: str  # optimal | infeasible | time_limit | error
    values: np.ndarray | None
    objective: float | None
    seconds: float
    variables: int
    constraints: int


class ExpandedLP:
    """One linopy model over an :class:`Expanded` network.

    All rows form one equality block (inequalities get a slack column): conservation,
    departures per source (``leaving``, default the whole population; slack fixed at 0
    when ``everybody`` must leave) and room per limited shelter. Building a linopy
    block has a fixed cost, so there is just one. Every row is a node balance of a
    network (homes, node-steps, shelters), so vertex solutions stay whole people.
    """

    def __init__(self, ex: Expanded, *, everybody: bool = True,
                 leaving: np.ndarray | None = None) -> None:
        import linopy
        import pandas as pd
        import xarray as xr

        from corridor.evacuate.lp import quiet_highs, rows_expression

        quiet_highs()
        self.ex = ex
        self.everybody = everybody
        supply = ex.net.pop[ex.sources].astype(float) if leaving is None else leaving
        self.anyone = bool(np.asarray(supply).sum() > 0)
        self.solver = "ipm"
        self.start = time.perf_counter()
        k = ex.size
        n_src, n_lim = len(ex.sources), len(ex.limited)
        size = k + n_src + n_lim
        upper = np.concatenate([ex.upper, np.full(n_src, 0.0 if everybody else np.inf),
                                np.full(n_lim, np.inf)])
        blocks = [sp.hstack([ex.balance, sp.csr_matrix((ex.balance.shape[0], n_src + n_lim))])]
        rhs = [np.zeros(ex.balance.shape[0])]
        blocks.append(sp.hstack([ex.supply, sp.eye(n_src), sp.csr_matrix((n_src, n_lim))]))
        rhs.append(np.asarray(supply, dtype=float))
        if n_lim:
            blocks.append(sp.hstack([ex.room, sp.csr_matrix((n_lim, n_src)), sp.eye(n_lim)]))
            rhs.append(ex.net.shelter_cap[ex.limited].astype(float))
        self.model = model = linopy.Model()
        self.var = var = model.add_variables(
            lower=np.zeros(size), upper=upper, coords=[pd.RangeIndex(size, name="k")],
            name="v")
        self.size = size
        self.empty = k == 0
        if not self.empty:
            matrix = sp.vstack(blocks, format="csr")
            expr, keep = rows_expression(model, matrix, var)
            rhs_all = np.concatenate(rhs)[keep]
            model.add_constraints(expr, "==", xr.DataArray(rhs_all, dims="row"), name="flow")
            self.rows = int(keep.sum())
        else:
            self.rows = 0
        self.xr = xr

    def _cost(self, per_var: np.ndarray) -> Any:
        full = np.concatenate([per_var, np.zeros(self.size - self.ex.size)])
        return (self.xr.DataArray(full, dims="k") * self.var).sum()

    def solve(self, goal: str, time_limit: float | None = None) -> LPResult:
        """``goal``: ``total_time`` (min the sum of arrival steps) or ``max_arrivals``."""
        ex = self.ex
        if goal == "max_arrivals":
            self.model.add_objective(self._cost((ex.kind == Y).astype(float)), sense="max",
                                     overwrite=True)
        else:
            self.model.add_objective(self._cost(ex.arrival_cost()), overwrite=True)
        return self._run(time_limit)

    def _run(self, time_limit: float | None) -> LPResult:
        from corridor.evacuate.lp import quiet_linopy

        k = self.ex.size
        if self.empty:  # nobody can reach a shelter within this horizon
            ok = not self.everybody or not self.anyone
            return LPResult("optimal" if ok else "infeasible", np.zeros(0) if ok else None,
                            0.0 if ok else None, 0.0, 0, 0)
        # interior point + crossover: a vertex (so whole people) and, on these
        # time-expanded flows, several times faster than dual simplex
        opts: dict[str, Any] = {"output_flag": False, "solver": self.solver}
        if time_limit is not None:
            opts["time_limit"] = max(0.01, float(time_limit))
        try:
            with quiet_linopy():
                status, condition = self.model.solve(solver_name="highs", io_api="direct",
                                                     **opts)
        except Exception as e:  # the solver failing is reported, not raised
            return LPResult(f"error: {e}", None, None, self._seconds(), k, self.rows)
        seconds = self._seconds()
        if status == "ok" and condition == "optimal":
            values = np.asarray(self.var.solution.values, dtype=float)[:k]
            if np.abs(values - np.rint(values)).max(initial=0.0) > 1e-6 \
                    and self.solver != "simplex":
                self.solver = "simplex"  # no vertex came back: simplex always gives one
                return self._run(time_limit)
            objective = self.model.objective.value
            return LPResult("optimal", values, float(objective or 0.0), seconds, k, self.rows)
        if condition in ("infeasible", "infeasible_or_unbounded"):
            return LPResult("infeasible", None, None, seconds, k, self.rows)
        if condition in ("time_limit", "terminated_by_limit", "iteration_limit"):
            return LPResult("time_limit", None, None, seconds, k, self.rows)
        return LPResult(f"error: {condition}", None, None, seconds, k, self.rows)

    def _seconds(self) -> float:
        return time.perf_counter() - self.start


def max_arrivals(net: EvacNetwork, steps: int, time_limit: float | None = None) -> int:
    """Most people who can be in a shelter by the end of step ``steps - 1``."""
    if steps <= 0:
        return 0
    r = ExpandedLP(expand(net, steps), everybody=False).solve("max_arrivals", time_limit)
    if r.objective is None:
        raise RuntimeError(f"max-arrivals LP for {steps} steps: {r.status}")
    return round(r.objective)


def decompose(ex: Expanded, values: np.ndarray) -> list[Group]:
    """Split a whole-people flow into groups that each follow one timed route."""
    net = ex.net
    flow = np.rint(values).astype(np.int64)
    if np.abs(values - flow).max(initial=0.0) > 1e-4:
        raise RuntimeError("the LP solution is not whole people; cannot split it into routes")
    xs: dict[tuple[int, int], int] = {}
    ws: dict[tuple[int, int], int] = {}
    ys: dict[tuple[int, int], int] = {}
    starts: list[tuple[int, int, int]] = []
    out_arcs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for kind, obj, t, f in zip(ex.kind.tolist(), ex.obj.tolist(), ex.t.tolist(), flow.tolist(),
                               strict=True):
        if f <= 0:
            continue
        if kind == X:
            xs[(obj, t)] = f
            out_arcs[(int(net.tail[obj]), t)].append(obj)
        elif kind == W:
            ws[(obj, t)] = f
        elif kind == D:
            starts.append((obj, t, f))
        else:
            ys[(obj, t)] = f
    transit = net.transit.tolist()
    head = net.head.tolist()
    groups: list[Group] = []
    for source, t0, total in sorted(starts):
        left = total
        while left > 0:
            node, t, size = source, t0, left
            route: list[tuple[int, int]] = []
            waits: list[tuple[int, int]] = []
            at = {(node, t): 0}  # node-step -> position in route (to spot cycles)
            while ys.get((node, t), 0) <= 0:
                arc = next((a for a in out_arcs.get((node, t), ()) if xs.get((a, t), 0) > 0),
                           None)
                if arc is not None:
                    size = min(size, xs[(arc, t)])
                    route.append((arc, t))
                    node, t = head[arc], t + transit[arc]
                elif ws.get((node, t), 0) > 0:
                    size = min(size, ws[(node, t)])
                    waits.append((node, t))
                    t += 1
                else:
                    raise RuntimeError(f"flow from {net.node_ids[source]} is lost at "
                                       f"{net.node_ids[node]} step {t}")
                if (node, t) in at:  # a same-step cycle over zero-transit links: cancel it
                    cycle = route[at[(node, t)]:]
                    drop = min(xs[c] for c in cycle)
                    for c in cycle:
                        xs[c] -= drop
                    break
                at[(node, t)] = len(route)
            else:
                size = min(size, ys[(node, t)])
                for a, s in route:
                    xs[(a, s)] -= size
                for v, s in waits:
                    ws[(v, s)] -= size
                ys[(node, t)] -= size
                left -= size
                arcs, departs = _unloop(net, source, route)
                groups.append(Group(source, int(net.head[arcs[-1]]) if arcs else node, size,
                                    arcs, departs))
    return groups


def _unloop(net: EvacNetwork, source: int, route: list[tuple[int, int]]
            ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Cut the loops out of a timed route: coming back to a node becomes waiting there,
    where waiting is free (at home) or unlimited (no capacity_pax)."""
    arcs = [a for a, _ in route]
    departs = [t for _, t in route]
    changed = True
    while changed:
        changed = False
        nodes = [source] + [int(net.head[a]) for a in arcs]
        seen: dict[int, int] = {}
        for j, v in enumerate(nodes):
            i = seen.get(v)
            if i is not None and (i == 0 or np.isinf(net.hold_cap[v])
                                  or j == len(nodes) - 1):
                if j == len(nodes) - 1 and i > 0:  # reached its shelter before: stop there
                    arcs, departs = arcs[:i], departs[:i]
                elif i == 0:  # came back home: leave later instead
                    arcs, departs = arcs[j:], departs[j:]
                else:
                    arcs, departs = arcs[:i] + arcs[j:], departs[:i] + departs[j:]
                changed = True
                break
            seen.setdefault(v, j)
    return tuple(arcs), tuple(departs)


@dataclass
class ExactOutcome:
    status: str  # optimal | infeasible | time_limit
    groups: list[Group] | None  # None: no LP plan (keep the heuristic's)
    egress: int  # steps of the plan returned (0: none)
    lower_bound: int
    stranded: dict[int, int]
    stats: dict[str, Any]


def quickest(
    net: EvacNetwork,
    *,
    upper: int,
    lower: int,
    all_arrive: bool,
    time_limit: float | None = None,
    say: Callable[[str], None] | None = None,
) -> ExactOutcome:
    """Minimum egress time, then minimum total evacuation time at that egress.

    ``upper``: a horizon in which everybody is known to arrive (the heuristic's egress)
    when ``all_arrive``; otherwise the horizon to maximise arrivals within.
    ``lower``: a proven lower bound.
    """
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    stats: dict[str, Any] = {"lp_solves": 0, "lp_seconds": 0.0, "variables": 0,
                             "constraints": 0, "horizons": []}

    def left() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.perf_counter())

    def note(lp: ExpandedLP, goal: str, r: LPResult) -> LPResult:
        stats["lp_solves"] += 1
        stats["lp_seconds"] += r.seconds
        stats["variables"] = max(stats["variables"], r.variables)
        stats["constraints"] = max(stats["constraints"], r.constraints)
        if say is not None:
            say(f"{goal} over {lp.ex.steps} steps: {r.status} ({r.seconds:.1f} s, "
                f"{r.variables:,} variables)")
        return r

    def run(lp: ExpandedLP, goal: str) -> LPResult:
        return note(lp, goal, lp.solve(goal, left()))

    def clean(lp: ExpandedLP, best: LPResult) -> list[Group]:
        assert best.values is not None
        return decompose(lp.ex, best.values)

    def egress_of(ex: Expanded, values: np.ndarray) -> int:
        got = (ex.kind == Y) & (values > 0.5)
        return int(ex.t[got].max()) + 1 if got.any() else 0

    if not all_arrive:
        ex = expand(net, upper)
        r = run(ExpandedLP(ex, everybody=False), "max_arrivals")
        if r.values is None:
            return ExactOutcome(_status(r), None, 0, lower, {}, stats)
        most = round(r.objective or 0.0)
        if most < net.to_move:
            # who leaves is settled by the most that can arrive; with those same
            # departures per source, minimise their total time (a network LP again)
            stats["horizons"].append((upper, "not everybody"))
            leaving = np.rint(ex.supply @ r.values)
            lp = ExpandedLP(ex, leaving=leaving)
            r = run(lp, "total_time")
            if r.values is None:
                return ExactOutcome(_status(r), None, 0, lower, {}, stats)
            groups = clean(lp, r)
            moved = np.zeros(net.n, dtype=np.int64)
            for g in groups:
                moved[g.source] += g.size
            stranded = {int(i): int(net.pop[i] - moved[i])
                        for i in np.flatnonzero(net.pop > moved)}
            return ExactOutcome("infeasible", groups, egress_of(ex, r.values), lower, stranded,
                                stats)
    best_lp = ExpandedLP(expand(net, upper))
    best = run(best_lp, "total_time")
    if best.values is None:
        return ExactOutcome(_status(best), None, 0, lower, {}, stats)
    hi = egress_of(best_lp.ex, best.values)
    lo = max(lower, 1)
    first = True
    status = "optimal"
    while lo < hi:
        mid = hi - 1 if first else (lo + hi) // 2
        first = False
        lp = ExpandedLP(expand(net, mid))
        r = run(lp, "total_time")
        stats["horizons"].append((mid, r.status))
        if r.status == "infeasible":
            lo = mid + 1
        elif r.values is not None:
            best_lp, best = lp, r
            hi = egress_of(lp.ex, r.values)
        else:
            status = "time_limit"
            break
    groups = clean(best_lp, best)
    return ExactOutcome(status, groups, hi, lo if status == "time_limit" else hi, {}, stats)


def _status(r: LPResult) -> str:
    return "time_limit" if r.status == "time_limit" else r.status
