# cython: annotation_typing=False
"""Carriers that load, travel, unload and return; convoys that drive themselves.

A trip's timeline is worked out in one go when the carrier starts loading, arc by
arc, against the booking calendars (:mod:`corridor.sim.slots`) of the resources it
passes: the node's visits per day and tonnes handled per day where it loads and
unloads, each arc's departure slots (``capacity_per_day``), closures and loss risk.
Only the end of the trip (or the loss) becomes an event.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from corridor.sim.model import N_MODES
from corridor.sim.slots import take, take_work
from corridor.sim.state import calendar

if TYPE_CHECKING:
    from corridor.sim.disruptions import Profile
    from corridor.sim.engine import Run

INF = math.inf


def node_gate(run: Run, node: int, mode: int, t: float) -> float:
    """When a carrier of ``mode`` arriving at ``t`` gets a visit slot at ``node``."""
    k = node * N_MODES + mode
    dt = run.visit_dt[k]
    st = run.st
    prof = st.node_prof[node]
    if not dt:
        return t if prof is None else prof.next_open(t)
    return take(calendar(st.visit_slots, k), prof, t, dt)


def handle(run: Run, node: int, tonnes: float, t: float) -> float:
    """When ``tonnes`` handled at ``node`` from ``t`` are done (node handling limit):
    at the node's capacity factor of the time, paused while the node is closed."""
    dt = run.handling_dt[node]
    if not dt or tonnes <= 0:
        return t
    st = run.st
    return take_work(calendar(st.handling_slots, node), st.node_prof[node], t, tonnes * dt)


def transship(run: Run, node: int, tonnes: float, t: float) -> float:
    """When ``tonnes`` arriving at ``t`` are through the gauge-change station at ``node``:
    at the node's capacity factor of the time, paused while the node is closed (a
    disruption of the node closes its transshipment, model.md "Disruptions")."""
    dt = run.transship_dt[node]
    if not dt:
        return t
    st = run.st
    return take_work(calendar(st.transship_slots, node), st.node_prof[node], t, tonnes * dt)


def arc_gate(run: Run, arc: int, t: float) -> float:
    """When a carrier ready at ``t`` may enter ``arc``: open and a departure slot free."""
    dt = run.slot_dt[arc]
    prof = run.st.arc_prof[arc]
    if not dt:
        return t if prof is None else prof.next_open(t)
    return take(run.st.arc_cal[arc], prof, t, dt)  # type: ignore[arg-type]


# A carrier's way over a chain of arcs, built once per model and fleet
# (:meth:`corridor.sim.engine.Shared.way`): arcs, their days, km, total days, whether
# every arc is plain (no slots, closures or threats), the steps (arc, days, what
# crossing it costs: PLAIN, SLOTTED (departure slots only) or GATED (a disruption
# profile), days per departure slot) and the chance of a breakdown on the way (-1:
# none is drawn).
Way = tuple[tuple[int, ...], tuple[float, ...], float, float, bool,
            tuple[tuple[int, float, int, float], ...], float]
PLAIN, SLOTTED, GATED = 0, 1, 2
_SLOTTED, _GATED = SLOTTED, GATED  # C constants for the hot loop (carriers.pxd)


def travel(run: Run, way: Way, t: float, mode: int) -> tuple[float, int]:
    """Drive ``way`` from ``t``; returns (arrival, -1) or, if the carrier is lost, (time
    of loss, arc). Arcs without slots, closures or threats cost one addition.

    The hottest code of a run: the travel-time multiplier is drawn from its buffer
    here, without a call."""
    mu = run.mult
    st = run.st
    if mu.spread[mode]:
        buf = mu.buf[mode]
        mult = buf.pop() if buf else mu.refill(mode).pop()
    else:
        mult = 1.0
    if way[4]:
        t += way[3] * mult
    else:
        cal = st.arc_cal
        for a, d, k, dt in way[5]:
            if k == _SLOTTED:
                sl = cal[a]  # a Slots in carriers.pxd: book is a C call when compiled
                t = sl.book(t, dt)  # type: ignore[union-attr]
            elif k == _GATED:  # arc_gate, then the risk of loss
                prof: Profile = st.arc_prof[a]  # type: ignore[assignment]  # gated: has one
                t = take(cal[a], prof, t, dt) if dt else prof.next_open(t)  # type: ignore[arg-type]
                if t == INF:
                    return INF, -1
                # at risk from entry to exit: a threat opening on the way counts
                p = prof.loss_over(t, t + d * mult)
                if p > 0.0 and st.draws.uniform() < p:
                    # lost halfway through the part of the crossing at that risk
                    s = prof.risk_from(t, t + d * mult)
                    return s + 0.5 * (t + d * mult - s), a
            t += d * mult
    p_break = way[6]
    if p_break >= 0.0 and st.draws.uniform() < p_break:
        t += st.draws.exponential(run.repair_d[mode])
    return t, -1


def start_trip(run: Run, c: int, t: float) -> None:
    """Carrier ``c`` is at its lane's start with its load: load, travel, unload."""
    st = run.st
    lane = st.lane_of[c]
    f = st.fleet_of[c]
    mode = run.fleet_mode[f]
    load = st.load[c]  # stays aboard until unloaded (FREE)
    mu = run.mult
    h = mu.handling
    spread = mu.spread[h]
    src = run.lane_src[lane]
    if run.gated[src * N_MODES + mode]:
        tonnes = run.load_tonnes(load)
        t = node_gate(run, src, mode, t)
        end = t + run.load_d[f] * mu.handling_time()
        done = handle(run, src, tonnes, t)
        t = end if end > done else done
    elif spread:  # mu.handling_time(), written out
        buf = mu.buf[h]
        t += run.load_d[f] * (buf.pop() if buf else mu.refill(h).pop())
    else:
        t += run.load_d[f]
    way = run.lane_ways[lane].get(f)
    if way is None:
        way = run.lane_way(lane, f)
    t, lost_arc = travel(run, way, t, mode)
    st.trips += 1
    if lost_arc >= 0:
        st.lost_loads.append((load, lost_arc))
        st.load[c] = []
        run.kernel.at(t, run.K_LOST, c, len(st.lost_loads) - 1)
        return
    if t == INF:  # closed for good: the carrier and its cargo stay on the way
        return
    dst = run.lane_dst[lane]
    if run.gated[dst * N_MODES + mode]:
        tonnes = run.load_tonnes(load)
        t = node_gate(run, dst, mode, t)
        end = t + run.unload_d[f] * mu.handling_time()
        done = handle(run, dst, tonnes, t)
        t = end if end > done else done
    elif spread:
        buf = mu.buf[h]
        t += run.unload_d[f] * (buf.pop() if buf else mu.refill(h).pop())
    else:
        t += run.unload_d[f]
    run.kernel.at(t, run.K_FREE, c, dst)


def reposition(run: Run, c: int, to: int, t: float, kind: int, then_load: bool = False
               ) -> float:
    """Send carrier ``c`` empty to node ``to``: event ``kind`` fires on arrival (AT to
    fetch its reserved load, BACK to return where its lane starts), or, with
    ``then_load``, its loaded trip is worked out on from the arrival at once. A
    reserved load goes back to the waiting pool if the carrier never comes. Returns
    when it arrives (inf: never, lost or stuck), so a plan's call knows whether it is
    there in time."""
    st = run.st
    f = st.fleet_of[c]
    way = run.shared.path_ways.get((st.pos[c], f, to))
    if way is None:
        way = run.path_way(f, st.pos[c], to)
    t, lost_arc = travel(run, way, t, run.fleet_mode[f])
    if lost_arc >= 0:
        run.unreserve(c)
        st.lost_loads.append(([], lost_arc))
        run.kernel.at(t, run.K_LOST, c, len(st.lost_loads) - 1)
        return INF
    if t == INF:
        run.unreserve(c)
    elif then_load:
        start_trip(run, c, t)
    else:
        run.kernel.at(t, kind, c, to)
    return t


def march(run: Run, s: int, n: float, t: float) -> None:
    """``n`` self-moving vehicles of stage ``s`` drive their lane as one convoy.

    The head enters each arc when it is open and its ``flow_per_h`` clock allows; the
    tail follows ``n`` vehicle gaps later. The convoy has arrived when its tail has."""
    m, st = run.model, run.st
    lane = run.stage_lane[s]
    speed = run.shared.stage_march[s]
    mult = run.mult.travel_of(run.road)
    head = tail = t
    for a in m.lane_arcs[lane]:
        prof = st.arc_prof[a]
        dt = run.flow_dt[a]
        if dt:  # the convoy enters at the arc's flow rate: n vehicle gaps
            head = take(calendar(st.flow_slots, a), prof, head, n * dt)
            factor = prof.factor_at(head) if prof is not None and head < INF else 1.0
            tail = max(tail, head + (n - 1) * dt / factor)
        elif prof is not None:
            head = prof.next_open(head)
            tail = max(tail, head)
        d = run.arc_km[a] / speed * mult
        head += d
        tail += d
    if tail < INF:  # on from the stage's end when the tail is in (events in time order)
        run.kernel.at(tail, run.K_MARCHED, s, st.parcel(n))
    else:
        st.stuck.append((s, n))

