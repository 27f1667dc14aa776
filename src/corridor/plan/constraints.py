"""One ``define_*`` function per constraint family of the plan model (docs/planner.md).

Each reads the flat :class:`~corridor.plan.structure.Structure`, builds its rows as
COO triplets and hands them to :class:`~corridor.plan.lp.LPBuilder`; ``pm.meta``
records what each row is about (fleet, link, node, step) so duals can be read back
onto the scenario's tables.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import MODE_CODE
from corridor.plan import positions
from corridor.plan.model import PlanModel
from corridor.plan.services import SINK
from corridor.plan.structure import carrier_share

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
EARLY = 0.01  # weight of a day in transit relative to a day late (earliest arrival)
NEVER_EXTRA_DAYS = 30.0  # cargo never delivered counts as this much later than the horizon
TRIP_WEIGHT = 1e-5  # every trip costs a little, so no needless trips are planned
COST_WEIGHT = 1e-4  # cost_per_km scaled so the dearest trip costs this many days
TOTAL = -2  # fleet row meta "place" of a split fleet's total (-1: pooled, else a node)
SMALL_LOAD = 0.9  # classes under this many carrier-loads get the share <= trips rows
ROLL_SPACINGS = 3  # rolling windows of 1..3 spacings of a sparse limit (factors to 1/3)


def _keys(*cols: I64) -> tuple[I64, I64]:
    """Dense row ids for the distinct tuples of ``cols``; returns (row per entry, uniques)."""
    stacked = np.stack(cols, axis=1) if cols[0].size else np.zeros((0, len(cols)), np.int64)
    uniq, inv = np.unique(stacked, axis=0, return_inverse=True)
    return inv.ravel().astype(np.int64), uniq


def xscale(pm: PlanModel, xi: I64) -> F64:
    """Flow variables are shares of their commodity: a row counting cargo units
    multiplies them by the commodity's quantity (keeps the LP well scaled)."""
    return pm.quantity[pm.st.mv_com[pm.st.x_move[xi]]]


def usage(pm: PlanModel) -> tuple[F64, F64, F64]:
    """Carrier-loads per flow variable (a share of its commodity) by kind: deck/mass
    slots, seats, litters."""
    st = pm.st
    slot, pax, lit = slot_coefficients(pm)
    q = xscale(pm, np.arange(st.n_x))
    m = st.x_move
    return slot[m] * q, pax[m] * q, lit[m] * q


def total_usage(pm: PlanModel) -> F64:
    """Carrier-loads per flow variable, all kinds together."""
    slot, pax, lit = usage(pm)
    return slot + pax + lit


def mixed_trips(pm: PlanModel) -> NDArray[np.bool_]:
    """Trips whose loads mix cargo kinds (vehicles and seats, say): they need their own
    trip variable, since a carrier takes each kind up to its own limit."""
    st = pm.st
    kinds = [np.bincount(st.x_y[st.x_y >= 0], weights=(u[st.x_y >= 0] > 0).astype(float),
                         minlength=st.n_y) > 0 for u in usage(pm)]
    return (kinds[0].astype(int) + kinds[1] + kinds[2]) > 1


def define_variables(pm: PlanModel) -> None:
    st, lp = pm.st, pm.lp
    pm.x = lp.variables("flow", st.n_x)
    pm.y_var = np.full(st.n_y, -1, dtype=np.int64)
    if pm.trips == "integer":
        # A finite bound (every carrier of the fleet, and one more for the what-if that
        # adds one, on this run at once): HiGHS's root reduced-cost fixing walks an
        # integer's whole domain, and on an unbounded one stalls the root for minutes.
        counts = pm.net.fleets.count.astype(float)
        pool = st.run_pool[st.y_run]
        top = (counts[st.pool_fleet[np.maximum(pool, 0)]] + 1.0) * st.run_per[st.y_run]
        pm.y = lp.variables("trips", st.n_y, upper=np.where(pool >= 0, top, np.inf),
                            integer=True)
        pm.y_var = pm.y
        if pm.shuttle_carriers:
            pm.wave_y = np.flatnonzero((pool >= 0) & (st.run_per[st.y_run] > 1))
            pm.waves = lp.variables("waves", len(pm.wave_y),
                                    upper=top[pm.wave_y] / st.run_per[st.y_run[pm.wave_y]],
                                    integer=True)
    else:
        mixed = np.flatnonzero(mixed_trips(pm))
        pm.y = lp.variables("trips", len(mixed))
        pm.y_var[mixed] = pm.y
    pm.h = lp.variables("hold", st.n_h)
    pm.idle = lp.variables("idle", st.n_idle)
    # carriers of a fleet split by region: how many work in each region
    pm.alloc_pool = np.flatnonzero(st.pool_split).astype(np.int64)
    pm.alloc = lp.variables("alloc", len(pm.alloc_pool), integer=pm.trips == "integer")
    pm.places = positions.layout(pm) if pm.positional else None
    if pm.places is not None:
        # carriers counted per place: a trip's carrier is free where and when it ends
        pm.idle_at = lp.variables("idle_at", pm.places.n_idle)
        pm.empty = lp.variables("empty", pm.places.n_empty)
        # on the model's own copy: a pooled model built on the same structure keeps
        # the run back to the farthest base
        pm.st = dataclasses.replace(st, run_occ=positions.free_steps(pm, pm.places))


def trip_terms(pm: PlanModel, yi: I64, val: F64) -> tuple[I64, I64, F64]:
    """Terms ``val x trips[yi]`` as (entry, column, coefficient): the trip variable when
    the run has one, else the carrier-loads of the flows on that run and step."""
    st = pm.st
    has = pm.y_var[yi] >= 0
    ent = [np.flatnonzero(has)]
    cols = [pm.y_var[yi[has]]]
    vals = [val[has]]
    agg = np.flatnonzero(~has)
    if len(agg):
        carried = np.flatnonzero(st.x_y >= 0)
        order = carried[np.argsort(st.x_y[carried], kind="stable")]
        ptr = np.zeros(st.n_y + 1, dtype=np.int64)
        np.cumsum(np.bincount(st.x_y[carried], minlength=st.n_y), out=ptr[1:])
        load = total_usage(pm)
        cnt = ptr[yi[agg] + 1] - ptr[yi[agg]]
        e = np.repeat(agg, cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        xi = order[ptr[yi[e]] + np.arange(len(e)) - first]
        ent.append(e)
        cols.append(pm.x[xi])
        vals.append(val[e] * load[xi])
    return np.concatenate(ent), np.concatenate(cols), np.concatenate(vals)


def define_origin_supply(pm: PlanModel) -> None:
    """What leaves a commodity's origin(s) is at most all of it (flows are shares)."""
    st = pm.st
    xo = np.flatnonzero(st.hold_origin[st.mv_hin[st.x_move]])
    com = st.mv_com[st.x_move[xo]]
    pm.lp.rows("origin", len(pm.coms), com, pm.x[xo], np.ones(len(xo)), "<=", 1.0)
    pm.meta["origin"] = {"com": np.arange(len(pm.coms))}


def define_depot_stock(pm: PlanModel) -> None:
    """Sustainment drawn from a depot is at most its ``storage_t`` (model.md, "Nodes":
    the stock ``supply.csv`` demand is drawn from). A movement's own cargo (its
    ``supplies_t``, equipment, people) is not depot stock: it is at its origin from its
    ready day and draws nothing from the depot, as in the simulator."""
    st, net = pm.st, pm.net
    storage = pm.scenario.nodes["storage_t"].to_numpy(dtype=float)
    xo = np.flatnonzero(st.hold_origin[st.mv_hin[st.x_move]])
    node = st.hold_node[st.mv_hin[st.x_move[xo]]]
    bulk = np.array([c.unit == "t" and c.kind == "supply" for c in pm.coms],
                    dtype=bool)[st.mv_com[st.x_move[xo]]]
    sel = bulk & np.isfinite(storage[node]) & (net.nodes.kind[node] == "depot")
    if not sel.any():
        return
    row, uniq = _keys(node[sel])
    pm.lp.rows("depot_stock", len(uniq), row, pm.x[xo[sel]], xscale(pm, xo[sel]), "<=",
               storage[uniq[:, 0]])
    pm.meta["depot_stock"] = {"node": uniq[:, 0]}


def define_flow_conservation(pm: PlanModel) -> None:
    """Per hold and grid point: stock = stock before + arrivals - departures (holding
    at transfer nodes, in shares of the commodity; the origin is bounded by
    ``define_origin_supply``)."""
    st = pm.st
    rows, cols, vals = [], [], []
    H = len(st.hold_lo)
    sizes = np.diff(st.h_off)
    hv = np.arange(st.n_h)
    hold_of = np.repeat(np.arange(H), sizes)
    first = st.gp(st.hold_lo)
    k_of = first[hold_of] + hv - st.h_off[hold_of]
    rows += [hv]
    cols += [pm.h]
    vals += [np.ones(st.n_h)]
    prev = k_of > first[hold_of]
    rows += [hv[prev]]
    cols += [pm.h[hv[prev] - 1]]
    vals += [-np.ones(int(prev.sum()))]
    hout = st.mv_hout[st.x_move]
    inn = np.flatnonzero(hout != SINK)
    arr = st.gp(st.x_t[inn] + st.mv_lag[st.x_move[inn]])
    rows += [st.h_off[hout[inn]] + arr - first[hout[inn]]]
    cols += [pm.x[inn]]
    vals += [-np.ones(len(inn))]
    hin = st.mv_hin[st.x_move]
    out = np.flatnonzero(~st.hold_origin[hin])
    wd = st.gp(st.x_t[out] - st.mv_shift[st.x_move[out]])
    rows += [st.h_off[hin[out]] + wd - first[hin[out]]]
    cols += [pm.x[out]]
    vals += [np.ones(len(out))]
    r = np.concatenate(rows)
    assert (r >= 0).all() and (r < max(st.n_h, 1)).all(), "hold window mismatch"
    pm.lp.rows("conservation", st.n_h, r, np.concatenate(cols), np.concatenate(vals), "=", 0.0)
    pm.meta["conservation"] = {"hold": hold_of, "t": k_of * st.g}


def slot_coefficients(pm: PlanModel) -> tuple[F64, F64, F64]:
    """Per move: share of one carrier a unit takes (items, bulk), per person, per patient."""
    st = pm.st
    M = len(st.mv_run)
    slot, pax, lit = np.zeros(M), np.zeros(M), np.zeros(M)
    for m in range(M):
        f = int(st.run_fleet[st.mv_run[m]])
        if f < 0:
            continue
        c = pm.coms[int(st.mv_com[m])]
        share = carrier_share(pm.net, c, f)
        if c.unit in ("item", "t"):
            slot[m] = share
        elif c.unit == "pax":
            pax[m] = share
        elif c.unit == "litter":
            lit[m] = share
    return slot, pax, lit


def define_trip_capacity(pm: PlanModel) -> None:
    """Cargo on a run at a step fits the trips planned there: deck/mass slots, seats,
    litters (per-trip capacities of docs/model.md, "Carriers"), for trips that are
    variables (in the aggregate model the others *are* their cargo's carrier-loads)."""
    st = pm.st
    carried = np.flatnonzero(st.x_y >= 0)
    for name, load in zip(("trip_slots", "trip_seats", "trip_litters"), usage(pm),
                          strict=True):
        sel = carried[load[carried] > 0]
        sel = sel[pm.y_var[st.x_y[sel]] >= 0]
        if not len(sel):
            continue
        ys = np.unique(st.x_y[sel])
        local = np.full(st.n_y, -1, dtype=np.int64)
        local[ys] = np.arange(len(ys))
        rows = np.concatenate([local[st.x_y[sel]], np.arange(len(ys))])
        cols = np.concatenate([pm.x[sel], pm.y_var[ys]])
        vals = np.concatenate([load[sel], -np.ones(len(ys))])
        pm.lp.rows(name, len(ys), rows, cols, vals, "<=", 0.0)
        pm.meta[name] = {"y": ys}


def define_trip_share(pm: PlanModel) -> None:
    """A class whose whole quantity fills less than one trip still needs a whole trip
    to move any of it: flow share <= trips (valid for whole trips, since a share is at
    most 1). Only where the class is smaller than a carrier-load, where the capacity
    rows are weaker: it stops the LP from buying 5 % of an LMSR sailing for 5 % of a
    round trip, so the bound and the rounding both improve."""
    if pm.trips != "integer":
        return
    st = pm.st
    carried = np.flatnonzero(st.x_y >= 0)
    load = total_usage(pm)[carried]
    sel = carried[(load < SMALL_LOAD) & (load > 0)]
    if not len(sel):
        return
    n = len(sel)
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([pm.x[sel], pm.y_var[st.x_y[sel]]])
    vals = np.concatenate([np.ones(n), -np.ones(n)])
    pm.lp.rows("trip_share", n, rows, cols, vals, "<=", 0.0)
    pm.meta["trip_share"] = {"y": st.x_y[sel]}


def define_fleet_cycling(pm: PlanModel) -> None:
    """Per fleet and grid point: idle carriers = idle before - trips starting + trips
    whose carrier is free again (load + travel + unload + the empty run to wherever
    the fleet loads next). A shuttle trip takes 1/run_per of a carrier. Where the
    model counts a fleet's carriers by place (:mod:`corridor.plan.positions`), its
    rows are per place instead, with the empty runs between places."""
    st = pm.st
    P = len(st.pool_fleet)
    if P == 0:
        return
    pl = pm.places
    pooled = np.ones(P, dtype=bool) if pl is None else ~pl.counted
    n_points = st.n_points
    sizes = np.diff(st.idle_off)
    iv = np.arange(st.n_idle)
    pool_of = np.repeat(np.arange(P), sizes)
    first = st.gp(st.pool_avail)
    k_of = first[pool_of] + iv - st.idle_off[pool_of]
    rows, cols, vals = [iv], [pm.idle], [np.ones(st.n_idle)]
    prev = k_of > first[pool_of]
    rows.append(iv[prev])
    cols.append(pm.idle[iv[prev] - 1])
    vals.append(-np.ones(int(prev.sum())))
    pool = st.run_pool[st.y_run]
    yall = np.flatnonzero(pooled[pool])
    back = st.gp(st.y_t + st.run_occ[st.y_run])
    ret = yall[back[yall] < n_points]
    ys = np.concatenate([yall, ret])
    r_y = np.concatenate([st.idle_off[pool[yall]] + st.gp(st.y_t[yall]) - first[pool[yall]],
                          st.idle_off[pool[ret]] + back[ret] - first[pool[ret]]])
    share = 1.0 / st.run_per[st.y_run]  # of a carrier's decision step (shuttles: < 1)
    v_y = np.concatenate([share[yall], -share[ret]])
    e, c, v = trip_terms(pm, ys, v_y)
    if len(pm.waves):  # whole carriers per shuttle run and step: its waves variable
        wave = np.full(st.n_y, -1, dtype=np.int64)
        wave[pm.wave_y] = pm.waves
        w = wave[ys[e]]
        sw = w >= 0
        c, v = np.where(sw, w, c), np.where(sw, np.sign(v), v)
    rows.append(r_y[e])
    cols.append(c)
    vals.append(v)
    rhs = np.zeros(st.n_idle)
    has = sizes > 0
    counts = pm.net.fleets.count[st.pool_fleet].astype(float)
    whole = has & ~st.pool_split
    rhs[st.idle_off[:-1][whole]] = counts[whole]
    # a pool of a split fleet starts with the carriers the model gives its region
    split = pm.alloc_pool[has[pm.alloc_pool]]
    rows.append(st.idle_off[split])
    cols.append(pm.alloc[has[pm.alloc_pool]])
    vals.append(-np.ones(len(split)))
    row, col, val = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    # pools counted by place keep no pooled row (their idle columns are left unused)
    keep = pooled[pool_of]
    renum = np.cumsum(keep) - 1
    inside = keep[row]
    row, col, val = renum[row[inside]], col[inside], val[inside]
    meta = {"pool": pool_of[keep], "t": k_of[keep] * st.g,
            "place": np.full(int(keep.sum()), -1, dtype=np.int64)}
    rhs = rhs[keep]
    if pl is not None:
        r2, c2, v2, rhs2, p2, t2, n2 = positions.rows(pm, pl, pm.idle_at, pm.empty)
        row = np.concatenate([row, r2 + len(rhs)])
        col, val = np.concatenate([col, c2]), np.concatenate([val, v2])
        rhs = np.concatenate([rhs, rhs2])
        meta = {"pool": np.concatenate([meta["pool"], p2]),
                "t": np.concatenate([meta["t"], t2]),
                "place": np.concatenate([meta["place"], n2])}
    if len(pm.alloc_pool):
        # per split fleet: its regions' carriers add up to the fleet (the row a what-if
        # with one more carrier raises, first of the fleet's rows: changes.rows_of)
        fleets, which = np.unique(st.pool_fleet[pm.alloc_pool], return_inverse=True)
        n = len(fleets)
        row = np.concatenate([which.ravel(), row + n])
        col, val = np.concatenate([pm.alloc, col]), np.concatenate([np.ones(len(which)), val])
        rhs = np.concatenate([pm.net.fleets.count[fleets].astype(float), rhs])
        lead = pm.alloc_pool[np.unique(which, return_index=True)[1]]
        meta = {"pool": np.concatenate([lead, meta["pool"]]),
                "t": np.concatenate([st.gp(st.pool_avail[lead]) * st.g, meta["t"]]),
                "place": np.concatenate([np.full(n, TOTAL, dtype=np.int64), meta["place"]])}
    pm.lp.rows("fleet", len(rhs), row, col, val, "=", rhs)
    pm.meta["fleet"] = meta


def define_shuttle_waves(pm: PlanModel) -> None:
    """The exact MIP's whole carriers per shuttle run and step: trips <= run_per x
    waves (the waves are what its fleet rows count, see define_fleet_cycling)."""
    st, n = pm.st, len(pm.wave_y)
    if not n:
        return
    pm.lp.rows("shuttle_waves", n, np.concatenate([np.arange(n), np.arange(n)]),
               np.concatenate([pm.y_var[pm.wave_y], pm.waves]),
               np.concatenate([np.ones(n), -st.run_per[st.y_run[pm.wave_y]]]), "<=", 0.0)
    pm.meta["shuttle_waves"] = {"pool": st.run_pool[st.y_run[pm.wave_y]],
                                "t": st.y_t[pm.wave_y]}


def _block_rows(pm: PlanModel, name: str, obj: I64, step: I64, col: I64, val: F64,
                per_step: F64, factor_of: object, meta_key: str) -> None:
    """Rows ``sum over a block of g steps <= per-step capacity x factor`` for cargo."""
    st = pm.st
    T, g = st.grid.steps, st.g
    inside = step < T
    obj, step, col, val = obj[inside], step[inside], col[inside], val[inside]
    if not len(obj):
        return
    row, uniq = _keys(obj, step // g)
    uo, ub = uniq[:, 0], uniq[:, 1]
    rhs = np.zeros(len(uo))
    for j in range(g):
        s = ub * g + j
        ins = s < T
        rhs[ins] += per_step[uo[ins]] * factor_of(uo[ins], s[ins])  # type: ignore[operator]
    pm.lp.rows(name, len(uo), row, col, val, "<=", rhs)
    pm.meta[name] = {meta_key: uo, "t": ub * g}


def _day_window(per_step: F64, steps_per_day: float, g: int) -> I64:
    """Steps a whole-trip limit is counted over: a day (a multiple of the decision
    grid), or as long as it takes to allow one departure."""
    day = max(1, round(steps_per_day))
    need = np.maximum(day, np.ceil(1.0 / np.maximum(per_step, 1e-9) - 1e-9))
    return (g * np.ceil(need / g)).astype(np.int64)


def _windowed_rows(pm: PlanModel, name: str, obj: I64, step: I64, yi: I64,
                   per_step: F64, factor_of: object, meta_key: str) -> None:
    """Whole-trip limits: per day (``floor`` of the day's capacity) and, when decisions
    are finer than a day, per decision step too (``ceil`` of the step's share), so that
    8 departures a day are 2 every 6 h and 9 a day are at most 3 in any 6 h. A limit of
    less than one a decision step is a spacing, as the simulator books it (a path every
    3 h for 8 a day): at most one in any window as long as that spacing (rolling, from
    every grid point), so 8 a day at 1 h steps cannot all leave in one 8-hour burst."""
    st = pm.st
    T, g = st.grid.steps, st.g
    keep = step < T
    obj, step, yi = obj[keep], step[keep], yi[keep]
    if not len(obj):
        return
    w_day = _day_window(per_step, st.grid.steps_per_day, g)
    sparse = per_step * g < 1.0 - 1e-9  # fewer than one per decision step
    # rolling window of a sparse limit: the multiple of g that holds one spacing
    w_roll = (g * np.ceil(np.ceil(1.0 / np.maximum(per_step, 1e-9) - 1e-9) / g)).astype(np.int64)
    parts = []
    for kind, m in (("step", 1), *(("roll", k) for k in range(1, ROLL_SPACINGS + 1)),
                    ("day", 1)):
        if kind == "day":
            w, sel = w_day, np.ones(len(obj), dtype=bool)
        elif kind == "step":
            w = np.full(len(per_step), g, dtype=np.int64)
            sel = (w_day[obj] > g) & ~sparse[obj]
        else:  # windows of m spacings: a capacity factor of 1/m spaces them m times wider
            w = w_roll * m
            sel = (w_day[obj] > g) & sparse[obj] & ((m == 1) | (w[obj] < w_day[obj]))
        if not sel.any():
            continue
        o, s0, y0 = obj[sel], step[sel], yi[sel]
        if kind == "roll":  # each entry is in every window starting at a grid point
            n = w[o] // g   # at or before it and reaching past it
            e = np.repeat(np.arange(len(o)), n)
            k = (s0[e] // g) - (np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n))
            ok = k >= 0
            o, blk, y0 = o[e][ok], k[ok], y0[e][ok]
        else:
            blk = s0 // w[o]
        row, uniq = _keys(o, blk)
        uo, ub = uniq[:, 0], uniq[:, 1]
        first = ub * g if kind == "roll" else ub * w[uo]
        fsum = np.zeros(len(uo))
        for j in range(int(w[uo].max())):
            s = first + j
            inside = (j < w[uo]) & (s < T)
            fsum[inside] += factor_of(uo[inside], s[inside])  # type: ignore[operator]
        parts.append((row, y0, uo, first, fsum, kind, w[uo]))
    offset = 0
    rows, ys, objs, ts, fs, kinds, widths = [], [], [], [], [], [], []
    for row, y, uo, t, fsum, kind, wide in parts:
        rows.append(row + offset)
        ys.append(y)
        objs.append(uo)
        ts.append(t)
        fs.append(fsum)
        kinds.append(np.full(len(uo), kind))
        widths.append(wide)
        offset += len(uo)
    row, yi2 = np.concatenate(rows), np.concatenate(ys)
    uo, fsum, kind_rows = np.concatenate(objs), np.concatenate(fs), np.concatenate(kinds)
    short_rows = kind_rows != "day"
    rolling = kind_rows == "roll"
    width: F64 = np.concatenate(widths).astype(np.float64)
    rhs = window_capacity(per_step[uo], fsum, short_rows, rolling, width, g)
    e, c, v = trip_terms(pm, yi2, np.ones(len(yi2)))
    pm.lp.rows(name, len(uo), row[e], c, v, "<=", rhs)
    pm.meta[name] = {meta_key: uo, "t": np.concatenate(ts), "fsum": fsum,
                     "short": short_rows, "rolling": rolling, "width": width}
    pm.trip_rows[name] = (row, yi2, rhs)


def window_capacity(per_step: F64, fsum: F64, short: NDArray[np.bool_],
                    rolling: NDArray[np.bool_], width: F64, g: int) -> F64:
    """Whole departures a window allows: rounded up within a decision step (a limit of
    2.25 per step lets a third train go), down over a day (9 a day is 9). A rolling
    window of ``width`` steps under a sparse limit holds departures at its grid points
    spaced by the (disrupted) rate: ``floor((width - g) x rate) + 1`` while it is open
    at all (3 h spacing: one in any 3 h, two in any 6 h)."""
    cap = per_step * fsum
    rate = cap / np.maximum(width, 1.0)  # departures per step, factors averaged
    spaced = np.where(fsum > 1e-9, np.floor((width - g) * rate + 1e-6) + 1.0, 0.0)
    return np.where(rolling, spaced,
                    np.where(short, np.ceil(cap - 1e-6), np.floor(cap + 1e-6)))


def define_link_departures(pm: PlanModel) -> None:
    """Carrier departures entering an arc per step (or window) within
    ``capacity_per_day`` of its link, scaled by disruptions."""
    st, net = pm.st, pm.net
    cap = net.arcs.capacity_per_day
    finite = np.isfinite(cap[st.run_arc])
    if not finite.any() or not st.n_y:
        return
    # Expand each trip variable over the capped arcs of its run.
    cnt = np.diff(st.run_arc_ptr)[st.y_run]
    yi_a = np.repeat(np.arange(st.n_y), cnt)
    first = np.repeat(np.cumsum(cnt) - cnt, cnt)
    aj_a = st.run_arc_ptr[st.y_run[yi_a]] + np.arange(len(yi_a)) - first
    keep = finite[aj_a]
    yi_a, aj_a = yi_a[keep], aj_a[keep]
    if not len(yi_a):
        return
    arcs = st.run_arc[aj_a]
    step = st.y_t[yi_a] + st.run_arc_off[aj_a]
    per_step = cap * st.grid.share_of_day()
    per_step = np.where(np.isfinite(per_step), per_step, 0.0)
    _windowed_rows(pm, "link_departures", arcs, step, yi_a, per_step, pm.factors.arcs_at,
                   "arc")


def define_march_flow(pm: PlanModel) -> None:
    """Self-moving vehicles entering an arc per step within ``flow_per_h`` x step."""
    st, net = pm.st, pm.net
    flow = net.arcs.flow_per_h
    march = np.flatnonzero(st.x_y < 0)
    if not len(march) or not np.isfinite(flow[st.run_arc]).any():
        return
    run = st.mv_run[st.x_move[march]]
    cnt = np.diff(st.run_arc_ptr)[run]
    xi = np.repeat(march, cnt)
    first = np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = st.run_arc_ptr[np.repeat(run, cnt)] + np.arange(len(xi)) - first
    arcs = st.run_arc[j]
    keep = np.isfinite(flow[arcs])
    xi, j, arcs = xi[keep], j[keep], arcs[keep]
    step = st.x_t[xi] + st.run_arc_off[j]
    per_step = np.where(np.isfinite(flow), flow, 0.0) * st.grid.step_h
    _block_rows(pm, "march_flow", arcs, step, pm.x[xi], xscale(pm, xi), per_step,
                pm.factors.arcs_at, "arc")


def handling_hours(pm: PlanModel, run: I64) -> tuple[F64, F64]:
    """Loading and unloading hours of each run in ``run`` (services.handled_h)."""
    runs = pm.services.runs
    load = np.array([r.load_h for r in runs], dtype=float)
    unload = np.array([r.unload_h for r in runs], dtype=float)
    return load[run], unload[run]


def unload_step(pm: PlanModel, run: I64, t: I64) -> I64:
    """Step in which a trip departing at ``t`` reaches the node it unloads at: its visit
    there begins then, as the simulator books it (a ship in at 24 h visits on day 1,
    not day 0)."""
    st = pm.st
    at_h = t * st.grid.step_h + st.run_hours[run] - handling_hours(pm, run)[1]
    return np.minimum(np.floor(at_h / st.grid.step_h + 1e-9).astype(np.int64),
                      st.grid.steps - 1)


def _spread(start_h: F64, hours: F64, step_h: float) -> tuple[I64, I64, F64]:
    """Spread each activity [start_h, start_h + hours) over the steps it overlaps:
    (entry, step, share). A zero-length activity falls in the step it starts in."""
    first = np.floor(start_h / step_h + 1e-9).astype(np.int64)
    n = np.maximum(1, np.ceil((start_h + hours) / step_h - 1e-9).astype(np.int64) - first)
    e = np.repeat(np.arange(len(start_h)), n)
    k = np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n)
    step = first[e] + k
    lo = np.maximum(step * step_h, start_h[e])
    hi = np.minimum((step + 1) * step_h, start_h[e] + hours[e])
    share = np.where(hours[e] > 0, np.clip(hi - lo, 0.0, None) / np.maximum(hours[e], 1e-12),
                     1.0)
    return e, step, share


def define_node_handling(pm: PlanModel) -> None:
    """Tonnes loaded + unloaded at a node per step within ``handling_t_per_day``;
    loading takes the carrier's ``load_h`` from departure, unloading its ``unload_h``
    before arrival (longer where the node needs longer for a full load,
    :func:`~corridor.plan.services.handled_h`), and the tonnes are spread over those
    hours."""
    st = pm.st
    cap = pm.scenario.nodes["handling_t_per_day"].to_numpy(dtype=float)
    carried = np.flatnonzero(st.x_y >= 0)
    if not len(carried) or not np.isfinite(cap).any():
        return
    run = st.mv_run[st.x_move[carried]]
    load_h, unload_h = handling_hours(pm, run)
    dep = st.x_t[carried] * st.grid.step_h
    arr = dep + st.run_hours[run]
    start = np.concatenate([dep, arr - unload_h])
    hours = np.concatenate([load_h, unload_h])
    node = np.concatenate([st.run_start[run], st.run_end[run]])
    xi = np.concatenate([carried, carried])
    mass = np.array([c.mass_t for c in pm.coms])[st.mv_com[st.x_move[xi]]] * xscale(pm, xi)
    keep = np.isfinite(cap[node]) & (mass > 0)
    if not keep.any():
        return
    e, step, share = _spread(start[keep], hours[keep], st.grid.step_h)
    per_step = np.where(np.isfinite(cap), cap, 0.0) * st.grid.share_of_day()
    _block_rows(pm, "node_handling", node[keep][e], step, pm.x[xi[keep][e]],
                mass[keep][e] * share, per_step, pm.factors.nodes_at, "node")


def define_node_visits(pm: PlanModel) -> None:
    """Carrier visits (a loaded trip: one where it loads, one where it unloads) per
    node and mode within ``rail_per_day`` / ``sea_per_day`` / ``air_per_day``."""
    st, net = pm.st, pm.net
    if not st.n_y:
        return
    nodes = pm.scenario.nodes
    mode = net.fleets.mode[st.run_fleet[st.y_run]]
    for col, m in (("rail_per_day", "rail"), ("sea_per_day", "sea"), ("air_per_day", "air")):
        cap = nodes[col].to_numpy(dtype=float)
        sel = np.flatnonzero(mode == MODE_CODE[m])
        if not len(sel) or not np.isfinite(cap).any():
            continue
        run = st.y_run[sel]
        node = np.concatenate([st.run_start[run], st.run_end[run]])
        step = np.concatenate([st.y_t[sel], unload_step(pm, run, st.y_t[sel])])
        yi = np.concatenate([sel, sel])
        keep = np.isfinite(cap[node])
        if not keep.any():
            continue
        per_step = np.where(np.isfinite(cap), cap, 0.0) * st.grid.share_of_day()
        _windowed_rows(pm, f"node_visits_{m}", node[keep], step[keep], yi[keep], per_step,
                       pm.factors.nodes_at, "node")


def define_transshipment(pm: PlanModel) -> None:
    """Tonnes changing rail gauge at a station: transshipped at most
    ``transship_t_per_day`` (× the disruption factor) per decision step, only once
    they are there, and onward trains take only tonnes already transshipped, which
    may wait on the new gauge for a later train. Per station and grid point ``k``:
    ``z_k`` tonnes transshipped over the step (the ``transshipment`` rows: ``z_k <=``
    capacity), ``u_k >= 0`` tonnes there not yet transshipped (arrivals into the holds
    the gauge-change moves leave from, less what leaves them on the same gauge, less
    ``z``), ``p_k >= 0`` transshipped tonnes still waiting after the departures at
    ``k`` (``p_k = p_{k-1} + z_{k-1} - departures_k``: a train departing at ``k`` takes
    what was transshipped by then)."""
    st = pm.st
    ts_m = st.mv_ts[st.x_move]
    dep = np.flatnonzero((ts_m >= 0) & (st.x_t < st.grid.steps))
    if not len(dep):
        return
    K, g = st.n_points, st.g
    mass = np.array([c.mass_t for c in pm.coms])
    tonnes = mass[st.mv_com[st.x_move]] * xscale(pm, np.arange(st.n_x))
    # the station of each hold that gauge-change moves leave from
    moves = np.flatnonzero(st.mv_ts >= 0)
    station_of_hold = np.full(len(st.hold_com), -1, dtype=np.int64)
    station_of_hold[st.mv_hin[moves]] = st.mv_ts[moves]
    stations = np.unique(st.mv_ts[moves])
    S = len(stations)
    sidx = np.full(max(int(stations.max()) + 1, 1), -1, dtype=np.int64)
    sidx[stations] = np.arange(S)
    z = pm.lp.variables("transship_z", S * K)
    u = pm.lp.variables("transship_u", S * K)
    pv = pm.lp.variables("transship_p", S * K)
    kk = np.tile(np.arange(K), S)
    ss = np.repeat(np.arange(S), K)
    prev = kk > 0
    # capacity: z_k <= per-step capacity x factor, summed over the grid step
    cap = pm.net.nodes.transship_t_per_day * st.grid.share_of_day()
    rhs = np.zeros(S * K)
    for j in range(g):
        step = kk * g + j
        ins = step < st.grid.steps
        rhs[ins] += cap[stations[ss[ins]]] * pm.factors.nodes_at(stations[ss[ins]], step[ins])
    pm.lp.rows("transshipment", S * K, np.arange(S * K), z, np.ones(S * K), "<=", rhs)
    pm.meta["transshipment"] = {"node": stations[ss], "t": kk * g}
    # not yet transshipped: u_k - u_{k-1} + z_k + same-gauge departures_k - arrivals_k
    #   = cargo starting at the station by k (an origin there)
    rows: list[I64] = [np.arange(S * K), np.flatnonzero(prev), np.arange(S * K)]
    cols: list[I64] = [u, u[np.flatnonzero(prev) - 1], z]
    vals: list[F64] = [np.ones(S * K), -np.ones(int(prev.sum())), np.ones(S * K)]
    hout = st.mv_hout[st.x_move]
    inn = np.flatnonzero((hout != SINK) & (station_of_hold[np.where(hout != SINK, hout, 0)] >= 0))
    arr = st.gp(st.x_t[inn] + st.mv_lag[st.x_move[inn]])
    ok = arr < K
    inn, arr = inn[ok], arr[ok]
    rows.append(sidx[station_of_hold[hout[inn]]] * K + arr)
    cols.append(pm.x[inn])
    vals.append(-tonnes[inn])
    hin = st.mv_hin[st.x_move]
    same = np.flatnonzero((station_of_hold[hin] >= 0) & (ts_m < 0) & (st.x_t < st.grid.steps))
    rows.append(sidx[station_of_hold[hin[same]]] * K + st.gp(st.x_t[same]))
    cols.append(pm.x[same])
    vals.append(tonnes[same])
    start = np.zeros(S * K)  # cargo whose origin is the station: there from its ready day
    for h in np.flatnonzero(st.hold_origin & (station_of_hold >= 0)):
        k0 = int(st.gp(st.hold_lo[h]))
        if k0 < K:
            c = int(st.hold_com[h])
            start[sidx[station_of_hold[h]] * K + k0] += mass[c] * pm.quantity[c]
    pm.lp.rows("transship_waiting", S * K, np.concatenate(rows), np.concatenate(cols),
               np.concatenate(vals), "=", start)
    # transshipped, waiting for a train: p_k - p_{k-1} - z_{k-1} + departures_k = 0
    rows = [np.arange(S * K), np.flatnonzero(prev), np.flatnonzero(prev)]
    cols = [pv, pv[np.flatnonzero(prev) - 1], z[np.flatnonzero(prev) - 1]]
    vals = [np.ones(S * K), -np.ones(int(prev.sum())), -np.ones(int(prev.sum()))]
    rows.append(sidx[ts_m[dep]] * K + st.gp(st.x_t[dep]))
    cols.append(pm.x[dep])
    vals.append(tonnes[dep])
    pm.lp.rows("transship_ready", S * K, np.concatenate(rows), np.concatenate(cols),
               np.concatenate(vals), "=", 0.0)


def lateness_cost(pm: PlanModel, com: I64, arrive_day: F64) -> F64:
    """Days late, plus a small weight on days in transit (earliest arrival)."""
    due = np.array([c.due_day for c in pm.coms])[com]
    ready = np.array([c.ready_day for c in pm.coms])[com]
    return np.maximum(0.0, arrive_day - due) + EARLY * np.maximum(0.0, arrive_day - ready)


def define_objective(pm: PlanModel) -> None:
    """Priority-weighted lateness first, then earliest arrival, then cost: each unit
    delivered earns back what it would cost if it never came (docs/planner.md)."""
    st, lp = pm.st, pm.lp
    C = len(pm.coms)
    never_day = st.grid.horizon_days + NEVER_EXTRA_DAYS
    coms = np.arange(C)
    pm.cost_never = lateness_cost(pm, coms, np.full(C, never_day))
    weight = np.array([c.weight for c in pm.coms])
    lp.offset = float((weight * pm.cost_never).sum())
    sink = np.flatnonzero(st.mv_hout[st.x_move] == SINK)
    com = st.mv_com[st.x_move[sink]]
    arr = (st.x_t[sink] * st.grid.step_h + st.run_hours[st.mv_run[st.x_move[sink]]]) / 24.0
    gain = (lateness_cost(pm, com, arr) - pm.cost_never[com]) * weight[com]
    lp.cost(pm.x[sink], gain)
    if st.n_y:
        f = st.run_fleet[st.y_run]
        trip_cost = pm.scenario.carriers["cost_per_km"].to_numpy(dtype=float)[f] * \
            st.run_km[st.y_run]
        top = float(trip_cost.max()) if len(trip_cost) and trip_cost.max() > 0 else 1.0
        w = pm.trip_scale * (TRIP_WEIGHT + COST_WEIGHT * trip_cost / top)
        _, c, v = trip_terms(pm, np.arange(st.n_y), w)
        lp.cost(c, v)
    if len(pm.empty):  # an empty run costs a tenth of a trip: none driven for nothing
        lp.cost(pm.empty, np.full(len(pm.empty), 0.1 * pm.trip_scale * TRIP_WEIGHT))


FAMILIES = (
    define_variables,
    define_origin_supply,
    define_depot_stock,
    define_flow_conservation,
    define_trip_capacity,
    define_trip_share,
    define_fleet_cycling,
    define_shuttle_waves,
    define_link_departures,
    define_march_flow,
    define_node_handling,
    define_node_visits,
    define_transshipment,
    define_objective,
)
