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

import math
import re
from typing import Any

import numpy as np

from corridor.plan.bottlenecks import Candidate
from corridor.plan.commodities import Commodity
from corridor.plan.constraints import slot_coefficients
from corridor.plan.extract import Solution
from corridor.plan.model import PlanModel
from corridor.plan.services import SELF, SINK

MAX_NAMED = 2  # binding resources named per class
MAX_TYPES = 3  # equipment types named per class


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
            late_fleet = f", and fleet {name} is available only from day {day:g}"
    hops = " → ".join([best[0].origin] + [s.to_node for r in best for s in r.segments])
    return (f"the fastest route ({hops}) takes {span(hours / 24)} from ready day "
            f"{c.ready_day:g}{late_fleet}: nothing arrives before the horizon "
            f"(day {pm.st.grid.horizon_days:g})")


def span(days: float) -> str:
    """A duration as a planner reads it: hours under a day, else days (3 figures)."""
    return f"{days * 24:.3g} h" if days < 1 else f"{days:.3g} days"


def _count(n: float, one: str, many: str) -> str:
    return f"{n:,.0f} {one if abs(n - 1) < 1e-9 else many}"


def _number(c: Commodity, q: float) -> str:
    return f"{q:.3g}" if c.unit == "t" and q < 100 else f"{q:,.0f}"


def amount(c: Commodity, q: float) -> str:
    """``q`` units of ``c`` with their unit: "25 t", "1 item", "40 people"."""
    if c.unit == "t":
        return f"{_number(c, q)} t"
    one, many = {"item": ("item", "items"), "pax": ("person", "people"),
                 "litter": ("patient", "patients")}[c.unit]
    return _count(q, one, many)


def _by_type(c: Commodity) -> list[tuple[str, int]]:
    return sorted(((str(k), int(v)) for k, v in c.cls.items.items()),
                  key=lambda kv: (-kv[1], kv[0]))


def what(c: Commodity) -> str:
    """A class as a planner names it: equipment types with counts, people, patients,
    tonnes; a sustainment chunk by its due day."""
    if c.unit == "item" and c.cls.items:
        types = _by_type(c)
        text = ", ".join(f"{n} {k}" for k, n in types[:MAX_TYPES])
        rest = types[MAX_TYPES:]
        if rest:
            text += (f" and {_count(sum(n for _, n in rest), 'other item', 'other items')} "
                     f"of {_count(len(rest), 'type', 'types')}")
        return text
    text = amount(c, c.quantity)
    return f"{text} due day {c.due_day:g}" if c.kind == "supply" else text


def _item_names(pm: PlanModel, c: Commodity) -> str:
    """The class's equipment types, heaviest first, each with its own MLC:
    "leopard2a6 (MLC 70) and pzh2000 (MLC 64)"."""
    it = pm.net.items
    mlc = {k: float(it.mlc[it.index[k]]) if k in it.index else c.cls.mlc
           for k, _ in _by_type(c)}
    types = sorted(mlc, key=lambda k: (-mlc[k], k))
    named = [f"{k} (MLC {mlc[k]:g})" for k in types[:MAX_TYPES]]
    if len(types) > MAX_TYPES:
        named.append(_count(len(types) - MAX_TYPES, "other type", "other types"))
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _named(pm: PlanModel, c: Commodity, text: str) -> str:
    """The router's reason with the planner's internal class key ("carried-mlc70-het",
    which merges items by MLC band and fleets) replaced by the equipment types it holds.
    Routes are shared between classes of one band, so the key in ``text`` may be another
    movement's: every item class key is looked for, longest first."""
    if c.unit != "item" or not c.cls.items:
        return text
    names = _item_names(pm, c)
    keys = sorted({k.cls.key for k in pm.coms if k.unit == "item"}, key=len, reverse=True)
    for key in keys:
        if key in text:
            text = re.sub(re.escape(key) + r"(?: \(MLC [0-9.]+\))?", lambda _: names, text)
    return text


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


def _fleet_need(pm: PlanModel, c: Commodity, f: int, remaining: float,
                each: bool = False) -> str:
    """How many carrier-days the rest of the class would take on fleet ``f``; ``each``:
    the reason is shared by several classes of the same size (sustainment chunks)."""
    st = pm.st
    mv = np.flatnonzero((st.mv_com == c.index) & (st.run_fleet[st.mv_run] == f))
    if not len(mv):
        return ""
    slot, pax, lit = slot_coefficients(pm)
    per_unit = np.maximum(np.maximum(slot[mv], pax[mv]), lit[mv]).min()
    if per_unit <= 0:
        return ""
    trips = float(np.ceil(remaining * per_unit - 1e-9))
    run = st.mv_run[mv]
    # a shuttle's trip takes its round trip, not the decision step its carrier is booked;
    # a fleet counted by place books only the trip, its empty runs apart
    by_place = pm.places is not None and bool(pm.places.counted[st.run_pool[run]].any())
    occ_days = float(np.where((st.run_per[run] > 1) | by_place, st.run_cycle_h[run] / 24.0,
                              st.grid.day(st.run_occ[run])).min())
    n = int(pm.net.fleets.count[f])
    left = f"the remaining {amount(c, remaining)}" + (" of each" if each else "")
    verb = "needs" if abs(remaining - 1) < 1e-9 and not each else "need"
    if not np.isfinite(st.run_return_h[run]).any():
        # no way back to where the fleet loads: each carrier makes one trip
        who = "its one carrier" if n == 1 else f"each of its {n} carriers"
        return (f"{left} {verb} {_count(trips, 'more trip', 'more trips')}, but {who} "
                "can make only one: no route leads back to where it loads")
    days = trips * occ_days / max(n, 1)
    return (f"{left} {verb} {_count(trips, 'trip', 'trips')} of {span(occ_days)}, "
            f"{span(days)} of round trips for its {_count(n, 'carrier', 'carriers')}")


def stock_short(pm: PlanModel, c: Commodity) -> tuple[list[str], float, float] | None:
    """For sustainment ``c``: (its depots, their stock, the demand that can draw on
    nothing else) when that demand exceeds the stock (Hall's condition on the depots
    ``c`` may draw from), so some of it cannot be met whatever the transport does."""
    if c.kind != "supply" or not c.origins:
        return None
    depots = set(c.origins)
    storage = pm.scenario.nodes["storage_t"]
    stock = sum(float(storage.get(n, math.inf)) for n in depots)
    if not math.isfinite(stock):
        return None
    need = sum(o.quantity for o in pm.coms
               if o.kind == "supply" and o.origins and set(o.origins) <= depots)
    return (sorted(depots), stock, need) if need > stock + 1e-6 * max(stock, 1.0) else None


def provable(pm: PlanModel, c: Commodity) -> bool:
    """No route, or none that arrives before the horizon: capacity would not help.
    (Stock short of the demand is a capacity too: more of it is a what-if.)"""
    st = pm.st
    if c.index in pm.services.no_route:
        return True
    live_sink = (st.mv_com == c.index) & (st.mv_hout == SINK) & (st.mv_hi >= st.mv_lo)
    return not live_sink.any() and c.index not in pm.narrowed


ROUNDING = ("the LP relaxation, with fractional carrier-loads, delivers all of it: the "
            "shortfall comes from rounding trips to whole carriers (a sailing or train the "
            "relaxation shares between classes), not from a lack of capacity")


# what a binding resource is, as the reason names it (ids are the scenario's)
RESOURCE = {"fleet": "fleet {}", "link": "departures on link {}",
            "link_flow": "road-march flow on link {}", "handling": "handling at {}",
            "transshipment": "transshipment at {}", "depot": "stock at depot {}",
            "rail_visits": "visits at {}", "sea_visits": "visits at {}",
            "air_visits": "visits at {}"}


def _pct(share: float) -> str:
    """A share that never reads "0%" or "100%" while some, but not all, arrives."""
    for text in (f"{share:.0%}", f"{share:.1%}"):
        if text not in ("0%", "100%", "0.0%", "100.0%"):
            return text
    return "under 0.1%" if share < 0.5 else "over 99.9%"


def class_reason(pm: PlanModel, sol: Solution, c: Commodity, binding: list[Candidate],
                 relaxed: Solution | None = None, each: bool = False) -> str:
    """Why class ``c`` falls short; ``each``: worded for several classes of the same size
    and shortfall that share it (amounts are per class)."""
    st = pm.st
    if c.index in pm.services.no_route:
        return _named(pm, c, pm.services.no_route[c.index])
    live_sink = (st.mv_com == c.index) & (st.mv_hout == SINK) & (st.mv_hi >= st.mv_lo)
    if not live_sink.any() and c.index not in pm.narrowed:
        return _fastest(pm, c) or "no route arrives before the horizon"
    got = float(sol.delivered[c.index])
    share = got / max(c.quantity, 1e-12)
    fleets, links, nodes = _uses(pm, c.index)
    mine = []
    for b in binding:
        ch = b.change
        if (ch.kind == "fleet" and ch.target in fleets) or \
                (ch.kind in ("link", "link_flow") and ch.target in links) or \
                (ch.kind not in ("fleet", "link", "link_flow", "depot")
                 and ch.target in nodes) or \
                (ch.kind == "depot" and c.kind == "supply" and ch.target in nodes):
            # depot stock binds sustainment only (a movement's own cargo is not drawn
            # from it: constraints.define_depot_stock)
            mine.append(b)
    by = f"by day {st.grid.horizon_days:g}"
    if got <= c.quantity * 1e-6:
        head = f"none arrives {by}"
    else:
        of = f"{_number(c, got)} of {amount(c, c.quantity)}" + (" each" if each else "")
        head = f"only {_pct(share)} arrives {by} ({of})"
    rounded = relaxed is not None and \
        relaxed.delivered[c.index] >= c.quantity * (1 - 1e-6) - 1e-6
    if rounded:
        head += f": {ROUNDING}"
    short = stock_short(pm, c)
    if short is not None:  # what the fleets or links do is beside the point
        depots, stock, demand = short
        where = f"depot {depots[0]}" if len(depots) == 1 else f"depots {', '.join(depots)}"
        return (f"{head}; binding: stock at {where} ({stock:,.0f} t): the {demand:,.0f} t "
                "of sustainment demand that can draw on nothing else exceed it")
    if not mine:
        return head if rounded else \
            head + ": its routes' capacity is taken by higher-priority movements"
    parts = []
    for b in mine[:MAX_NAMED]:
        name = RESOURCE.get(b.change.kind, b.change.kind.replace("_", " ") + " {}")
        part = f"{name.format(b.id)} ({b.capacity}"
        if b.utilization is not None:
            part += f", {b.utilization:.0%} used"
        part += ")"
        if b.change.kind == "fleet":
            need = _fleet_need(pm, c, b.change.target, c.quantity - got, each)
            if need:
                part += f": {need}"
        parts.append(part)
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
        reasons = [class_reason(pm, sol, c, binding, relaxed) for c in short]
        classes: list[dict[str, Any]] = [{"class": c.label, "what": what(c),
                    "arrived": round(float(sol.delivered[c.index]), 3),
                    "reason": r, "provable": provable(pm, c)}
                   for c, r in zip(short, reasons, strict=True)]
        shared: dict[str, list[Commodity]] = {}  # reason -> classes it explains
        for c, r in zip(short, reasons, strict=True):
            shared.setdefault(r, []).append(c)
        # one reason per set of classes it explains, its amounts then read "of each"
        reason = "; ".join(
            f"{', '.join(what(c) for c in cs)}: "
            + (r if len(cs) == 1 else class_reason(pm, sol, cs[0], binding, relaxed, True))
            for r, cs in shared.items())
        out.append({"movement": g.id, "reason": reason, "classes": classes,
                    "provable": any(bool(cl["provable"]) for cl in classes)})
    return out
