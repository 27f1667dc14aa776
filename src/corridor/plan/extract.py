"""Reading a solution back into the planner's language: closures, flows, arrivals, trips,
and each carrier's own schedule (so anyone can check a trip starts where its carrier
is)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.graph import MODES
from corridor.plan.commodities import Group
from corridor.plan.constraints import slot_coefficients
from corridor.plan.model import PlanModel
from corridor.plan.services import SINK

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TOL = 1e-6  # flows below this (in cargo units) are solver noise


@dataclass
class Solution:
    x: F64  # per flow variable
    y: F64  # per trip variable (rounded)
    delivered: F64  # per commodity
    closure: F64  # per commodity: day the last unit arrives (nan: not all arrive)
    last_arrival: F64  # per commodity: day the last delivered unit arrives (nan: none)


def read_solution(pm: PlanModel, values: F64) -> Solution:
    st = pm.st
    x = np.maximum(values[pm.x], 0.0) * pm.quantity[st.mv_com[st.x_move]] if st.n_x \
        else np.zeros(0)
    x[x < TOL] = 0.0
    y: F64
    if pm.trips == "integer":
        y = np.round(values[pm.y_var]).astype(float) if st.n_y else np.zeros(0)
    else:  # carrier-loads of the flows (fractional), or the run's own trip variable
        from corridor.plan.constraints import total_usage

        load = total_usage(pm) * np.maximum(values[pm.x], 0.0)
        carried = st.x_y >= 0
        y = np.bincount(st.x_y[carried], weights=load[carried],
                        minlength=st.n_y).astype(float)
        own = pm.y_var >= 0
        y[own] = values[pm.y_var[own]]
    C = len(pm.coms)
    sink = np.flatnonzero((st.mv_hout[st.x_move] == SINK) & (x > 0))
    com = st.mv_com[st.x_move[sink]]
    arr = (st.x_t[sink] * st.grid.step_h + st.run_hours[st.mv_run[st.x_move[sink]]]) / 24.0
    delivered = np.bincount(com, weights=x[sink], minlength=C).astype(float)
    last = np.full(C, -np.inf)
    np.maximum.at(last, com, arr)
    last = np.where(np.isfinite(last), last, np.nan)
    q = pm.quantity
    done = delivered >= q * (1 - 1e-6) - TOL
    closure = np.where(done, np.where(q > 0, last, 0.0), np.nan).astype(float)
    return Solution(x, y.astype(float), delivered, closure, last.astype(float))


def group_closures(pm: PlanModel, sol: Solution) -> pd.DataFrame:
    """Per movement and supply row: closure, lateness, share arrived; ``chunks`` lists a
    supply row's due-dated chunks (:func:`supply_chunks`; empty for a movement). A supply
    row closes when its last chunk does, and is as late as its latest chunk."""
    rows = []
    for g in pm.groups:
        cs = list(g.commodities)
        chunks = supply_chunks(pm, sol, g) if g.kind == "supply" else []
        if not cs:
            clo = np.nan
            share = 0.0
        else:
            c = np.array([ch["closure_day"] for ch in chunks], dtype=float) if chunks \
                else sol.closure[cs]
            clo = float(np.max(c)) if not np.isnan(c).any() else np.nan
            q = pm.quantity[cs]
            sw = np.array([pm.coms[i].share_weight for i in cs])
            share = float((sw * np.minimum(1.0, sol.delivered[cs] / np.maximum(q, 1e-12))).sum()
                          / max(sw.sum(), 1e-12))
        if np.isnan(clo):
            late = np.nan
        elif chunks:
            late = max(float(ch["late_days"]) for ch in chunks)
        else:
            late = max(0.0, clo - g.due_day)
        rows.append({"id": g.id, "kind": g.kind, "due_day": g.due_day, "closure_day": clo,
                     "late_days": late, "share_arrived": share if cs else 0.0,
                     "priority": g.priority, "chunks": chunks})
    cols = ["id", "kind", "due_day", "closure_day", "late_days", "share_arrived", "priority",
            "chunks"]
    return pd.DataFrame(rows, columns=cols).set_index("id")  # columns: none may move


def chunks_of(closures: pd.DataFrame, gid: str) -> list[dict[str, Any]]:
    """The ``chunks`` a :func:`group_closures` frame lists for ``gid`` (empty for a
    movement, and for a frame without the column)."""
    if "chunks" not in closures.columns:
        return []
    return cast(list[dict[str, Any]], closures.at[gid, "chunks"])


def supply_chunks(pm: PlanModel, sol: Solution, g: Group) -> list[dict[str, Any]]:
    """The due-dated chunks a supply row's demand is planned in (``commodities.py``):
    each is needed from its due day, the day its consumption starts, which is also its
    ``ready_day`` as a demand. Its stock may arrive earlier (the depot's stock is there
    from day 0: pre-positioned), but the chunk closes when it is both in and needed —
    ``max(last tonne in, due day)`` — never before it is ready; ``late_days`` is
    ``closure_day - due_day``. ``closure_day`` is None where not all of it arrives."""
    out: list[dict[str, Any]] = []
    for i in g.commodities:
        c = pm.coms[i]
        last = float(sol.closure[i])
        clo = None if np.isnan(last) else max(last, c.due_day)
        out.append({"id": f"{g.id}/{c.label}", "supply": g.id,
                    "ready_day": c.due_day, "due_day": c.due_day, "closure_day": clo,
                    "late_days": None if clo is None else max(0.0, clo - c.due_day),
                    "t": float(c.quantity), "arrived_t": float(sol.delivered[i]),
                    "share_arrived": float(min(1.0, sol.delivered[i]
                                               / max(c.quantity, 1e-12)))})
    return out


def arrivals(pm: PlanModel, sol: Solution) -> pd.DataFrame:
    """Cumulative share of each movement (and supply row) arrived, per arrival time."""
    st = pm.st
    sink = np.flatnonzero((st.mv_hout[st.x_move] == SINK) & (sol.x > 0))
    com = st.mv_com[st.x_move[sink]]
    day = (st.x_t[sink] * st.grid.step_h + st.run_hours[st.mv_run[st.x_move[sink]]]) / 24.0
    group_of = np.zeros(len(pm.coms), dtype=np.int64)
    for gi, g in enumerate(pm.groups):
        group_of[list(g.commodities)] = gi
    sw = np.array([c.share_weight for c in pm.coms])
    share = sol.x[sink] / np.maximum(pm.quantity[com], 1e-12) * sw[com]
    frame = pd.DataFrame({"g": group_of[com], "day": np.round(day, 6), "share": share})
    frame = frame.groupby(["g", "day"], as_index=False).agg(share=("share", "sum"))
    frame = frame.sort_values(by=["g", "day"])
    frame["share"] = frame.groupby("g")["share"].cumsum().clip(upper=1.0)
    ids = np.array([g.id for g in pm.groups], dtype=object)
    return pd.DataFrame({"movement": ids[frame["g"].to_numpy()] if len(frame) else [],
                         "day": frame["day"].to_numpy(), "share": frame["share"].to_numpy()})


def _usage(pm: PlanModel, sol: Solution) -> F64:
    """Share of its trips each carried flow variable takes (for attributing trips)."""
    st = pm.st
    slot, pax, lit = slot_coefficients(pm)
    m = st.x_move
    u = np.maximum(np.maximum(slot[m], pax[m]), lit[m]) * sol.x
    carried = st.x_y >= 0
    tot = np.bincount(st.x_y[carried], weights=u[carried], minlength=st.n_y)
    out = np.zeros(st.n_x)
    ok = carried & (u > 0)
    out[ok] = u[ok] / np.maximum(tot[st.x_y[ok]], 1e-12) * sol.y[st.x_y[ok]]
    return out


def riders(pm: PlanModel) -> F64:
    """People per unit riding in the seats of each commodity's self-moving vehicles
    (0 for every other commodity). A movement's people up to the seats of its
    self-moving vehicles ride with them (docs/planner.md, "Cargo classes": only the rest
    are a people class of their own), shared over its self-moving classes by seats."""
    out = np.zeros(len(pm.coms))
    mv = pm.scenario.movements
    if "pax" not in mv.columns:
        return out
    pax_of = dict(zip(mv.index.astype(str), mv["pax"].to_numpy(dtype=float), strict=True))
    for g in pm.groups:
        if g.kind != "movement" or g.id not in pax_of:
            continue
        own = [i for i in g.commodities if pm.coms[i].unit == "item"
               and pm.coms[i].cls.self_moving and pm.coms[i].cls.seats > 0]
        seats = float(sum(pm.coms[i].cls.seats for i in own))
        if seats <= 0:
            continue
        riding = min(pax_of[g.id], seats)
        for i in own:
            c = pm.coms[i]
            out[i] = riding * c.cls.seats / seats / max(c.quantity, 1e-12)
    return out


def _pieces(pm: PlanModel, sol: Solution, sel: I64) -> tuple[I64, F64, F64]:
    """Each flow in ``sel`` split over the departures that carry it: (flow, share of
    it, departure hour). A flow on a carrier run goes with its trip's waves as
    :func:`waves` (and trips.parquet) lists them, each wave taking its share of the
    step's trips (one wave, all of it, for a run that is not a shuttle); a road march,
    or a flow without trips, is one piece leaving at its step (a shuttle's: with the
    step's last wave, when the model counts it as arriving)."""
    st = pm.st
    w = waves(pm, sol)
    y = st.x_y[sel]
    has = y >= 0
    lo = np.where(has, np.searchsorted(w.y, np.where(has, y, 0), side="left"), 0)
    hi = np.where(has, np.searchsorted(w.y, np.where(has, y, 0), side="right"), 0)
    n_w = hi - lo
    cnt = np.maximum(n_w, 1)
    piece = np.repeat(np.arange(len(sel)), cnt)
    k = np.arange(len(piece)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    waved = n_w[piece] > 0
    wi = lo[piece] + k
    share = np.ones(len(piece))
    dep = st.x_t[sel][piece] * st.grid.step_h \
        + st.run_wave_h[st.mv_run[st.x_move[sel]]][piece]
    if waved.any():
        wk = wi[waved]
        share[waved] = w.trips[wk] / np.round(sol.y[w.y[wk]])  # the waves' trips add up
        dep[waved] = w.depart_h[wk]
    return piece, share, dep


def flows(pm: PlanModel, sol: Solution) -> pd.DataFrame:
    """One row per leg (arc) of every flow in the plan, and per wave of a shuttle step
    (the wave's share of the step's trips: its trips, tonnes and people; its departure
    and arrival, as trips.parquet lists the wave). ``pax`` counts people riding in the
    seats of self-moving vehicles with those vehicles (:func:`riders`)."""
    st, net = pm.st, pm.net
    sel = np.flatnonzero(sol.x > 0)
    cols = ["movement", "cargo_class", "link", "from", "to", "mode", "carrier", "depart_day",
            "arrive_day", "trips", "t", "pax", "m2", "items"]
    if not len(sel):
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("movement", "cargo_class",
                             "link", "from", "to", "mode", "carrier", "items") else float)
                             for c in cols})
    piece, share, dep0 = _pieces(pm, sol, sel)
    trips = _usage(pm, sol)[sel][piece] * share
    run = st.mv_run[st.x_move[sel]][piece]
    com = st.mv_com[st.x_move[sel]][piece]
    cnt = np.diff(st.run_arc_ptr)[run]
    xi = np.repeat(np.arange(len(piece)), cnt)
    first = np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = st.run_arc_ptr[run[xi]] + np.arange(len(xi)) - first
    arc = st.run_arc[j]
    fleet = st.run_fleet[run[xi]]
    # a scenario with no carriers at all may still march (speed_kmh is then empty)
    fleet_speed = np.append(net.fleets.speed_kmh, np.nan)
    speed = np.where(fleet >= 0, fleet_speed[np.where(fleet >= 0, fleet, -1)], np.nan)
    march = np.array([pm.services.runs[r].march for r in run[xi]])
    hours = np.where(fleet >= 0, net.arcs.km[arc] / np.minimum(speed, net.arcs.speed_kmh[arc]),
                     net.arcs.km[arc] / np.maximum(march, 1e-9) * 24.0)
    entry = np.array([h for r in run for h in pm.services.runs[int(r)].entry_h])
    dep = dep0[xi] + entry
    amount = (sol.x[sel][piece] * share)[xi]
    coms = pm.coms
    mass = np.array([c.mass_t for c in coms])[com[xi]]
    area = np.array([c.area_m2 for c in coms])[com[xi]]
    people = (np.array([c.pax for c in coms]) + riders(pm))[com[xi]]
    items = [json.dumps({k: round(v * a, 4) for k, v in coms[c].items.items()}, sort_keys=True)
             if coms[c].items else "{}" for c, a in zip(com[xi], amount, strict=True)]
    fleet_ids = np.append(net.fleets.ids.astype(object), "")
    return pd.DataFrame({
        "movement": [pm.groups_of[c] for c in com[xi]],
        "cargo_class": [coms[c].label for c in com[xi]],
        "link": net.link_ids[net.arcs.link[arc]],
        "from": net.nodes.ids[net.arcs.src[arc]],
        "to": net.nodes.ids[net.arcs.dst[arc]],
        "mode": np.array(MODES, dtype=object)[net.arcs.mode[arc]],
        "carrier": fleet_ids[np.where(fleet >= 0, fleet, len(fleet_ids) - 1)],
        "depart_day": dep / 24.0,
        "arrive_day": (dep + hours) / 24.0,
        "trips": trips[xi],
        "t": amount * mass,
        "pax": amount * people,
        "m2": amount * area,
        "items": items,
    })


class Waves(NamedTuple):
    """The plan's trips as departures (one row per trip index, or per wave)."""

    y: I64  # trip index (run, step)
    depart_h: F64
    trips: I64
    arrive_h: F64  # unloaded
    back_day: F64  # the carriers are free again


def waves(pm: PlanModel, sol: Solution) -> Waves:
    """The plan's trips as departures. A shuttle run's trips in a decision step leave
    in waves a round trip apart, each with as few carriers as the step's trips need;
    other trips leave at their step and keep their carriers ``run_occ`` steps."""
    st = pm.st
    sel = np.flatnonzero(sol.y > 0)
    n = np.round(sol.y[sel]).astype(np.int64)
    width = -(-n // st.run_per[st.y_run[sel]])  # carriers per wave
    count = -(-n // width)
    ys = np.repeat(sel, count)
    j = np.arange(len(ys)) - np.repeat(np.cumsum(count) - count, count)
    k = np.minimum(np.repeat(width, count), np.repeat(n, count) - j * np.repeat(width, count))
    r = st.y_run[ys]
    shuttle = st.run_per[r] > 1
    cycle = np.where(shuttle, st.run_cycle_h[r], 0.0)  # finite for shuttles
    dep_h = st.y_t[ys] * st.grid.step_h + j * cycle
    # a wave is back when the next one leaves: the same sum, so the same float (dep_h +
    # cycle can be an ulp later, and the carriers then read as in the air twice)
    back_h = st.y_t[ys] * st.grid.step_h + (j + 1) * cycle
    back = np.where(shuttle, back_h / 24.0, st.grid.day(st.y_t[ys] + st.run_occ[r]))
    return Waves(ys, dep_h, k, dep_h + st.run_loaded_h[r], back)


def trips(pm: PlanModel, sol: Solution) -> pd.DataFrame:
    """Carrier trips per run and departure (shuttles: per wave), with each leg's link,
    start node and the day the carriers enter it (to check departure limits per link
    and day)."""
    st, net = pm.st, pm.net
    w = waves(pm, sol)
    run = st.y_run[w.y]
    legs = [st.run_arc[st.run_arc_ptr[r]:st.run_arc_ptr[r + 1]] for r in run]
    entry = [np.asarray(pm.services.runs[int(r)].entry_h) for r in run]
    return pd.DataFrame({
        "fleet": net.fleets.ids[st.run_fleet[run]].astype(str),
        "from": net.nodes.ids[st.run_start[run]].astype(str),
        "to": net.nodes.ids[st.run_end[run]].astype(str),
        "links": [";".join(str(net.link_ids[net.arcs.link[a]]) for a in arcs) for arcs in legs],
        "leg_links": [[str(net.link_ids[net.arcs.link[a]]) for a in arcs] for arcs in legs],
        "leg_from": [[str(net.nodes.ids[net.arcs.src[a]]) for a in arcs] for arcs in legs],
        "leg_enter_day": [list((d + e) / 24.0) for d, e in zip(w.depart_h, entry,
                                                                 strict=True)],
        "depart_day": w.depart_h / 24.0,
        "arrive_day": w.arrive_h / 24.0,
        "back_day": w.back_day,
        "trips": w.trips.astype(int),
        "km": st.run_km[run],
    })


def carrier_schedule(pm: PlanModel, sol: Solution) -> pd.DataFrame:
    """Each carrier's trips, with where it is between them. A carrier leaves home at
    the fleet's available day, drives empty to its first loading place, and after each
    trip drives empty to the next one. Trips go to carriers by a minimum-weight
    bipartite matching (:func:`_chain`: trip j may follow trip i when i's carrier, free
    where i ends, can drive to where j starts by j's departure; fewest carriers from
    home, then least empty driving): wherever the plan's trips can be run by the fleet
    at all, every trip then starts where its carrier is, on time (the model counts the
    empty runs, so they can). A fleet with more trips than
    ``MATCH_LIMIT``, or a plan no assignment covers, is assigned greedily (the carrier
    that can be there soonest)."""
    st, net = pm.st, pm.net
    fl = net.fleets
    fa = pm.services.fleet_arcs
    assert fa is not None
    rows = []
    w = waves(pm, sol)
    counts = pool_counts(pm, pm.solution_values)
    first_id = np.zeros(len(st.pool_fleet), dtype=np.int64)  # a split fleet numbers on
    for p in range(1, len(st.pool_fleet)):
        if st.pool_fleet[p] == st.pool_fleet[p - 1]:
            first_id[p] = first_id[p - 1] + int(counts[p - 1])
    for p in range(len(st.pool_fleet)):
        f = int(st.pool_fleet[p])
        mine = np.flatnonzero(st.run_pool[st.y_run[w.y]] == p)
        if not len(mine):
            continue
        mine = mine[np.lexsort((st.y_run[w.y[mine]], w.depart_h[mine]))]
        unit = np.repeat(mine, w.trips[mine].astype(np.int64))  # one per carrier trip
        if not len(unit):
            continue
        run = st.y_run[w.y[unit]]
        s0, s1 = st.run_start[run].astype(np.int64), st.run_end[run].astype(np.int64)
        dep, arr = w.depart_h[unit].astype(float), w.arrive_h[unit].astype(float)
        home = int(fl.home[f])
        n = int(counts[p])
        avail = float(fl.available_day[f]) * 24.0
        places = np.unique(np.concatenate([s0, s1, [home]]))
        hours = fa.distances(f, list(places))[:, places]  # place x place
        at = {int(v): i for i, v in enumerate(places)}
        i0 = np.array([at[int(v)] for v in s0])
        i1 = np.array([at[int(v)] for v in s1])
        carrier = _chain(dep, arr, hours[i1][:, i0], hours[at[home]][i0], n, avail) \
            if len(unit) <= MATCH_LIMIT else None
        if carrier is None:
            carrier = _greedy(dep, arr, hours, i0, i1, at[home], n, avail)
        free_h = np.full(n, avail)
        where = np.full(n, home)
        for k in range(len(unit)):
            c = int(carrier[k])
            reach = free_h[c] + hours[at[int(where[c])], i0[k]]
            empty = ";".join(str(net.link_ids[net.arcs.link[a]])
                             for a in fa.path(f, int(where[c]), int(s0[k])))
            rows.append((str(fl.ids[f]), int(first_id[p]) + c + 1, str(net.nodes.ids[where[c]]),
                         float(free_h[c] / 24.0), str(net.nodes.ids[s0[k]]),
                         str(net.nodes.ids[s1[k]]), dep[k] / 24.0, arr[k] / 24.0,
                         float(w.back_day[unit[k]]), bool(reach <= dep[k] + 1e-6), empty))
            free_h[c] = arr[k]
            where[c] = int(s1[k])
    return pd.DataFrame(rows, columns=["fleet", "carrier", "was_at", "free_day", "from", "to",
                                       "depart_day", "arrive_day", "busy_until_day",
                                       "on_time", "empty_links"])


def pool_counts(pm: PlanModel, values: F64) -> F64:
    """Carriers per pool: the fleet's, or for a fleet split by region the plan's whole
    number in that region."""
    st = pm.st
    out = pm.net.fleets.count[st.pool_fleet].astype(float)
    if len(pm.alloc) and len(values):
        out[pm.alloc_pool] = np.round(np.maximum(values[pm.alloc], 0.0))
    return out


MATCH_LIMIT = 2000  # carrier trips of a fleet assigned by matching (n² pairs to weigh)
NEW_CARRIER_H = 1e4  # a carrier taken from home weighs more than any empty driving


def _chain(dep: F64, arr: F64, between: F64, from_home: F64, count: int, avail: float
           ) -> I64 | None:
    """Carrier of each trip (sorted by departure) such that every trip starts where its
    carrier is, in time: a path cover of the trips by at most ``count`` carriers, as a
    minimum-weight bipartite matching (each trip matched to the trip or the fresh
    carrier before it) that takes as few carriers from home as it can, then drives
    empty as little as it can (any maximum matching would send a fresh truck from home
    to a trip where one already stands). ``between[i, j]``: hours from where trip i
    ends to where trip j starts; ``from_home[j]``: from home. None when no assignment
    covers every trip."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    n = len(dep)
    fresh = min(count, n)  # more carriers than trips: the rest stay home
    if fresh <= 0:
        return None
    follow = (arr[:, None] + between <= dep[None, :] + 1e-6)  # trip i, then trip j
    np.fill_diagonal(follow, False)
    start = avail + from_home <= dep + 1e-6
    edge = np.vstack([np.repeat(start[None, :], fresh, axis=0), follow])
    hours = np.vstack([np.repeat((from_home + NEW_CARRIER_H)[None, :], fresh, axis=0),
                       np.where(follow, between, 0.0)])
    weight = np.where(edge, np.nan_to_num(hours, posinf=0.0) + 1.0, 0.0)  # 0: no edge
    try:
        rows, cols = min_weight_full_bipartite_matching(csr_array(weight))
    except ValueError:  # no assignment covers every trip
        return None
    match = np.full(fresh + n, -1, dtype=np.int64)
    match[rows] = cols
    carrier = np.full(n, -1, dtype=np.int64)
    for c in range(fresh):
        j = int(match[c])
        while j >= 0 and carrier[j] < 0:
            carrier[j] = c
            j = int(match[fresh + j])
    return carrier if (carrier >= 0).all() else None


def _greedy(dep: F64, arr: F64, hours: F64, i0: I64, i1: I64, home: int, count: int,
            avail: float) -> I64:
    """Each trip in departure order to the carrier that can be at its start soonest
    (among those in time, else the soonest of all)."""
    free_h = np.full(count, avail)
    where = np.full(count, home)
    out = np.zeros(len(dep), dtype=np.int64)
    for k in range(len(dep)):
        reach = free_h + hours[where, i0[k]]
        ok = np.flatnonzero(reach <= dep[k] + 1e-6)
        c = int(ok[np.argmin(reach[ok])]) if len(ok) else int(np.argmin(reach))
        out[k] = c
        free_h[c] = arr[k]
        where[c] = i1[k]
    return out
