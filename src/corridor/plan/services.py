"""From routes to the planner's service network.

The router (corridor.network) gives each commodity a few fast routes, each a chain of
segments (one carrier trip, or a road march). The planner turns them into

- *runs*: one way a carrier (or the cargo itself) covers a stretch: a fleet and its
  arcs. Runs are shared by every commodity that may use them, so carrier trips,
  link departures and node visits are counted once;
- *holds*: places where a commodity may wait between runs (segment ends), keyed by
  node, how many ``via`` nodes it has passed and, at a gauge-change station, the
  gauge it arrived on (so that crossing the gauge is always transshipped);
- *moves*: (commodity, run, from hold, to hold or destination) — the edges the
  flow variables live on.

Each segment may also be run by every other fleet of its mode that can take the
class and reach the arcs (and by road march when the class drives itself): the
router picks one carrier per leg; the planner chooses among all of them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from corridor.network.cargo import CargoClass
from corridor.network.gateways import (
    AVOID,
    GATEWAY_MODES,
    gateway_mode,
    only,
    steer_weights,
)
from corridor.network.graph import MODE_CODE, RAIL, ROAD, Network, csr_min
from corridor.network.routing import NoRoute, Route, Router
from corridor.network.stategraph import Rules, arc_ok, fleet_arcs
from corridor.plan.commodities import Commodity, mlc_thresholds

SELF = -1
SINK = -1
MAX_ALTERNATIVES = 2  # other fleets tried on a segment besides the router's choice
MAX_DEPOTS = 3  # depots a supply demand with no given source may draw from
LONG_HAUL = ("air", "sea", "rail", "inland_water", "road")
# land an alternative route between two via ports may add to the steered route's (a
# quay, a port's other terminal): more is a crossing to another port and a drive on
QUAY_KM = 50.0


@dataclass(frozen=True)
class Run:
    fleet: int  # SELF for a road march
    arcs: tuple[int, ...]
    start: int
    end: int
    hours: float  # departure to arrival: load + travel + unload (carrier) or march time
    entry_h: tuple[float, ...]  # hours after departure each arc is entered
    km: float
    march: float = 0.0  # km/day of a road march
    load_h: float = 0.0  # a carrier's loading and unloading hours here (handled_h)
    unload_h: float = 0.0


@dataclass
class Services:
    runs: list[Run] = field(default_factory=list)
    run_index: dict[tuple[object, ...], int] = field(default_factory=dict)
    holds: list[tuple[int, int, int, int]] = field(default_factory=list)  # com, node, via, g
    hold_index: dict[tuple[int, int, int, int], int] = field(default_factory=dict)
    origin_holds: set[int] = field(default_factory=set)
    moves: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    # (commodity, run, hold_in, hold_out or SINK, transship node or -1)
    move_index: set[tuple[int, int, int, int]] = field(default_factory=set)
    no_route: dict[int, str] = field(default_factory=dict)  # commodity -> reason
    # commodity -> per origin: per leg between stops: the router's routes
    routes: dict[int, list[list[list[Route]]]] = field(default_factory=dict)
    fleet_arcs: FleetArcs | None = None

    def run(self, r: Run) -> int:
        key = (r.fleet, r.arcs, r.march)
        i = self.run_index.get(key)
        if i is None:
            i = self.run_index[key] = len(self.runs)
            self.runs.append(r)
        return i

    def hold(self, key: tuple[int, int, int, int], origin: bool = False) -> int:
        i = self.hold_index.get(key)
        if i is None:
            i = self.hold_index[key] = len(self.holds)
            self.holds.append(key)
            if origin:
                self.origin_holds.add(i)
        return i

    def move(self, com: int, run: int, hin: int, hout: int, transship: int) -> None:
        key = (com, run, hin, hout)
        if key not in self.move_index:
            self.move_index.add(key)
            self.moves.append((com, run, hin, hout, transship))


class FleetArcs:
    """Per fleet: the arcs it runs on and its travel hours, cached."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self._ok = arc_ok(net, Rules())
        self._mask: dict[int, NDArray[np.bool_]] = {}
        self._graph: dict[int, object] = {}
        self._home: dict[int, NDArray[np.float64]] = {}
        self._pred: dict[tuple[int, int], NDArray[np.int64]] = {}
        self._paths: dict[tuple[int, int, int], list[int]] = {}

    def mask(self, f: int) -> NDArray[np.bool_]:
        if f not in self._mask:
            self._mask[f] = fleet_arcs(self.net, f, Rules(), self._ok)
        return self._mask[f]

    def hours(self, f: int) -> NDArray[np.float64]:
        a = self.net.arcs
        return a.km / np.minimum(self.net.fleets.speed_kmh[f], a.speed_kmh)

    def from_home(self, f: int) -> NDArray[np.float64]:
        """Hours from the fleet's home to every node (positioning)."""
        if f not in self._home:
            self._home[f] = self.distances(f, [int(self.net.fleets.home[f])])[0]
        return self._home[f]

    def distances(self, f: int, sources: Sequence[int]) -> NDArray[np.float64]:
        """Hours from each source node to every node, over the fleet's own arcs."""
        if f not in self._graph:
            a, m = self.net.arcs, self.mask(f)
            self._graph[f] = csr_min(a.src[m], a.dst[m], self.hours(f)[m], len(self.net.nodes))
        d = dijkstra(self._graph[f], directed=True, indices=list(sources))
        return np.atleast_2d(np.asarray(d, dtype=float))

    def path(self, f: int, src: int, dst: int) -> list[int]:
        """Arcs of the fleet's fastest run from ``src`` to ``dst`` (the empty run the
        carrier schedule books; [] where they are the same node or none exists)."""
        if src == dst:
            return []
        if (f, src, dst) in self._paths:
            return self._paths[(f, src, dst)]
        key = (f, src)
        if key not in self._pred:
            self.distances(f, [src])  # builds the fleet's graph
            _, pred = dijkstra(self._graph[f], directed=True, indices=src,
                               return_predecessors=True)
            self._pred[key] = np.asarray(pred, dtype=np.int64)
        pred = self._pred[key]
        a, m, h = self.net.arcs, self.mask(f), self.hours(f)
        out: list[int] = []
        v = dst
        while v != src:
            u = int(pred[v])
            if u < 0:
                return []
            cand = np.flatnonzero(m & (a.src == u) & (a.dst == v))
            out.append(int(cand[np.argmin(h[cand])]))  # the arc csr_min kept
            v = u
        self._paths[(f, src, dst)] = out[::-1]
        return out[::-1]


def trip_units(c: Commodity, net: Network, f: int) -> float:
    """Units of ``c`` one carrier of fleet ``f`` takes per trip."""
    fl = net.fleets
    if c.unit == "item":
        n = math.inf
        if c.mass_t > 0 and fl.capacity_t[f] > 0:
            n = min(n, fl.capacity_t[f] / c.mass_t)
        if c.area_m2 > 0 and fl.capacity_m2[f] > 0:
            n = min(n, fl.capacity_m2[f] / c.area_m2)
        return max(1.0, math.floor(n + 1e-9)) if math.isfinite(n) else 1e6
    cap = {"t": fl.capacity_t, "pax": fl.capacity_pax, "litter": fl.capacity_litters}[c.unit]
    return float(cap[f])


def handled_h(net: Network, f: int, node: int, hours: float,
              load_t: float = math.inf) -> float:
    """Hours a carrier of fleet ``f`` takes to load (or unload) at ``node``: its own
    ``load_h`` (``unload_h``), or longer where the node's ``handling_t_per_day`` needs
    longer for its load: a full load, or ``load_t`` where less than that can ever ride
    (a 2,000 t barge at a 500 t/day quay takes four days, as the simulator books it;
    100 t on a 200 t truck at a 240 t/day depot take 10 h, not 20)."""
    cap = float(net.nodes.handling_t_per_day[node])
    t = min(float(net.fleets.capacity_t[f]), load_t)
    if math.isfinite(cap) and cap > 0 and t > 0:
        return max(float(hours), t / cap * 24.0)
    return float(hours)


def carrier_run(net: Network, fa: FleetArcs, f: int, arcs: tuple[int, ...],
                load_t: float = math.inf) -> Run:
    """A trip of fleet ``f`` over ``arcs``; ``load_t`` caps the tonnes it handles at
    each end (the most that can ever ride it: :func:`part_loads`)."""
    fl = net.fleets
    h = fa.hours(f)[list(arcs)]
    src, dst = int(net.arcs.src[arcs[0]]), int(net.arcs.dst[arcs[-1]])
    load_h = handled_h(net, f, src, fl.load_h[f], load_t)
    unload_h = handled_h(net, f, dst, fl.unload_h[f], load_t)
    entry = load_h + np.concatenate([[0.0], np.cumsum(h)[:-1]])
    return Run(f, arcs, src, dst, float(load_h + h.sum() + unload_h),
               tuple(float(x) for x in entry), float(net.arcs.km[list(arcs)].sum()),
               load_h=load_h, unload_h=unload_h)


def part_loads(sv: Services, net: Network, coms: list[Commodity]) -> None:
    """Handling times for the tonnes that can ride each carrier run: where everything
    that may use a run weighs less than a full load, no trip of it ever handles more,
    so its loading and unloading at a node with a tonnes-per-day limit take only that
    long (the simulator books the tonnes aboard)."""
    if sv.fleet_arcs is None:
        return
    tonnes = np.zeros(len(sv.runs))
    pairs = {(c, r) for c, r, *_ in sv.moves}
    for c, r in pairs:
        tonnes[r] += coms[c].quantity * coms[c].mass_t
    for i, run in enumerate(sv.runs):
        if run.fleet == SELF or tonnes[i] >= float(net.fleets.capacity_t[run.fleet]):
            continue
        sv.runs[i] = carrier_run(net, sv.fleet_arcs, run.fleet, run.arcs, float(tonnes[i]))


def march_run(net: Network, arcs: tuple[int, ...], km_per_day: float) -> Run:
    km = net.arcs.km[list(arcs)]
    h = km / km_per_day * 24.0
    entry = np.concatenate([[0.0], np.cumsum(h)[:-1]])
    return Run(SELF, arcs, int(net.arcs.src[arcs[0]]), int(net.arcs.dst[arcs[-1]]),
               float(h.sum()), tuple(float(x) for x in entry), float(km.sum()), km_per_day)


def alternatives(net: Network, fa: FleetArcs, com: Commodity, fleet: str | None,
                 arcs: tuple[int, ...], n_other: int = MAX_ALTERNATIVES) -> list[Run]:
    """The router's choice for a segment plus the other ways to run it: the fleets of
    the mode that take the class and reach the arcs, soonest there first (available
    day + positioning from home + run time), and a road march when the class drives."""
    fl, a = net.fleets, net.arcs
    mode = int(a.mode[arcs[0]])
    runs: list[Run] = []
    chosen = fl.index[fleet] if fleet is not None else SELF
    tonnes = com.quantity * com.mass_t
    if chosen == SELF:
        runs.append(march_run(net, arcs, com.march_km_per_day))
    else:
        runs.append(carrier_run(net, fa, chosen, arcs))
    others: list[tuple[float, Run]] = []
    idx = list(arcs)
    start = int(a.src[arcs[0]])
    for name in com.cls.fleets:
        f = fl.index[name]
        if f == chosen or int(fl.mode[f]) != mode or fl.count[f] <= 0 \
                or fl.available_day[f] >= net.horizon_days:
            continue
        if fa.mask(f)[idx].all():
            run = carrier_run(net, fa, f, arcs)
            # ranked by how soon it delivers this class: a big carrier at a quay with a
            # tonnes-per-day limit handles a small class in less than a full load's time
            # (the run itself keeps the full-load time until part_loads sees every class)
            hours = carrier_run(net, fa, f, arcs, tonnes).hours
            soon = fl.available_day[f] * 24.0 + fa.from_home(f)[start] + hours
            others.append((float(soon), run))
    others.sort(key=lambda sr: sr[0])
    runs.extend(r for _, r in others[:n_other])
    if chosen != SELF and com.march_km_per_day > 0 and mode == ROAD:
        runs.append(march_run(net, arcs, com.march_km_per_day))
    return runs


def add_leg(sv: Services, net: Network, fa: FleetArcs, com: Commodity, route: Route,
            start: list[int], stage: int, last: bool) -> list[int]:
    """Add a route between two stops (origin, via nodes, destination) from the holds
    ``start``; returns the holds it ends in (empty when it ends at the destination).
    ``stage`` counts the stops passed, so legs only join at their stop."""
    current = start
    nseg = len(route.segments)
    ends: list[int] = []
    for i, seg in enumerate(route.segments):
        nxt: list[int] = []
        for run in alternatives(net, fa, com, seg.fleet, seg.arcs):
            r = sv.run(run)
            gauge = 0
            if run.fleet != SELF and int(net.fleets.mode[run.fleet]) == RAIL \
                    and net.nodes.transship_t_per_day[run.end] > 0:
                gauge = int(net.fleets.gauge_mm[run.fleet])
            if i == nseg - 1 and last:
                hout = SINK
            else:
                hout = sv.hold((com.index, run.end, stage + (i == nseg - 1), gauge))
            for hin in current:
                _, node, _, g_in = sv.holds[hin]
                ts = -1
                if g_in and run.fleet != SELF and int(net.fleets.mode[run.fleet]) == RAIL \
                        and int(net.fleets.gauge_mm[run.fleet]) != g_in:
                    ts = node
                sv.move(com.index, r, hin, hout, ts)
            if hout != SINK and hout not in nxt:
                nxt.append(hout)
        current = nxt
        if i == nseg - 1:
            ends = nxt
    return ends


def route_key(cls: CargoClass, a: str, b: str, thresholds: NDArray[np.float64]
              ) -> tuple[object, ...]:
    """Cargo the router treats alike (same fleets, same MLC band, same march speed)
    between the same two stops shares its routes."""
    band = int(np.searchsorted(thresholds, cls.mlc, side="left"))
    return (a, b, cls.kind, cls.fleets, band, cls.march_km_per_day if cls.self_moving else 0.0)


def _loops(r: Route) -> bool:
    nodes = r.nodes
    return len(set(nodes)) < len(nodes)


def _land_km(r: Route) -> float:
    """Kilometres of ``r`` off the gateway modes (road, rail, road march)."""
    return sum(leg.km for leg in r.legs if leg.mode not in GATEWAY_MODES)


def diverse_routes(router: Router, a: str, b: str, cls: CargoClass, k: int,
                   gateway: str | None = None) -> list[Route]:
    """The fastest route, then the fastest avoiding each long-haul mode it uses (so
    a brigade that *could* fly also gets its sea route: capacity, not one load's
    speed, decides), then :meth:`Router.k_routes`-style link penalties. Routes that
    visit a place twice are dropped when there are others. With ``gateway`` (a leg
    from a designated port of embarkation to one of debarkation) the routes are the
    ones that cross by that mode, when there are any: cargo sent to Savannah for an
    LMSR is not flown from Texas instead."""
    net = router.net
    if gateway is not None:
        steered = router.search(a, b, cls, arc_weight=steer_weights(net, gateway))
        if steered is not None and only([steered], gateway):
            # alternatives cross by the mode too, and reach it (and leave it) by land no
            # farther than the steered route does, give or take a quay: a sailing to
            # another port and a long drive on to the POD is not a crossing to the POD
            most = _land_km(steered) + QUAY_KM
            rest = [r for r in diverse_routes(router, a, b, cls, k)
                    if r.signature() != steered.signature() and _land_km(r) <= most]
            return [steered, *only(rest, gateway)][:k]
    first = router.route(a, b, cls)
    routes, seen = [first], {first.signature()}
    tried: set[str] = set()
    queue = [first]
    while queue and len(routes) < k:
        r = queue.pop(0)
        for mode in (m for m in r.modes if m in LONG_HAUL and m not in tried):
            tried.add(mode)
            w = np.where(net.arcs.mode == MODE_CODE[mode], AVOID, 1.0)
            alt = router.search(a, b, cls, arc_weight=w)
            if alt is not None and alt.signature() not in seen:
                seen.add(alt.signature())
                routes.append(alt)
                queue.append(alt)
            if len(routes) >= k:
                break
    if len(routes) < k:
        for alt in router.k_routes(a, b, cls, k=k - len(routes) + 1)[1:]:
            if alt.signature() not in seen and len(routes) < k:
                seen.add(alt.signature())
                routes.append(alt)
    clean = [r for r in routes if not _loops(r)]
    return clean or routes[:1]


def build_services(net: Network, coms: list[Commodity], k: int,
                   router: Router | None = None) -> Services:
    """Routes for every commodity, leg by leg between its stops: origin, each ``via``
    node (a designated port or airfield of embarkation / debarkation, where the cargo
    is handled) and destination."""
    router = router or Router(net)
    fa = FleetArcs(net)
    sv = Services()
    thresholds = mlc_thresholds(net)
    cache: dict[tuple[object, ...], list[Route] | str] = {}

    gateways: dict[tuple[str, str], str | None] = {}

    def leg(a: str, b: str, com: Commodity, between_vias: bool) -> list[Route] | str:
        gw = None
        if between_vias:
            if (a, b) not in gateways:
                gateways[(a, b)] = gateway_mode(net, a, b)
            gw = gateways[(a, b)]
        key = (*route_key(com.cls, a, b, thresholds), gw)
        got = cache.get(key)
        if got is None:
            try:
                got = diverse_routes(router, a, b, com.cls, k, gw)
            except NoRoute as e:
                got = e.reason
            cache[key] = got
        return got

    for com in coms:
        plans: list[list[list[Route]]] = []
        reasons: list[str] = []
        for origin in com.origins:
            stops = [origin]
            for v in (*com.via, com.destination):
                if v != stops[-1]:
                    stops.append(v)
            legs: list[list[Route]] = []
            for i, (a, b) in enumerate(itertools.pairwise(stops)):
                # between two via stops (POE then POD) the crossing is by their mode
                got = leg(a, b, com, 0 < i < len(stops) - 2)
                if isinstance(got, str):
                    where = f"from {a} to {b}: " if len(stops) > 2 else ""
                    reasons.append(where + got if len(com.origins) == 1
                                   else f"from depot {origin}: {where}{got}")
                    legs = []
                    break
                # no leg goes back through a stop already passed (a Halifax-Riga "leg"
                # by rail back to the origin and on by air): keep such a route only
                # when there is nothing else
                behind = set(stops[:i])
                forward = [r for r in got if not behind & set(r.nodes)]
                legs.append(forward or got)
            if legs:
                plans.append(legs)
        if not plans:
            sv.no_route[com.index] = "; ".join(dict.fromkeys(reasons)) or \
                "no origin to draw from"
            continue
        if len(plans) > 1:  # any depot: keep the few nearest by route time
            plans.sort(key=lambda legs: sum(min(r.total_h for r in rs) for rs in legs))
            plans = plans[:MAX_DEPOTS]
        sv.routes[com.index] = plans
        for legs in plans:
            o = net.nodes.index[legs[0][0].origin]
            current = [sv.hold((com.index, o, -1, 0), origin=True)]
            for i, routes in enumerate(legs):
                ends: list[int] = []
                for r in routes:
                    if r.segments:
                        for h in add_leg(sv, net, fa, com, r, current, i, i == len(legs) - 1):
                            if h not in ends:
                                ends.append(h)
                current = ends
    sv.fleet_arcs = fa
    part_loads(sv, net, coms)
    return sv
