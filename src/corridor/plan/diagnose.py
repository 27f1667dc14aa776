"""Why a movement cannot close inside the horizon — found, not guessed.

Three passes, per cargo class that falls short:

1. no route at all: the router's own diagnosis (it relaxes one rule at a time: MLC,
   gauge, carrier fit, fleet availability, closed links, mode) names the link, the
   gauge break or the fleet;
2. routes, but none arrives in time: the fastest route's transit, the ready day and
   the day its fleets become available (plus positioning) are compared with the
   horizon;
3. routes that arrive in time, but not enough capacity: the binding resources on the
   class's own runs (positive duals, see :mod:`corridor.plan.bottlenecks`), with what a
   fleet would need ("87 trips of 2.4 days: 35 carrier-days more than fleet het has").
   When the LP relaxation (fractional carrier-loads) delivers all of the class, the
   shortfall is the rounding's, and the reason says so first: more capacity is not
   what it lacks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from corridor.plan.bottlenecks import Candidate
from corridor.plan.commodities import Commodity
from corridor.plan.constraints import slot_coefficients
from corridor.plan.extract import Solution
from corridor.plan.model import PlanModel
from corridor.plan.services import SELF, SINK

MAX_NAMED = 2


def _fastest(pm: PlanModel, c: Commodity) -> str:
    plans = pm.services.routes.get(c.index, [])
    if not plans:
        return ""
    legs = min(plans, key=lambda legs: sum(min(r.total_h for r in rs) for rs in legs))
    best = [min(rs, key=lambda r: r.total_h) for rs in legs]
    hours = sum(r.total_h for r in best)
    fl = pm.net.fleets
    avail = [(fl.available_day[fl.index[s.fleet]], s.fleet) for r in best for s in r.segments
             if s.fleet is not None]
    late_fleet = ""
    if avail:
        day, name = max(avail)
        if day > 0:
            late_fleet = f"; fleet {name} is available only from day {day:g}"
    hops = " → ".join([best[0].origin] + [s.to_node for r in best for s in r.segments])
    return (f"the fastest route ({hops}) takes {span(hours / 24)} from ready day "
            f"{c.ready_day:g}{late_fleet}, past the horizon (day {pm.st.grid.horizon_days:g})")


def span(days: float) -> str:
    """A duration as a planner reads it: hours under a day, else days (3 figures)."""
    return f"{days * 24:.3g} h" if days < 1 else f"{days:.3g} days"


def _uses(pm: PlanModel, com: int) -> tuple[set[int], set[int], set[int]]:
    """Fleets, links and nodes a commodity's live moves use."""
    st, net = pm.st, pm.net
    mv = np.flatnonzero((st.mv_com == com) & (st.mv_hi >= st.mv_lo))
    runs = np.unique(st.mv_run[mv])
    fleets = {int(f) for f in st.run_fleet[runs] if f != SELF}
    arcs = np.concatenate([st.run_arc[st.run_arc_ptr[r]:st.run_arc_ptr[r + 1]] for r in runs]) \
        if len(runs) else np.zeros(0, np.int64)
    links = {int(x) for x in net.arcs.link[arcs]}
    nodes = {int(x) for x in np.concatenate([st.run_start[runs], st.run_end[runs],
                                             st.mv_ts[mv][st.mv_ts[mv] >= 0]])}
    return fleets, links, nodes


def _fleet_need(pm: PlanModel, c: Commodity, f: int, remaining: float) -> str:
    """How many carrier-days the rest of the class would take on fleet ``f``."""
    st = pm.st
    mv = np.flatnonzero((st.mv_com == c.index) & (st.run_fleet[st.mv_run] == f))
    if not len(mv):
        return ""
    slot, pax, lit = slot_coefficients(pm)
    per_unit = np.maximum(np.maximum(slot[mv], pax[mv]), lit[mv]).min()
    if per_unit <= 0:
        return ""
    trips = remaining * per_unit
    run = st.mv_run[mv]
    # a shuttle's trip takes its round trip, not the decision step its carrier is booked
    occ_days = float(np.where(st.run_per[run] > 1, st.run_cycle_h[run] / 24.0,
                              st.grid.day(st.run_occ[run])).min())
    n = int(pm.net.fleets.count[f])
    if not np.isfinite(st.run_return_h[run]).any():
        # no way back to where the fleet loads: each carrier makes one trip
        return (f"the remaining {remaining:,.0f} {c.unit if c.unit != 'item' else 'items'} "
                f"need {np.ceil(trips - 1e-9):.0f} trips, and each of its {n} carriers "
                "makes one: there is no route back to where it loads")
    days = np.ceil(trips - 1e-9) * occ_days / max(n, 1)
    return (f"the remaining {remaining:,.0f} {c.unit if c.unit != 'item' else 'items'} need "
            f"{np.ceil(trips - 1e-9):.0f} trips of {span(occ_days)}, "
            f"{span(days)} of round trips for its {n} carriers")


def provable(pm: PlanModel, c: Commodity) -> bool:
    """No route, or none that arrives before the horizon: capacity would not help."""
    st = pm.st
    if c.index in pm.services.no_route:
        return True
    live_sink = (st.mv_com == c.index) & (st.mv_hout == SINK) & (st.mv_hi >= st.mv_lo)
    return not live_sink.any() and c.index not in pm.narrowed


ROUNDING = ("the LP relaxation, with fractional carrier-loads, delivers all of it: the "
            "shortfall comes from rounding trips to whole carriers (a sailing or train the "
            "relaxation shares between classes), not from a lack of capacity")


def class_reason(pm: PlanModel, sol: Solution, c: Commodity, binding: list[Candidate],
                 relaxed: Solution | None = None) -> str:
    st = pm.st
    if c.index in pm.services.no_route:
        return pm.services.no_route[c.index]
    live_sink = (st.mv_com == c.index) & (st.mv_hout == SINK) & (st.mv_hi >= st.mv_lo)
    if not live_sink.any() and c.index not in pm.narrowed:
        return _fastest(pm, c) or "no route arrives before the horizon"
    share = sol.delivered[c.index] / max(c.quantity, 1e-12)
    fleets, links, nodes = _uses(pm, c.index)
    mine = []
    for b in binding:
        ch = b.change
        if (ch.kind == "fleet" and ch.target in fleets) or \
                (ch.kind in ("link", "link_flow") and ch.target in links) or \
                (ch.kind not in ("fleet", "link", "link_flow") and ch.target in nodes):
            mine.append(b)
    head = f"only {share:.0%} arrives by day {st.grid.horizon_days:g}"
    rounded = relaxed is not None and \
        relaxed.delivered[c.index] >= c.quantity * (1 - 1e-6) - 1e-6
    if rounded:
        head += f": {ROUNDING}"
    if not mine:
        return head if rounded else \
            head + ": its routes' capacity is taken by higher-priority movements"
    parts = []
    for b in mine[:MAX_NAMED]:
        what = f"{b.change.kind.replace('_', ' ')} {b.id} ({b.capacity}"
        if b.utilization is not None:
            what += f", {b.utilization:.0%} used"
        what += ")"
        if b.change.kind == "fleet":
            need = _fleet_need(pm, c, b.change.target, c.quantity - sol.delivered[c.index])
            if need:
                what += f": {need}"
        parts.append(what)
    return head + "; binding: " + "; ".join(parts)


def unmet(pm: PlanModel, sol: Solution, binding: list[Candidate],
          relaxed: Solution | None = None) -> list[dict[str, Any]]:
    """Every movement that does not close, with the reason per short class; ``relaxed``
    is the LP relaxation's solution where the plan's whole trips were rounded from it."""
    out: list[dict[str, Any]] = []
    for g in pm.groups:
        short = [pm.coms[i] for i in g.commodities
                 if sol.delivered[i] < pm.coms[i].quantity * (1 - 1e-6) - 1e-6]
        if not short and g.commodities:
            continue
        if not g.commodities:
            out.append({"movement": g.id, "reason": "nothing to move inside the horizon",
                        "classes": []})
            continue
        classes: list[dict[str, Any]] = [{"class": c.label, "what": c.describe,
                    "arrived": round(float(sol.delivered[c.index]), 3),
                    "reason": class_reason(pm, sol, c, binding, relaxed),
                    "provable": provable(pm, c)} for c in short]
        seen: dict[str, list[str]] = {}  # reason -> classes it explains
        for cl in classes:
            seen.setdefault(str(cl["reason"]), []).append(str(cl["what"]))
        reason = "; ".join(f"{', '.join(whats)}: {r}" for r, whats in seen.items())
        out.append({"movement": g.id, "reason": reason, "classes": classes,
                    "provable": any(bool(cl["provable"]) for cl in classes)})
    return out
