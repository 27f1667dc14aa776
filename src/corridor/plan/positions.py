"""Where each carrier is: fleet rows by place, for models small enough to afford them.

The pooled fleet rows (:func:`corridor.plan.constraints.define_fleet_cycling`) keep a
carrier busy after each trip for the empty run to the farthest place its fleet loads
at, so a free carrier can start its next trip anywhere. That is always feasible but
pessimistic: a truck that carries A→B and then, already at B, B→C is held for the run
back to A first, and a 7 h trip of a fleet loading at places 40 h apart holds its
carrier for 47 h. Here each pool's idle carriers are counted per *place* instead (its
home, the places its trips start and end), a trip moves its carrier from its start to
its end, and empty runs between places are variables of their own, taking the fleet's
travel time. A carrier is then free where and when its trip ends: every trip still
starts where its carrier is (docs/planner.md, "Time").

Only pools whose trips start at two places or more are counted by place: a fleet that
always loads at one place is exact pooled (its trip and the run back are one duration,
rounded up to whole steps once; by place each would be rounded up on its own). It
costs one idle variable per pool, place and grid point and one empty-run variable
per pool, pair of places and grid point, so the MIP of a small instance
(:class:`corridor.plan.engine.ExactEngine`) uses it when the empty runs fit in
``BUDGET``; larger models keep the pooled rows, which the rounding of relax-and-fix
relies on (rounding a trip down never makes the rest infeasible there; with places it
could strand a carrier that a later trip needs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.plan.model import PlanModel

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
BUDGET = 20_000  # empty-run variables (pools x pairs of places x grid points)


@dataclass
class Places:
    """Idle carriers per (pool, place, grid point) and the empty runs between places,
    for the pools counted by place (``counted``)."""

    counted: NDArray[np.bool_]  # per pool: counted by place (else it keeps the pooled rows)
    off: I64  # per pool: first idle index; idle (p, i, k) = off[p] + i * span[p] + k - first[p]
    first: I64  # per pool: first grid point (available day)
    span: I64  # per pool: grid points from ``first`` to the horizon (0 if pooled)
    places: list[I64]  # per pool: node of each place, home first (empty if pooled)
    idle_pool: I64  # per idle variable
    idle_node: I64
    idle_k: I64
    empty_pool: I64  # per empty-run variable: pool, from and to place (index), grid point
    empty_from: I64
    empty_to: I64
    empty_k: I64
    empty_lag: I64  # grid points the empty run takes

    @property
    def n_idle(self) -> int:
        return len(self.idle_pool)

    @property
    def n_empty(self) -> int:
        return len(self.empty_pool)

    def index(self, pool: I64, place: I64, k: I64) -> I64:
        return self.off[pool] + place * self.span[pool] + k - self.first[pool]


def free_steps(pm: PlanModel, pl: Places) -> I64:
    """Steps after its departure a trip's carrier is free again: for a pool counted by
    place, where the trip ends (load, travel, unload); else, and for a shuttle (it runs
    its waves and is back at its start), the pooled occupancy."""
    st = pm.st
    own = st.grid.lag(st.run_hours)
    by_place = (st.run_pool >= 0) & pl.counted[np.maximum(st.run_pool, 0)] \
        & (st.run_per <= 1)
    return np.where(by_place, own, st.run_occ).astype(np.int64)


def layout(pm: PlanModel, budget: int = BUDGET) -> Places | None:
    """The places of every pool whose trips start at two places or more, or None when
    there is none or the empty runs exceed ``budget``."""
    st, net = pm.st, pm.net
    fa = pm.services.fleet_arcs
    P = len(st.pool_fleet)
    if fa is None or not P:
        return None
    n_points = st.n_points
    first = st.gp(st.pool_avail).astype(np.int64)
    span = np.zeros(P, dtype=np.int64)
    counted = np.zeros(P, dtype=bool)
    shuttle = st.run_per > 1
    places: list[I64] = [np.zeros(0, np.int64)] * P
    pairs: list[tuple[int, I64, I64, I64]] = []  # pool, from, to (indices), lag
    n_empty = 0
    for p, f in enumerate(st.pool_fleet):
        runs = np.flatnonzero(st.run_pool == p)
        starts = {int(n) for n in st.run_start[runs]}
        if len(starts) < 2 or st.pool_split[p]:
            continue  # one place, or a region of a fleet split by region
        if shuttle[runs].any():
            continue  # a shuttle is booked for its step, as pooled: it would only lose
        home = int(net.fleets.home[f])
        ends = {int(n) for n in st.run_end[runs]}
        nodes = np.array([home, *sorted((starts | ends) - {home})], dtype=np.int64)
        hours = fa.distances(int(f), list(nodes))[:, nodes]  # place x place
        if not _never_later(pm, int(f), runs, nodes, hours, np.isin(nodes, list(starts))):
            continue
        counted[p] = True
        places[p] = nodes
        span[p] = max(n_points - int(first[p]), 0)
        a, b = np.nonzero(np.isfinite(hours) & np.isin(nodes, list(starts))[None, :])
        keep = a != b
        a, b = a[keep], b[keep]
        lag = np.maximum(-(-st.grid.lag(hours[a, b]) // st.g), 1).astype(np.int64)
        pairs.append((p, a.astype(np.int64), b.astype(np.int64), lag))
        n_empty += int(np.maximum(span[p] - lag, 0).sum())
        if n_empty > budget:
            return None
    if not pairs:
        return None
    sizes = np.array([len(pl) for pl in places], dtype=np.int64) * span
    off = np.zeros(P + 1, dtype=np.int64)
    np.cumsum(sizes, out=off[1:])
    idle_pool = np.repeat(np.arange(P), sizes)
    pos = np.arange(int(off[-1])) - off[idle_pool]
    width = np.maximum(span[idle_pool], 1)
    idle_k = first[idle_pool] + pos % width
    idle_node = np.concatenate([np.repeat(places[p], span[p]) for p in range(P)]
                               ).astype(np.int64)  # place-major within each pool
    ep, ea, eb, ek, el = [], [], [], [], []
    for p, a, b, lag in pairs:
        n = np.maximum(span[p] - lag, 0)  # the empty run arrives before the horizon
        ep.append(np.full(int(n.sum()), p, dtype=np.int64))
        ea.append(np.repeat(a, n))
        eb.append(np.repeat(b, n))
        el.append(np.repeat(lag, n))
        ek.append(first[p] + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    return Places(counted, off[:-1], first, span, places, idle_pool, idle_node, idle_k,
                  *(np.concatenate(v).astype(np.int64) for v in (ep, ea, eb, ek, el)))


def _never_later(pm: PlanModel, f: int, runs: I64, nodes: I64, hours: F64,
                 is_start: NDArray[np.bool_]) -> bool:
    """Whether counting by place lets every carrier of the pool start any next trip no
    later than the pooled rows do. By place the trip and the empty run after it are
    each rounded up to whole steps; pooled, the trip and the run back to the farthest
    base are rounded up once: at 6 h steps a 2 h trip and a 2 h run back take one step
    pooled but two by place. The same for the first run from home on the available
    day."""
    st, grid = pm.st, pm.st.grid
    at = {int(v): i for i, v in enumerate(nodes)}
    end = np.array([at[int(v)] for v in st.run_end[runs]], dtype=np.int64)
    d = hours[end][:, is_start]  # run end -> each start
    ret = st.run_return_h[runs]
    h = st.run_hours[runs]
    big = float(grid.steps + 1) * grid.step_h
    by_place = grid.lag(h)[:, None] + grid.lag(np.where(np.isfinite(d), d, big))
    pooled = grid.lag(np.where(np.isfinite(ret), h + ret, 2 * big))[:, None]
    if (by_place > pooled).any():
        return False
    t0 = float(pm.net.fleets.available_day[f]) * 24.0
    dh = hours[0][is_start]
    dh = dh[np.isfinite(dh)]
    return all(grid.step_at(t0) + int(grid.lag(x)) <= grid.step_at(t0 + float(x)) for x in dh)


def rows(pm: PlanModel, pl: Places, idle: I64, empty: I64
         ) -> tuple[I64, I64, F64, F64, I64, I64, I64]:
    """Per pool counted by place, place and grid point: idle = idle before − trips
    starting here + trips ending here (their carriers free) − empty runs leaving + empty
    runs arriving; the fleet's carriers appear at its home on its available day (the
    pool's first row, the one a what-if with one more carrier raises). Returns the
    terms (row, column, value), the right-hand sides and each row's pool, step and
    place, for :func:`corridor.plan.constraints.define_fleet_cycling` to add."""
    from corridor.plan.constraints import trip_terms  # constraints imports this module

    st = pm.st
    n = pl.n_idle
    iv = np.arange(n)
    rr, cc, vv = [iv], [idle], [np.ones(n)]
    prev = pl.idle_k > pl.first[pl.idle_pool]
    rr.append(iv[prev])
    cc.append(idle[iv[prev] - 1])
    vv.append(-np.ones(int(prev.sum())))
    pool = st.run_pool[st.y_run]
    ys = np.flatnonzero((pool >= 0) & pl.counted[np.maximum(pool, 0)])
    p = pool[ys]
    run = st.y_run[ys]
    share = 1.0 / st.run_per[run]
    start_i = _place_index(pl, p, st.run_start[run])
    end_i = _place_index(pl, p, np.where(st.run_per[run] > 1, st.run_start[run],
                                         st.run_end[run]))
    free = st.gp(st.y_t[ys] + st.run_occ[run])
    back = free < pl.first[p] + pl.span[p]
    yy = np.concatenate([ys, ys[back]])
    r_y = np.concatenate([pl.index(p, start_i, st.gp(st.y_t[ys])),
                          pl.index(p[back], end_i[back], free[back])])
    e, c, v = trip_terms(pm, yy, np.concatenate([share, -share[back]]))
    rr.append(r_y[e])
    cc.append(c)
    vv.append(v)
    if pl.n_empty:
        rr.append(pl.index(pl.empty_pool, pl.empty_from, pl.empty_k))
        cc.append(empty)
        vv.append(np.ones(pl.n_empty))
        rr.append(pl.index(pl.empty_pool, pl.empty_to, pl.empty_k + pl.empty_lag))
        cc.append(empty)
        vv.append(-np.ones(pl.n_empty))
    rhs = np.zeros(n)
    has = np.flatnonzero(pl.span > 0)
    rhs[pl.off[has]] = pm.net.fleets.count[st.pool_fleet[has]].astype(float)
    return (np.concatenate(rr), np.concatenate(cc), np.concatenate(vv), rhs, pl.idle_pool,
            pl.idle_k * st.g, pl.idle_node)


def _place_index(pl: Places, pool: I64, node: I64) -> I64:
    out = np.empty(len(pool), dtype=np.int64)
    for q in np.unique(pool):
        m = pool == q
        nodes = pl.places[int(q)]
        order = np.argsort(nodes)
        out[m] = order[np.searchsorted(nodes[order], node[m])]
    return out
