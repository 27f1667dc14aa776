"""Whole trips from an LP: round the carrier-loads of the LP plan to whole trips, in
departure order, run by run, carrying what a rounded-down trip leaves behind to the
run's next departure (cargo waits for the next train rather than being lost), and
never beyond a free carrier or any departure, berth or ramp limit. The cargo flows
are then re-solved with the trips fixed (:mod:`corridor.plan.engine`), so the rounded
plan is feasible by construction; its objective against the LP bound is the gap."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.plan.model import PlanModel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
SLACK = 1e-6
# Where a carrier is free over a trip's whole time — beside the trips already rounded
# and the LP's trips still to come — its trip is rounded up (free); where the fleet is
# saturated, to the nearest whole trip, the remainder carried to the run's next
# departure: always rounding up wastes up to a carrier per run and day, which a
# saturated fleet (120 PLS trucks on supply runs) pays for in cargo left undelivered.
# The balance is kept as trips are rounded, so what nearest rounding leaves idle on a
# saturated fleet goes to the next trip that needs a carrier there.
ROUND_UP = 0.5  # a half carrier-load or more gets its trip; less waits for the next one


def held(trips: float | F64, per: int | I64) -> F64:
    """Whole carriers ``trips`` on one run and step hold: a shuttle's carriers each make
    up to ``per`` trips in the step (``ceil(trips / per)`` carriers, as the plan's waves
    run them), other trips a carrier each. The fleet rows count 1/per of a carrier a
    trip, which lets two shuttle runs share a carrier within a step; the waves do not,
    so the rounding books whole carriers (5 trips at 2 a step: 3 carriers, not 2.5)."""
    return np.ceil(np.asarray(trips, dtype=float) / per - SLACK)


def carriers_fit(pm: PlanModel, trips: F64, counts: F64) -> bool:
    """Whether the whole trips ``trips`` hold no more carriers of any pool, at any grid
    point, than it has (``counts``), shuttles booked as :func:`held` books them."""
    st = pm.st
    on = np.flatnonzero((trips > 0) & (st.run_pool[st.y_run] >= 0))
    if not len(on):
        return True
    n_points = st.n_points
    pool = st.run_pool[st.y_run[on]]
    a = st.gp(st.y_t[on])
    b = np.minimum(st.gp(st.y_t[on] + st.run_occ[st.y_run[on]]), n_points)
    busy = _over_time(len(st.pool_fleet), n_points, pool, a, b,
                      held(trips[on], st.run_per[st.y_run[on]]))
    return bool((busy <= counts[:, None] + SLACK).all())


def _over_time(n_pools: int, n_points: int, pool: I64, start: I64, back: I64,
               amount: F64) -> F64:
    """Carriers held per pool and grid point (0..n_points) by ``amount`` each from
    ``start`` to before ``back``."""
    diff = np.zeros((n_pools, n_points + 2))
    np.add.at(diff, (pool, start), amount)
    np.add.at(diff, (pool, back), -amount)
    return np.cumsum(diff, axis=1)[:, :n_points + 1]


def round_trips(pm: PlanModel, loads: F64, todo: NDArray[np.bool_] | None = None,
                given: F64 | None = None, counts: F64 | None = None,
                rhs_override: dict[str, F64] | None = None, plan: F64 | None = None) -> F64:
    """Whole trips per trip index (run, step) from fractional carrier-loads, for the
    trips in ``todo`` (default all); ``given`` holds trips already decided (they take
    their carriers and slots first). ``counts``: carriers per pool (default: its
    fleet's; a fleet split by region has the whole number the caller gave each region).
    ``rhs_override`` (family -> capacities) is a what-if change (verification).
    ``plan`` holds the LP's carrier-loads of every trip: where they leave a carrier of
    the fleet free over a trip's time its fraction is rounded up, else to the nearest
    (without it, always up)."""
    st = pm.st
    n = st.n_y
    out = np.zeros(n) if given is None else given.copy()
    if not n:
        return out
    todo = np.ones(n, dtype=bool) if todo is None else todo
    if counts is None:
        counts = pm.net.fleets.count[st.pool_fleet].astype(float)
    n_points = st.n_points
    busy = np.zeros((len(st.pool_fleet), n_points + 1))
    start = st.gp(st.y_t)
    back = np.minimum(st.gp(st.y_t + st.run_occ[st.y_run]), n_points)
    pool = st.run_pool[st.y_run]
    per = st.run_per[st.y_run]
    share = 1.0 / per  # of a carrier (shuttles make several trips a step)
    # carriers the LP's trips not yet rounded hold, per pool and grid point: this
    # call's trips (released one by one as they are rounded) and the later ones
    ahead = np.full((len(st.pool_fleet), n_points + 1), -np.inf)
    if plan is not None:
        lp = np.where(todo, loads, plan)
        if given is not None:
            lp = np.where(~todo & (given > 0), 0.0, lp)  # decided: in ``busy`` below
        ok = (pool >= 0) & (lp > 0)
        ahead = _over_time(len(st.pool_fleet), n_points, pool[ok], start[ok], back[ok],
                           lp[ok] * share[ok])
    # the whole-trip rows each trip is in
    row_ids: list[I64] = []
    row_rhs: list[F64] = []
    member: list[tuple[I64, I64]] = []
    offset = 0
    for name, (rows, yi, rhs) in pm.trip_rows.items():
        rhs = (rhs_override or {}).get(name, rhs)
        member.append((yi, rows + offset))
        row_rhs.append(rhs)
        offset += len(rhs)
        row_ids.append(rows)
    used = np.zeros(offset)
    rhs_all = np.concatenate(row_rhs) if row_rhs else np.zeros(0)
    ys = np.concatenate([m[0] for m in member]) if member else np.zeros(0, np.int64)
    rs = np.concatenate([m[1] for m in member]) if member else np.zeros(0, np.int64)
    order_m = np.argsort(ys, kind="stable")
    ys, rs = ys[order_m], rs[order_m]
    ptr = np.searchsorted(ys, np.arange(n + 1))
    for y in np.flatnonzero(~todo & (out > 0)):  # decided trips hold their carriers first
        rows = rs[ptr[y]:ptr[y + 1]]
        busy[pool[y], start[y]:back[y]] += held(out[y], per[y])
        used[rows] += out[y]
    debt = np.zeros(len(st.run_fleet))
    order = np.flatnonzero(todo)
    order = order[np.lexsort((st.y_run[order], st.y_t[order]))]
    last = np.zeros(len(st.run_fleet), dtype=np.int64) - 1
    last[st.y_run[order]] = order  # the run's last departure takes whatever is left
    for y in order:
        r = st.y_run[y]
        p, a, b = pool[y], start[y], back[y]
        ahead[p, a:b] -= loads[y] * share[y]  # the LP's trip y is being rounded now
        want = loads[y] + debt[r]
        if want <= SLACK:
            debt[r] = max(want, 0.0)
            continue
        rows = rs[ptr[y]:ptr[y + 1]]
        free = counts[p] - busy[p, a:b].max() if b > a else counts[p]
        room = (rhs_all[rows] - used[rows]).min() if len(rows) else np.inf
        up = np.ceil(want - SLACK)
        roomy = b <= a or counts[p] - (busy[p, a:b] + ahead[p, a:b]).max() \
            >= held(up, per[y]) - SLACK
        target = up if last[r] == y or roomy else np.floor(want + 1.0 - ROUND_UP)
        k = max(0.0, min(float(target), np.floor(free + SLACK) * per[y],
                         np.floor(room + SLACK)))
        debt[r] = want - k
        if k <= 0:
            continue
        out[y] = k
        busy[p, a:b] += held(k, per[y])
        used[rows] += k
    return out
