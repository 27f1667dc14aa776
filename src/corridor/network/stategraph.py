"""The state-expanded graph routing searches (docs/network.md).

A state is (stage, layer, node). A *layer* is one way the cargo moves: on a fleet
able to carry it, driving itself (road march), or — only when diagnosing — a virtual
carrier on any mode. One extra layer, *ground*, is the cargo standing at a node
between carriers. Edges:

- travel: an arc the layer may use (mode, usable, MLC, gauge, reachable from the
  fleet's home), costing its travel hours;
- unload: layer → ground, ``unload_h`` + the node's ``transfer_h``;
- load: ground → layer, ``load_h``;
- via: stage k → k+1 at the k-th via node, free (stages make "pass these nodes in
  order" a plain shortest path);
- the search starts on *ground* at the origin (no ``transfer_h`` there) and ends on
  any layer at the destination in the last stage, adding that layer's ``unload_h``
  (no ``transfer_h`` at the final destination either).

Rail fleets of two gauges only ever meet at transshipment nodes, because the gauge
rule gives every usable rail arc at a non-transshipment node that node's gauge; so a
change of fleet through *ground* never silently crosses a gauge break.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from corridor.network.cargo import Cargo
from corridor.network.graph import CLOSED, GAUGE_BREAK, NO_SPEED, RAIL, ROAD, Network, mode_speed

SELF, ANY = -1, -2  # layer.fleet of the road-march layer and the diagnostic any-carrier
TRAVEL, LOAD, UNLOAD, VIA = 0, 1, 2, 3
EPS_H = 1e-6  # added to every edge weight: among equal times, prefer fewer steps


@dataclass(frozen=True)
class Rules:
    """Restrictions the search honours; diagnosis relaxes one at a time."""

    mlc: bool = True  # item mlc <= link max_mlc
    gauge: bool = True  # rail fleets on their own gauge, gauge breaks impassable
    fit: bool = True  # only fleets that can take the cargo
    availability: bool = True  # only fleets with carriers, available before the horizon,
    # on nodes their home reaches
    closed: bool = True  # closed links (capacity_per_day 0, speed 0) impassable
    any_carrier: bool = False  # add a virtual carrier on every mode (relaxes "mode")

    def relaxed(self, *names: str) -> Rules:
        import dataclasses

        kw: dict[str, bool] = {n: False for n in names if n != "mode"}
        if "mode" in names:
            kw["any_carrier"] = True
        return dataclasses.replace(self, **kw)


@dataclass(frozen=True)
class Layer:
    fleet: int  # fleet index, SELF or ANY
    load_h: float
    unload_h: float
    mode: int  # mode code it moves on (-1: any)


@dataclass(frozen=True)
class BaseGraph:
    """One stage of the state graph for one cargo under one set of rules."""

    n: int
    layers: tuple[Layer, ...]
    src: NDArray[np.int64]  # local state ids (layer * n + node), ground layer = len(layers)
    dst: NDArray[np.int64]
    cost: NDArray[np.float64]  # true hours
    arc: NDArray[np.int32]  # arc of a travel edge, else -1
    kind: NDArray[np.int8]
    layer: NDArray[np.int32]  # layer of a travel / load / unload edge
    layer_nodes: tuple[NDArray[np.int32], ...] = field(repr=False)

    @property
    def ground(self) -> int:
        return len(self.layers)


def arc_ok(net: Network, rules: Rules) -> NDArray[np.bool_]:
    """Arcs passable under ``rules`` before cargo- and fleet-specific checks."""
    a = net.arcs
    ok = a.usable.copy()
    if not rules.gauge:
        ok |= a.reason == GAUGE_BREAK
    if not rules.closed:
        ok |= (a.reason == CLOSED) | (a.reason == NO_SPEED)
    return ok


def fleet_arcs(net: Network, f: int, rules: Rules, base_ok: NDArray[np.bool_]
               ) -> NDArray[np.bool_]:
    """Arcs fleet ``f`` runs on (own mode and gauge; reachable from home if required).
    No MLC here: an empty carrier repositions over any bridge."""
    a, fl = net.arcs, net.fleets
    m = base_ok & (a.mode == fl.mode[f])
    if fl.mode[f] == RAIL and rules.gauge:
        g = fl.gauge_mm[f]
        m &= (a.gauge_mm == g) | (a.gauge_alt_mm == g)
    if rules.availability:
        m &= reachable(net, int(fl.home[f]), m)[a.src]
    return m


def reachable(net: Network, start: int, arcs: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Nodes reachable from ``start`` over the masked arcs."""
    n = len(net.nodes)
    g = sparse.csr_array((np.ones(int(arcs.sum())), (net.arcs.src[arcs], net.arcs.dst[arcs])),
                         shape=(n, n))
    order = breadth_first_order(g, start, directed=True, return_predecessors=False)
    out = np.zeros(n, dtype=bool)
    out[order] = True
    return out


def fleet_usable(net: Network, f: int, cargo: Cargo, rules: Rules) -> bool:
    fl = net.fleets
    if rules.fit and cargo.fleet_misfit(net, f):
        return False
    return not rules.availability or (
        fl.count[f] > 0 and fl.available_day[f] < net.horizon_days and fl.home[f] >= 0)


FleetCache = dict[tuple[int, bool, bool, bool], NDArray[np.bool_]]


def build_base(net: Network, cargo: Cargo, rules: Rules,
               cache: FleetCache | None = None) -> BaseGraph:
    """One stage of the state graph; ``cache`` keeps each fleet's arcs between calls."""
    a, fl = net.arcs, net.fleets
    n = len(net.nodes)
    cache = {} if cache is None else cache
    # a speed cap <= 0 (loaded scenarios refuse it; tables built in code may not) makes
    # the arc unusable (NO_SPEED); where "closed" is relaxed the diagnosis travels it at
    # the carrier's speed, so it names the link rather than dividing by zero
    cap = np.where(a.speed_kmh > 0, a.speed_kmh, np.inf)
    base_ok = arc_ok(net, rules)
    ok = base_ok & (cargo.mlc <= a.max_mlc) if rules.mlc else base_ok
    layers: list[Layer] = []
    masks: list[NDArray[np.bool_]] = []
    hours: list[NDArray[np.float64]] = []
    for f in range(len(fl)):
        if not fleet_usable(net, f, cargo, rules):
            continue
        key = (f, rules.gauge, rules.closed, rules.availability)
        if key not in cache:
            cache[key] = fleet_arcs(net, f, rules, base_ok)
        m = cache[key] & ok
        if not m.any():
            continue
        layers.append(Layer(f, float(fl.load_h[f]), float(fl.unload_h[f]), int(fl.mode[f])))
        masks.append(m)
        hours.append(a.km / np.minimum(fl.speed_kmh[f], cap))
    if cargo.kind == "item" and cargo.march_km_per_day > 0:
        m = ok & (a.mode == ROAD)
        if m.any():
            layers.append(Layer(SELF, 0.0, 0.0, ROAD))
            masks.append(m)
            hours.append(a.km / cargo.march_km_per_day * 24.0)
    if rules.any_carrier:
        speed = np.array([mode_speed(int(c)) for c in range(5)])[a.mode]
        layers.append(Layer(ANY, 0.0, 0.0, -1))
        masks.append(ok)
        hours.append(a.km / np.minimum(speed, cap))
    ground = len(layers)
    parts: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64],
                      NDArray[np.int32], int, int]] = []
    layer_nodes = []
    for li, (lay, m, h) in enumerate(zip(layers, masks, hours, strict=True)):
        arcs = np.flatnonzero(m).astype(np.int32)
        off = li * n
        parts.append((off + a.src[arcs].astype(np.int64), off + a.dst[arcs].astype(np.int64),
                      h[arcs], arcs, TRAVEL, li))
        nodes = np.unique(np.concatenate([a.src[arcs], a.dst[arcs]])).astype(np.int32)
        layer_nodes.append(nodes)
        none = np.full(len(nodes), -1, dtype=np.int32)
        parts.append((off + nodes.astype(np.int64), ground * n + nodes.astype(np.int64),
                      lay.unload_h + net.nodes.transfer_h[nodes], none, UNLOAD, li))
        parts.append((ground * n + nodes.astype(np.int64), off + nodes.astype(np.int64),
                      np.full(len(nodes), lay.load_h), none, LOAD, li))
    if parts:
        src = np.concatenate([p[0] for p in parts])
        dst = np.concatenate([p[1] for p in parts])
        cost = np.concatenate([p[2] for p in parts]).astype(np.float64)
        arc = np.concatenate([p[3] for p in parts])
        kind = np.concatenate([np.full(len(p[0]), p[4], np.int8) for p in parts])
        layer = np.concatenate([np.full(len(p[0]), p[5], np.int32) for p in parts])
    else:
        src = dst = np.zeros(0, np.int64)
        cost = np.zeros(0)
        arc = layer = np.zeros(0, np.int32)
        kind = np.zeros(0, np.int8)
    return BaseGraph(n, tuple(layers), src, dst, cost, arc, kind, layer, tuple(layer_nodes))


@dataclass(frozen=True)
class Expanded:
    """The base graph over ``stages`` stages with via edges, ready to search. The
    search ends at a state of the destination in the last stage (see :meth:`ends`)."""

    base: BaseGraph
    stages: int
    graph: sparse.csr_array
    key: NDArray[np.int64]  # sorted src * size + dst of the kept edges
    cost: NDArray[np.float64]
    arc: NDArray[np.int32]
    kind: NDArray[np.int8]
    layer: NDArray[np.int32]

    @property
    def size(self) -> int:
        return int(self.graph.shape[0])

    def source(self, origin: int) -> int:
        return self.base.ground * self.base.n + origin

    def edge(self, u: int, v: int) -> int:
        return int(np.searchsorted(self.key, u * self.size + v))

    def ends(self, destination: int) -> tuple[NDArray[np.int64], NDArray[np.float64],
                                               NDArray[np.int32]]:
        """End states at ``destination`` (each layer there, and ground), the final
        ``unload_h`` added after each, and their layers."""
        b, n = self.base, self.base.n
        last = (self.stages - 1) * n * (b.ground + 1)
        lays = [li for li in range(b.ground) if _has(b.layer_nodes[li], destination)]
        layers = np.array([*lays, b.ground], dtype=np.int32)
        states = last + layers.astype(np.int64) * n + destination
        unload = np.array([b.layers[li].unload_h for li in lays] + [0.0])
        return states, unload, layers


def _has(sorted_nodes: NDArray[np.int32], v: int) -> bool:
    i = int(np.searchsorted(sorted_nodes, v))
    return i < len(sorted_nodes) and int(sorted_nodes[i]) == v


def expand(base: BaseGraph, via: tuple[int, ...] = (),
           arc_weight: NDArray[np.float64] | None = None) -> Expanded:
    """Stage copies of ``base`` joined at the via nodes; ``arc_weight`` multiplies travel
    costs in the search weights only (k_routes penalties, steering): one per arc, or one
    row per stage."""
    n, g = base.n, base.ground
    block = n * (g + 1)
    stages = len(via) + 1
    size = stages * block
    srcs, dsts, costs, arcs, kinds, lays = [], [], [], [], [], []
    for k in range(stages):
        srcs.append(base.src + k * block)
        dsts.append(base.dst + k * block)
        costs.append(base.cost)
        arcs.append(base.arc)
        kinds.append(base.kind)
        lays.append(base.layer)
    all_layers = np.arange(g + 1, dtype=np.int64)
    for k, w in enumerate(via):
        s = k * block + all_layers * n + w
        srcs.append(s)
        dsts.append(s + block)
        costs.append(np.zeros(g + 1))
        arcs.append(np.full(g + 1, -1, np.int32))
        kinds.append(np.full(g + 1, VIA, np.int8))
        lays.append(all_layers.astype(np.int32))
    src = np.concatenate(srcs)
    dst = np.concatenate(dsts)
    cost = np.concatenate(costs)
    arc = np.concatenate(arcs)
    kind = np.concatenate(kinds)
    lay = np.concatenate(lays)
    weight = cost.copy()
    if arc_weight is not None:
        t = np.flatnonzero(kind == TRAVEL)
        if arc_weight.ndim == 1:
            weight[t] *= arc_weight[arc[t]]
        else:  # travel edges come stage by stage, len(base.src) per stage
            weight[t] *= arc_weight[t // len(base.src), arc[t]]
    weight += EPS_H
    key = src * size + dst
    order = np.lexsort((weight, key))
    key, weight = key[order], weight[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    keep = order[first]
    key, weight = key[first], weight[first]
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(src[keep], minlength=size), out=indptr[1:])
    graph = sparse.csr_array((weight, dst[keep].astype(np.int64), indptr), shape=(size, size))
    return Expanded(base, stages, graph, key, cost[keep], arc[keep], kind[keep], lay[keep])
