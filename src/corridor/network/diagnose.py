"""Why there is no route: relax one restriction at a time, then read the relaxed route.

Each restriction of :class:`~corridor.network.stategraph.Rules` is relaxed in turn
(MLC, gauge, carrier fit, fleet availability, closed links, and last "mode": a virtual
carrier on every mode). If the relaxed search finds a route, the elements of that
route that break the relaxed restriction are the reason ("link rd_bridge max_mlc 50").
If no single relaxation helps, pairs are tried, then all together; if even that
fails, the network itself does not connect the places.

Each relaxed search routes as the engines do (:func:`_search`): between via gateways
sharing a sea, air or inland-water mode it is steered onto that mode, and it is kept
off passing a place twice. Otherwise the fastest relaxed route may tick the via ports
off by road and cross by another gateway (an airbase the movement is not routed
through), and the reason would name a place the movement never goes.
"""

from __future__ import annotations

from itertools import combinations, pairwise
from typing import TYPE_CHECKING

import numpy as np

from corridor.network.cargo import Cargo
from corridor.network.gateways import stage_weights, straight_search, via_gateways
from corridor.network.graph import GAUGE_BREAK, MODES, RAIL, REASON_TEXT, ROAD
from corridor.network.stategraph import Rules, arc_ok, fleet_usable, reachable

if TYPE_CHECKING:
    from corridor.network.routing import NoRoute, Route, Router

RELAXATIONS = ("mlc", "gauge", "fit", "availability", "closed", "mode")
MAX_LISTED = 3  # violations named per restriction
MAX_ALTERNATIVES = 2  # alternative explanations joined with '; or'


def diagnose(router: Router, origin: str, destination: str, cargo: Cargo,
             via: tuple[str, ...]) -> NoRoute:
    from corridor.network.routing import NoRoute

    strict = Rules()
    finer = tuple(n for n in RELAXATIONS if n != "mode")
    pairs = list(combinations(RELAXATIONS, 2))
    # "mode" (a virtual carrier on every mode) is the coarse catch-all: tried only
    # when nothing finer explains the failure
    tries: list[list[tuple[str, ...]]] = [
        [(n,) for n in finer], [("mode",)],
        [p for p in pairs if "mode" not in p], [p for p in pairs if "mode" in p],
        [finer], [RELAXATIONS],
    ]
    gateways = via_gateways(router.net, via)
    weight = stage_weights(router.net, len(via), gateways) if gateways else None
    for group in tries:
        found: list[tuple[tuple[str, ...], str]] = []
        for names in group:
            # the relaxed route the engines would take (the gateway rule's steering is
            # a weight, never a ban: it finds a route whenever the plain search does)
            r = straight_search(router, origin, destination, via, cargo, weight,
                                rules=strict.relaxed(*names))
            if r is None:
                continue
            # name only the restrictions the relaxed route actually breaks
            parts = [(n, _describe(router, n, r, cargo)) for n in names]
            used = tuple(n for n, v in parts if v)
            text = " and ".join(_sentence(router, n, v, cargo) for n, v in parts if v)
            found.append((used or names, text or _sentence(router, names[0], [], cargo)))
        if found:
            texts = list(dict.fromkeys(t for _, t in found))[:MAX_ALTERNATIVES]
            return NoRoute("; or ".join(texts), found[0][0])
    return NoRoute(_unconnected(router, origin, destination, via))


def _describe(router: Router, name: str, r: Route, cargo: Cargo) -> list[str]:
    """What on the relaxed route ``r`` breaks restriction ``name`` (empty: nothing)."""
    return {
        "mlc": _mlc,
        "gauge": _gauge,
        "fit": _fit,
        "availability": _availability,
        "closed": _closed,
        "mode": _mode,
    }[name](router, r, cargo)


def _sentence(router: Router, name: str, found: list[str], cargo: Cargo) -> str:
    listed = _listed(found)
    if name == "mlc":
        return f"no {_ways(router, cargo)} path for {cargo.describe()}: {listed}".rstrip(": ")
    if name == "fit":
        return f"no fleet can carry {cargo.describe()}: {listed}".rstrip(": ")
    default = {"gauge": "rail gauge", "availability": "no fleet is available",
               "closed": "closed links", "mode": f"no fleet can take {cargo.describe()}"}
    return listed or default[name]


def _listed(parts: list[str]) -> str:
    parts = list(dict.fromkeys(parts))
    more = len(parts) - MAX_LISTED
    return ", ".join(parts[:MAX_LISTED]) + (f" (+{more} more)" if more > 0 else "")


def _ways(router: Router, cargo: Cargo) -> str:
    """Modes the cargo could move on at all ('rail or road'): its fleets' and road march."""
    net = router.net
    modes = {int(net.fleets.mode[f]) for f in range(len(net.fleets))
             if fleet_usable(net, f, cargo, Rules())}
    if cargo.kind == "item" and cargo.march_km_per_day > 0:
        modes.add(ROAD)
    if not modes:
        return "carrier"  # no fleet or road march moves it at all
    return " or ".join(MODES[m] for m in sorted(modes))


def _mlc(router: Router, r: Route, cargo: Cargo) -> list[str]:
    net = router.net
    bad = [f"link {leg.link} max_mlc {net.arcs.max_mlc[leg.arc]:g}" for leg in r.legs
           if cargo.mlc > net.arcs.max_mlc[leg.arc]]
    return bad


def _gauge(router: Router, r: Route, cargo: Cargo) -> list[str]:
    net = router.net
    bad: list[str] = []
    for leg in r.legs:
        a = leg.arc
        if net.arcs.reason[a] == GAUGE_BREAK:
            s, d = net.arcs.src[a], net.arcs.dst[a]
            bad.append(f"gauge break {net.nodes.gauge_mm[s]}→{net.nodes.gauge_mm[d]} at "
                       f"{leg.to_node} (link {leg.link}) with no transshipment")
        elif leg.mode == "rail" and leg.fleet not in (None, "*"):
            fg = net.fleets.gauge_mm[net.fleets.index[leg.fleet]]
            if fg not in (net.arcs.gauge_mm[a], net.arcs.gauge_alt_mm[a]):
                bad.append(f"no {net.arcs.gauge_mm[a]} mm rail fleet for link {leg.link} "
                           f"({leg.fleet} runs on {fg} mm)")
    for c in r.changes:
        if c.transship and net.nodes.transship_t_per_day[net.nodes.index[c.node]] <= 0:
            fa = net.fleets.gauge_mm[net.fleets.index[str(c.from_fleet)]]
            fb = net.fleets.gauge_mm[net.fleets.index[str(c.to_fleet)]]
            bad.append(f"gauge change {fa}→{fb} at {c.node} with no transshipment")
    return bad


def _fit(router: Router, r: Route, cargo: Cargo) -> list[str]:
    """Per segment whose fleet cannot take the cargo, the fleet of that mode that comes
    nearest to taking it, and why not: the relaxed search picks the fastest carrier,
    which may be one made for something else (a coach for a tank), while the planner
    needs the limit that stops the carriers meant for it (a low-loader's max_item_mlc)."""
    net = router.net
    fl = net.fleets
    bad = []
    for s in r.segments:
        if s.fleet in (None, "*"):
            continue
        f = fl.index[str(s.fleet)]
        why = {g: cargo.fleet_misfit(net, g) for g in range(len(fl))
               if g == f or (fl.mode[g] == fl.mode[f] and fl.count[g] > 0)}
        if not why[f]:
            continue
        # fewest limits broken (fleet_misfit's clauses), then the route's own fleet,
        # then catalogue order; a fleet that takes the cargo is no explanation
        g = min((g for g, w in why.items() if w),
                key=lambda g: (len(why[g].split(", ")), g != f, g))
        bad.append(f"{fl.ids[g]} {why[g]}")
    return bad


def _availability(router: Router, r: Route, cargo: Cargo) -> list[str]:
    net = router.net
    fl = net.fleets
    bad = []
    for s in r.segments:
        if s.fleet in (None, "*"):
            continue
        f = fl.index[str(s.fleet)]
        if fl.count[f] <= 0:
            bad.append(f"fleet {s.fleet} has no carriers (count 0)")
        elif fl.available_day[f] >= net.horizon_days:
            bad.append(f"fleet {s.fleet} never becomes available before the horizon "
                       f"(available_day {fl.available_day[f]:g} >= horizon_days "
                       f"{net.horizon_days:g})")
        else:
            home = int(fl.home[f])
            strict = Rules()
            ok = arc_ok(net, strict) & (net.arcs.mode == fl.mode[f])
            if fl.mode[f] == RAIL:
                ok &= (net.arcs.gauge_mm == fl.gauge_mm[f]) | \
                    (net.arcs.gauge_alt_mm == fl.gauge_mm[f])
            reach = reachable(net, home, ok)
            if not reach[net.nodes.index[s.from_node]]:
                bad.append(f"fleet {s.fleet} cannot reach {s.from_node} from its home "
                           f"{net.nodes.ids[home]}")
    return bad


def _closed(router: Router, r: Route, cargo: Cargo) -> list[str]:
    net = router.net
    bad = [f"link {leg.link} is closed ({REASON_TEXT[int(net.arcs.reason[leg.arc])]})"
           for leg in r.legs if not net.arcs.usable[leg.arc]
           and net.arcs.reason[leg.arc] != GAUGE_BREAK]
    return bad


def _mode(router: Router, r: Route, cargo: Cargo) -> list[str]:
    bad = [f"no {leg.mode} fleet can take {cargo.describe()} over link {leg.link} "
           f"({leg.from_node}→{leg.to_node})" for leg in r.legs if leg.fleet == "*"]
    return bad


def _unconnected(router: Router, origin: str, destination: str, via: tuple[str, ...]) -> str:
    """No route even with every restriction relaxed: the links do not connect."""
    net = router.net
    every = np.ones(len(net.arcs), dtype=bool)
    stops = [origin, *via, destination]
    for a, b in pairwise(stops):
        reach = reachable(net, net.nodes.index[a], every)
        if not reach[net.nodes.index[b]]:
            return (f"no path from {a} to {b}: no chain of links connects them "
                    f"({int(reach.sum())} node(s) reachable from {a})")
    return f"no path from {origin} to {destination}"
