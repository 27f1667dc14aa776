"""The gateway rule both engines route by (docs/model.md, "Via stops").

A movement's ``via`` nodes are designated gateways: ports or airfields of embarkation
and debarkation. A leg between two of them that share a sea, air or inland-water mode
crosses by that mode whenever it can: equipment sent to Savannah for an LMSR sails
from Savannah; it is not railed back to Texas and flown because one C-17 load would
be faster. The planner routes leg by leg (``corridor.plan.services``); the simulator
routes the whole path through its via stages (``corridor.sim.dispatch``); ``corridor
route`` and ``corridor network`` through :func:`gateway_routes`, as the simulator does;
all ask :func:`gateway_mode` and steer the router onto that mode by
:func:`steer_weights`: off the other gateway modes (``OFF_GATEWAY``) and off land
(``OFF_LAND``), which a road or rail link between the two ports would otherwise win by.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import MODE_CODE, Network
from corridor.network.routing import Item, Route, Router
from corridor.network.stategraph import Rules

GATEWAY_MODES = ("sea", "air", "inland_water")  # modes of a designated POE / POD
AVOID = 50.0  # travel-weight multiplier off a mode (the planner's diverse routes)
# Travel-weight multipliers on a stretch between two via gateways sharing a mode:
# another gateway mode (flown instead of sailed) is taken only where nothing else
# goes; land (road, rail, road march) only where the mode's links cannot be reached
# otherwise: an hour by land weighs as a thousand by the mode, so a road between
# the two ports does not beat the ship, yet a short drive to a quay the ship uses
# still does.
OFF_GATEWAY = 1e6
OFF_LAND = 1e3


def gateway_mode(net: Network, a: str, b: str) -> str | None:
    """The mode a leg between two designated gateways (a port or airfield of
    embarkation, then of debarkation) is flown or sailed by: the sea, air or inland
    water mode both have usable links of (sea first), or None."""
    ia, ib = net.nodes.index.get(a), net.nodes.index.get(b)
    if ia is None or ib is None:
        return None
    arcs = net.arcs
    for mode in GATEWAY_MODES:
        m = (arcs.mode == MODE_CODE[mode]) & arcs.usable
        if (m & (arcs.src == ia)).any() and (m & (arcs.dst == ib)).any():
            return mode
    return None


def crosses_by(modes: Iterable[str], mode: str) -> bool:
    """Whether a stretch of these modes uses ``mode`` and no other gateway mode."""
    used = set(modes)
    return mode in used and not (used & set(GATEWAY_MODES)) - {mode}


def only(routes: list[Route], mode: str) -> list[Route]:
    """Routes that use no gateway mode but ``mode`` (and use ``mode``)."""
    return [r for r in routes if crosses_by(r.modes, mode)]


def steer_weights(net: Network, mode: str) -> NDArray[np.float64]:
    """Travel weights that steer the router onto ``mode``: off every other gateway
    mode (``OFF_GATEWAY``) and, less, off every other mode, land (``OFF_LAND``). A
    weight, never a ban: where the mode cannot carry the cargo the search still finds
    a route, and :func:`crosses_by` tells it did not cross by the mode."""
    codes = net.arcs.mode
    others = [MODE_CODE[m] for m in GATEWAY_MODES if m != mode]
    return np.where(codes == MODE_CODE[mode], 1.0,
                    np.where(np.isin(codes, others), OFF_GATEWAY, OFF_LAND))


def via_gateways(net: Network, via: Sequence[str]) -> dict[int, str]:
    """Per search stage of a route through ``via`` (stage k runs from via k-1 to via k)
    that joins two distinct via nodes sharing a gateway mode: that mode."""
    out: dict[int, str] = {}
    for k in range(1, len(via)):
        if via[k - 1] != via[k]:
            mode = gateway_mode(net, via[k - 1], via[k])
            if mode is not None:
                out[k] = mode
    return out


def stage_weights(net: Network, n_via: int, gateways: dict[int, str]
                  ) -> NDArray[np.float64]:
    """Per-stage travel weights (one row per stage of a route through ``n_via`` via
    nodes): each gateway stage steered onto its mode, the other stages as they are."""
    w = np.ones((n_via + 1, len(net.arcs)))
    for k, mode in gateways.items():
        w[k] = steer_weights(net, mode)
    return w


def stage_modes(r: Route, k: int) -> tuple[str, ...]:
    """Modes of route ``r`` in its search stage ``k`` (between via k-1 and via k)."""
    legs = r.legs
    start = r.via_at[k - 1] if k > 0 else 0
    end = r.via_at[k] if k < len(r.via_at) else len(legs)
    return tuple(dict.fromkeys(leg.mode for leg in legs[start:end]))


def keeps_gateways(r: Route, gateways: dict[int, str]) -> bool:
    """Whether route ``r`` crosses each gateway stage by its mode only."""
    return all(crosses_by(stage_modes(r, k), mode) for k, mode in gateways.items())


def gateway_routes(router: Router, origin: str, destination: str, item: Item,
                   via: Sequence[str] = (), k: int = 1) -> list[Route]:
    """Up to ``k`` routes, fastest first, as the engines route a movement (``corridor
    route`` and ``corridor network``): the gateway rule (docs/model.md, "Via stops")
    as the simulator's dispatch applies it — between two via nodes sharing a sea, air
    or inland-water mode the fastest route steered onto that mode, and only routes
    crossing by it, wherever a route can (a stretch where even the steered route
    cannot is left free) — and each route kept off passing a place twice where another
    way exists (:func:`straight_search`; the planner drops such routes too). Raises
    ``NoRoute`` as :meth:`Router.route` does."""
    net = router.net
    first = router.route(origin, destination, item, via)
    first = straight_search(router, origin, destination, via, item, None, first) or first
    weight: NDArray[np.float64] | None = None
    held: dict[int, str] = {}
    gateways = via_gateways(net, via)
    if gateways:
        steered = straight_search(router, origin, destination, via, item,
                                  stage_weights(net, len(via), gateways))
        if steered is not None:
            held = {j: m for j, m in gateways.items() if keeps_gateways(steered, {j: m})}
            if held and held != gateways:  # steer only the stretches that can keep it
                steered = straight_search(router, origin, destination, via, item,
                                          stage_weights(net, len(via), held))
                if steered is None or not keeps_gateways(steered, held):
                    held = {}
        if held and steered is not None:
            weight = stage_weights(net, len(via), held)
            first = steered
    routes, seen = [first], {first.signature()}
    if k > 1:
        for r in router.k_routes(origin, destination, item, k + 1, via, arc_weight=weight):
            if r.signature() not in seen and keeps_gateways(r, held):
                seen.add(r.signature())
                routes.append(r)
    kept = [r for r in routes if straight(r)] or routes
    return sorted(kept, key=lambda r: r.total_h)[:k]


# Straight routes (moved from corridor.sim.dispatch, which uses them as it did; the
# router commands share them): a search through via stops finds each stretch's fastest
# path alone, so a stretch may run back through a place another stretch passes.
REVISIT = 1e6  # travel-weight multiplier that keeps a search off a place it need not pass
STRAIGHTEN = 3  # searches at most to take a route off the places it passes twice


def straight_search(router: Router, origin: str, destination: str, via: Sequence[str],
                    c: Item, weight: NDArray[np.float64] | None,
                    found: Route | None = None, rules: Rules | None = None
                    ) -> Route | None:
    """The fastest route under ``weight`` (None, one per arc or one row per via stage;
    ``found``: that route, already searched) and ``rules`` (the diagnosis relaxes them),
    taken off any place it passes twice where another way exists.

    A search through via stops finds each stretch's fastest path alone, so a stretch
    may run back through the origin or on past the next stop and back (p1 -> a -> c
    -> p2 by road only to tick off the ports; rail past a port of debarkation and back
    to it). Each needless pass — any but the one a stop needs — is then made all but
    impassable on its stretch and the search runs again. Which pass of a place two
    stretches share is needless is not known, so both ways are tried (keep the first,
    keep the last) and the route cheaper under ``weight`` is kept; if neither gets
    off every place passed twice, the route as first found."""
    r = found if found is not None else \
        router.search(origin, destination, c, via, rules=rules, arc_weight=weight)
    if r is None or straight(r):
        return r
    base = np.ones((len(via) + 1, len(router.net.arcs)))
    if weight is not None:
        base = base * weight
    best: Route | None = None
    for keep_last in (False, True):
        got = _straighten(router, origin, destination, via, c, base, r, keep_last, rules)
        if got is not None and (best is None or _cost(got, base) < _cost(best, base)):
            best = got
    return best or r


def _straighten(router: Router, origin: str, destination: str, via: Sequence[str],
                c: Item, base: NDArray[np.float64], r: Route, keep_last: bool,
                rules: Rules | None = None) -> Route | None:
    """Route ``r`` searched again with its needless passes (:func:`_needless_passes`)
    made all but impassable, until it passes no place twice (None: it still does)."""
    net = router.net
    w = base.copy()
    banned: set[tuple[int, str]] = set()
    for _ in range(STRAIGHTEN):
        more = _needless_passes(r, keep_last) - banned
        if not more:
            return None
        for k, node in more:
            w[k, net.arcs.dst == net.nodes.index[node]] *= REVISIT
        banned |= more
        got = router.search(origin, destination, c, via, rules=rules, arc_weight=w)
        if got is None:
            return None
        if straight(got):
            return got
        r = got
    return None


def straight(r: Route) -> bool:
    """Whether ``r`` passes no place twice."""
    return len(set(r.nodes)) == len(r.nodes)


def _stage(r: Route, leg: int) -> int:
    """The search stage (between via k-1 and via k) leg number ``leg`` of ``r`` is in."""
    return bisect_right(r.via_at, leg)


def _needless_passes(r: Route, keep_last: bool) -> set[tuple[int, str]]:
    """(search stage, place) of each pass of a place ``r`` passes more than once but
    the one it must make: as origin, via stop or destination; else the first (or the
    last) pass."""
    nodes = r.nodes
    ends = {0, len(nodes) - 1, *r.via_at}  # positions where a stage starts or ends
    seen: dict[str, list[int]] = {}
    for pos, node in enumerate(nodes):
        seen.setdefault(node, []).append(pos)
    out: set[tuple[int, str]] = set()
    for node, where in seen.items():
        if len(where) < 2:
            continue
        keep = [p for p in where if p in ends] or (where[-1:] if keep_last else where[:1])
        for p in where:
            if p not in keep:  # entered by leg p - 1
                out.add((_stage(r, p - 1), node))
    return out


def _cost(r: Route, weight: NDArray[np.float64]) -> float:
    """What the router minimised for ``r`` under per-stage travel ``weight``."""
    return r.total_h + sum(leg.hours * (float(weight[_stage(r, i), leg.arc]) - 1.0)
                           for i, leg in enumerate(r.legs))
