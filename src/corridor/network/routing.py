"""Routing one item type, people or bulk over the multimodal network.

The fastest route honours mode, link MLC, carrier fit, rail gauge (fleet gauge,
transshipment nodes), ``transfer_h`` at changes of carrier or mode, load/unload
times and road march, following docs/model.md. It is a shortest path
(``scipy.sparse.csgraph.dijkstra``) over the state-expanded graph of
:mod:`corridor.network.stategraph`. When there is none, :class:`NoRoute` says why,
found by relaxing one restriction at a time (:mod:`corridor.network.diagnose`).

Times are transit times of one load, not closure: capacities, fleet cycling and
waiting for carriers are the planner's and simulator's business.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from corridor.network.cargo import Cargo, CargoClass, cargo_of
from corridor.network.graph import MODES, Network
from corridor.network.stategraph import (
    ANY,
    LOAD,
    SELF,
    TRAVEL,
    UNLOAD,
    VIA,
    BaseGraph,
    Expanded,
    FleetCache,
    Rules,
    build_base,
    expand,
)

Item = str | Cargo | CargoClass


class NoRoute(Exception):
    """No route exists; ``reason`` says why in a planner's words."""

    def __init__(self, reason: str, relaxed: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.relaxed = relaxed  # the restrictions whose relaxation gives a route


@dataclass(frozen=True)
class Leg:
    """One arc of a route, travelled by ``fleet`` (None: the item drives itself;
    '*' only in diagnostic routes: a virtual carrier)."""

    arc: int
    link: str
    from_node: str
    to_node: str
    mode: str
    fleet: str | None
    km: float
    hours: float  # travel time over the arc
    start_h: float  # when it enters the arc, hours after the route starts
    gauge_mm: int = 0  # rail gauge of the arc (0 off rail)

    @property
    def end_h(self) -> float:
        return self.start_h + self.hours


@dataclass(frozen=True)
class Segment:
    """Consecutive legs on one carrier between loading and unloading: one trip."""

    fleet: str | None
    from_node: str
    to_node: str
    legs: tuple[Leg, ...]
    load_h: float
    unload_h: float
    start_h: float  # when loading starts

    @property
    def km(self) -> float:
        return sum(leg.km for leg in self.legs)

    @property
    def travel_h(self) -> float:
        return sum(leg.hours for leg in self.legs)

    @property
    def hours(self) -> float:
        """load + travel + unload: the loaded part of a carrier's trip."""
        return self.load_h + self.travel_h + self.unload_h

    @property
    def arcs(self) -> tuple[int, ...]:
        return tuple(leg.arc for leg in self.legs)


@dataclass(frozen=True)
class Change:
    """Cargo changes carrier or mode at ``node``; ``transship`` when rail gauge changes."""

    node: str
    from_fleet: str | None
    to_fleet: str | None
    hours: float  # unload + transfer_h + load
    transship: bool


@dataclass(frozen=True)
class Wait:
    """Cargo waits at ``node`` for ``fleet``, which has no carrier before its
    ``available_day`` (docs/model.md, "Carriers"): its trip starts ``hours`` later."""

    fleet: str
    node: str
    hours: float
    available_day: float


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    cargo: str
    via: tuple[str, ...]
    segments: tuple[Segment, ...]
    changes: tuple[Change, ...]
    total_h: float
    binding_mlc: float  # smallest max_mlc on the path (inf: none)
    binding_link: str | None
    via_at: tuple[int, ...] = ()  # legs travelled when each via node is passed
    waits: tuple[Wait, ...] = ()  # for fleets not yet available (:func:`when_available`)

    @property
    def legs(self) -> tuple[Leg, ...]:
        return tuple(leg for s in self.segments for leg in s.legs)

    @property
    def total_km(self) -> float:
        return sum(s.km for s in self.segments)

    @property
    def fleets(self) -> tuple[str | None, ...]:
        """Fleet of each leg."""
        return tuple(leg.fleet for leg in self.legs)

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(leg.mode for leg in self.legs))

    @property
    def nodes(self) -> tuple[str, ...]:
        legs = self.legs
        return (self.origin, *(leg.to_node for leg in legs)) if legs else (self.origin,)

    def signature(self) -> tuple[tuple[int, str | None], ...]:
        return tuple((leg.arc, leg.fleet) for leg in self.legs)


class Router:
    """Routes on one network. Caches, per routing signature (which fleets can take the
    cargo, which links its MLC may use, its march speed, the rules), the state graph
    and the shortest-path trees of recent origins, so many queries are cheap."""

    TREES = 8  # shortest-path trees kept (each one float + one int per state)

    def __init__(self, net: Network) -> None:
        self.net = net
        self._bases: dict[tuple[object, ...], BaseGraph] = {}
        self._graphs: dict[tuple[object, ...], Expanded] = {}
        self._trees: dict[tuple[object, ...], tuple[NDArray[np.float64],
                                                    NDArray[np.int32]]] = {}
        self._fleet_cache: FleetCache = {}
        self._fits: dict[Cargo, tuple[bool, ...]] = {}
        finite = net.arcs.max_mlc[np.isfinite(net.arcs.max_mlc)]
        self._limits = np.unique(finite)

    def signature(self, cargo: Cargo, rules: Rules) -> tuple[object, ...]:
        """Cargo that shares this routes identically: same fleets, same links, same march."""
        fits = self._fits.get(cargo)
        if fits is None:  # asked for every search: thousands of times for a plan
            fits = tuple(not cargo.fleet_misfit(self.net, f)
                         for f in range(len(self.net.fleets)))
            self._fits[cargo] = fits
        band = int(np.searchsorted(self._limits, cargo.mlc, side="left"))
        march = cargo.march_km_per_day if cargo.kind == "item" else 0.0
        return (fits, band, march, rules)

    def base(self, cargo: Cargo, rules: Rules) -> BaseGraph:
        key = self.signature(cargo, rules)
        if key not in self._bases:
            if len(self._bases) > 64:
                self._bases.clear()
                self._graphs.clear()
            self._bases[key] = build_base(self.net, cargo, rules, self._fleet_cache)
        return self._bases[key]

    def node(self, node_id: str, what: str) -> int:
        i = self.net.nodes.index.get(node_id)
        if i is None:
            raise ValueError(f"unknown {what} node '{node_id}'")
        return i

    def search(self, origin: str, destination: str, item: Item, via: Sequence[str] = (),
               rules: Rules | None = None, arc_weight: NDArray[np.float64] | None = None
               ) -> Route | None:
        """The fastest route under ``rules``, or None. ``arc_weight`` multiplies travel
        weights: one per arc, or one row per stage (``len(via) + 1``) to steer a single
        stretch between via nodes."""
        cargo = cargo_of(self.net, item)
        rules = rules or Rules()
        o = self.node(origin, "origin")
        d = self.node(destination, "destination")
        v = tuple(self.node(x, "via") for x in via)
        if o == d and not v:
            return Route(origin, destination, cargo.label, (), (), (), 0.0, math.inf, None)
        base = self.base(cargo, rules)
        key = self.signature(cargo, rules)
        if v or arc_weight is not None:
            ex = expand(base, v, arc_weight)
            dist, pred = dijkstra(ex.graph, directed=True, indices=ex.source(o),
                                  return_predecessors=True)
        else:
            if key not in self._graphs:
                self._graphs[key] = expand(base)
            ex = self._graphs[key]
            dist, pred = self._tree(key, ex, o)
        states, unload, layers = ex.ends(d)
        total = dist[states] + unload
        best = int(np.argmin(total))
        if not np.isfinite(total[best]):
            return None
        path = [int(states[best])]
        src = ex.source(o)
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        path.reverse()
        edges = [ex.edge(u, w) for u, w in itertools.pairwise(path)]
        return self._route(ex, edges, int(layers[best]), origin, destination, cargo,
                           tuple(via))

    def _tree(self, key: tuple[object, ...], ex: Expanded, o: int
              ) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        tkey = (key, o)
        if tkey not in self._trees:
            while len(self._trees) >= self.TREES:
                self._trees.pop(next(iter(self._trees)))
            self._trees[tkey] = dijkstra(ex.graph, directed=True, indices=ex.source(o),
                                         return_predecessors=True)
        return self._trees[tkey]

    def route(self, origin: str, destination: str, item: Item, via: Sequence[str] = ()
              ) -> Route:
        """The fastest route, or :class:`NoRoute` with a diagnosed reason."""
        r = self.search(origin, destination, item, via)
        if r is None:
            from corridor.network.diagnose import diagnose

            raise diagnose(self, origin, destination, cargo_of(self.net, item), tuple(via))
        return r

    def k_routes(self, origin: str, destination: str, item: Item, k: int = 3,
                 via: Sequence[str] = (), penalty: float = 0.5,
                 arc_weight: NDArray[np.float64] | None = None) -> list[Route]:
        """Up to ``k`` different routes, fastest first: after each route, the travel
        weights of its links (both directions) are multiplied by ``1 + penalty`` so
        the next search prefers other links. ``arc_weight`` (per arc, or per stage
        and arc as :meth:`search` takes it) steers every search (the gateway rule:
        :func:`corridor.network.gateways.gateway_routes`). Reported times are true
        times."""
        first = self.search(origin, destination, item, via, arc_weight=arc_weight) \
            if arc_weight is not None else None
        if first is None:
            first = self.route(origin, destination, item, via)
        routes, seen = [first], {first.signature()}
        weight = np.ones(len(self.net.arcs))
        last, repeats = first, 0
        for _ in range(3 * k):
            if len(routes) >= k or repeats >= 2:
                break
            used = np.isin(self.net.arcs.link, self.net.arcs.link[[leg.arc for leg in
                                                                    last.legs]])
            weight[used] *= 1.0 + penalty
            r = self.search(origin, destination, item, via,
                            arc_weight=weight if arc_weight is None else arc_weight * weight)
            if r is None:
                break
            if r.signature() in seen:
                repeats += 1
            else:
                repeats = 0
                seen.add(r.signature())
                routes.append(r)
            last = r
        return sorted(routes, key=lambda r: r.total_h)

    def _route(self, ex: Expanded, edges: list[int], end_layer: int, origin: str,
               destination: str, cargo: Cargo, via: tuple[str, ...]) -> Route:
        net, base = self.net, ex.base
        layer_fleet = [_fleet_name(net, lay.fleet) for lay in base.layers]
        t = 0.0
        segments: list[Segment] = []
        changes: list[Change] = []
        legs: list[Leg] = []
        seg_start, load_h, seg_layer = 0.0, 0.0, -1
        n_legs, via_at = 0, []
        pending: tuple[int, float] | None = None  # (layer, unload + transfer) of last unload

        def close(unload: float) -> None:
            nonlocal legs
            segments.append(Segment(layer_fleet[seg_layer], legs[0].from_node,
                                    legs[-1].to_node, tuple(legs), load_h, unload,
                                    seg_start))
            legs = []

        for e in edges:
            kind, cost, lay = int(ex.kind[e]), float(ex.cost[e]), int(ex.layer[e])
            if kind == LOAD:
                seg_start, load_h, seg_layer = t, cost, lay
                if pending is not None:
                    changes.append(self._change(base, pending[0], lay, legs_of(segments),
                                                pending[1] + cost))
                    pending = None
            elif kind == TRAVEL:
                legs.append(_leg(net, int(ex.arc[e]), layer_fleet[lay], cost, t))
                n_legs += 1
            elif kind == VIA:
                via_at.append(n_legs)
            elif kind == UNLOAD and legs:
                close(base.layers[lay].unload_h)
                pending = (lay, cost)
            t += cost
        if end_layer < base.ground and legs:
            unload = base.layers[end_layer].unload_h
            close(unload)
            t += unload
        arcs = [leg.arc for s in segments for leg in s.legs]
        mlc = net.arcs.max_mlc[arcs] if arcs else np.zeros(0)
        if len(mlc) and np.isfinite(mlc).any():
            i = int(np.argmin(mlc))
            binding, link = float(mlc[i]), str(net.link_ids[net.arcs.link[arcs[i]]])
        else:
            binding, link = math.inf, None
        return Route(origin, destination, cargo.label, via, tuple(segments), tuple(changes),
                     t, binding, link, tuple(via_at))

    def _change(self, base: BaseGraph, a: int, b: int, legs: list[Leg], hours: float
                ) -> Change:
        net = self.net
        la, lb = base.layers[a], base.layers[b]
        node = legs[-1].to_node if legs else ""
        ga = net.fleets.gauge_mm[la.fleet] if la.fleet >= 0 else 0
        gb = net.fleets.gauge_mm[lb.fleet] if lb.fleet >= 0 else 0
        return Change(node, _fleet_name(net, la.fleet), _fleet_name(net, lb.fleet), hours,
                      transship=bool(ga and gb and ga != gb))


def when_available(net: Network, r: Route, start_h: float = 0.0) -> Route:
    """``r`` started at ``start_h`` (hours after day 0: the cargo's ready time) with each
    trip waiting until its fleet is available: carriers start at ``available_day``,
    none before (docs/model.md, "Carriers"), so a trip cannot load before then. The
    legs after a wait move later by it; ``waits`` says where and for which fleet, and
    ``total_h`` includes them. Times stay hours after the route's start."""
    fleets = net.fleets
    index = {str(f): i for i, f in enumerate(fleets.ids)}
    shift, waits, segments = 0.0, [], []
    for seg in r.segments:
        f = index.get(seg.fleet) if seg.fleet is not None else None
        if f is not None:
            avail = float(fleets.available_day[f])
            wait = avail * 24.0 - (start_h + seg.start_h + shift)
            if wait > 1e-9:
                shift += wait
                waits.append(Wait(str(seg.fleet), seg.from_node, wait, avail))
        if shift:
            seg = dataclasses.replace(
                seg, start_h=seg.start_h + shift,
                legs=tuple(dataclasses.replace(leg, start_h=leg.start_h + shift)
                           for leg in seg.legs))
        segments.append(seg)
    if not waits:
        return r
    return dataclasses.replace(r, segments=tuple(segments), total_h=r.total_h + shift,
                               waits=tuple(waits))


def legs_of(segments: list[Segment]) -> list[Leg]:
    return [leg for s in segments for leg in s.legs]


def _fleet_name(net: Network, f: int) -> str | None:
    if f == SELF:
        return None
    if f == ANY:
        return "*"
    return str(net.fleets.ids[f])


def _leg(net: Network, a: int, fleet: str | None, hours: float, start: float) -> Leg:
    arcs = net.arcs
    return Leg(
        arc=a,
        link=str(net.link_ids[arcs.link[a]]),
        from_node=str(net.nodes.ids[arcs.src[a]]),
        to_node=str(net.nodes.ids[arcs.dst[a]]),
        mode=MODES[int(arcs.mode[a])],
        fleet=fleet,
        km=float(arcs.km[a]),
        hours=hours,
        start_h=start,
        gauge_mm=int(arcs.gauge_mm[a]),
    )


def route(net: Network, origin: str, destination: str, item: Item = "bulk",
          via: Sequence[str] = ()) -> Route:
    """The fastest route for ``item`` (equipment type id, 'pax', 'bulk', 'litter' or a
    :class:`CargoClass`); raises :class:`NoRoute` with a diagnosed reason."""
    return Router(net).route(origin, destination, item, via)


def k_routes(net: Network, origin: str, destination: str, item: Item = "bulk", k: int = 3,
             via: Sequence[str] = (), penalty: float = 0.5) -> list[Route]:
    """Up to ``k`` diverse routes, fastest first (see :meth:`Router.k_routes`)."""
    return Router(net).k_routes(origin, destination, item, k, via, penalty)
