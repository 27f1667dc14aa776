"""The compiled model a run reads: the scenario as integer-indexed arrays, built once.

Cargo moves as *consignments*: one per movement and cargo class (people, bulk
tonnes, a class of items; :func:`corridor.network.cargo.cargo_classes`), counted
in units (items, people or tonnes). A consignment's route is a chain of *stages*,
one per trip segment of a :class:`~corridor.network.routing.Route`. A stage waits
at its start node for a carrier of one of its *fleets* — every fleet of the
segment's mode that can take the class, runs on all of its arcs and can get there
from home (the router names one fleet per segment; which carrier goes is a
dispatch decision, as in the planner) — or, for a road march, drives off itself.
Stages on the same arcs and mode form a *lane*; a carrier loads the lane's
stages its fleet can take together, most urgent first.

Times are in days. Rates are stored as their reciprocal (days per tonne, per
visit, per departure, per vehicle), 0 meaning unlimited, so a run's hot loop
multiplies instead of testing for infinity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from corridor.network.cargo import CargoClass
from corridor.network.graph import MODE_CODE, Network, build_network, csr_min
from corridor.network.routing import Route, Segment
from corridor.network.stategraph import Rules, arc_ok, fleet_arcs
from corridor.scenario import Scenario
from corridor.sim.disruptions import DisruptionRows, compile_disruptions
from corridor.sim.options import SimOptions

if TYPE_CHECKING:
    from corridor.sim.dispatch import RoutePlan

SELF_MOVE = -1
N_MODES = len(MODE_CODE)
VISIT_COLUMNS = {"rail": "rail_per_day", "sea": "sea_per_day", "air": "air_per_day"}

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def per_unit(rate: Floats) -> Floats:
    """Days per unit of a per-day rate; 0 = unlimited, inf = closed."""
    with np.errstate(divide="ignore"):
        return np.where(np.isinf(rate), 0.0, 1.0 / rate)


class FleetNet:
    """Per fleet: the arcs it runs on (own mode and gauge, reachable from home), travel
    days, and shortest empty paths between nodes (computed on demand, then cached)."""

    def __init__(self, net: Network) -> None:
        a = net.arcs
        self.n = len(net.nodes)
        self.src, self.dst = a.src.astype(np.int64), a.dst.astype(np.int64)
        self.out_ptr, self.out_arcs = a.out_ptr, a.out_arcs
        self.horizon = net.horizon_days
        ok = arc_ok(net, Rules())
        fl = net.fleets
        self.mask = [fleet_arcs(net, f, Rules(), ok) for f in range(len(fl))]
        self.days = [a.km / np.minimum(fl.speed_kmh[f], a.speed_kmh) / 24.0
                     for f in range(len(fl))]
        self.graphs = [csr_min(a.src[m], a.dst[m], d[m], self.n)
                       for m, d in zip(self.mask, self.days, strict=True)]
        self.home = fl.home.astype(np.int64)
        self._trees: dict[tuple[int, int], tuple[Floats, NDArray[np.int32]]] = {}
        self.km = a.km
        self._paths: dict[tuple[int, int, int],
                          tuple[tuple[int, ...], tuple[float, ...], float]] = {}
        # per fleet, made on first use: the arc a path takes from node u to node v
        self._hops: list[dict[tuple[int, int], int] | None] = [None] * len(fl)

    def tree(self, f: int, a: int) -> tuple[Floats, NDArray[np.int32]]:
        key = (f, a)
        if key not in self._trees:
            g: sparse.csr_array = self.graphs[f]
            d, p = dijkstra(g, directed=True, indices=a, return_predecessors=True)
            self._trees[key] = (np.asarray(d, dtype=float), np.asarray(p, dtype=np.int32))
        return self._trees[key]

    def days_between(self, f: int, a: int, b: int) -> float:
        return 0.0 if a == b else float(self.tree(f, a)[0][b])

    def path(self, f: int, a: int, b: int) -> tuple[tuple[int, ...], tuple[float, ...], float]:
        """Arcs, their days and the km of fleet ``f``'s fastest empty path ``a`` to ``b``.

        Raises ValueError when ``b`` cannot be reached from ``a`` (a one-way link): an
        empty path there would be a free, instant drive. Callers check
        :meth:`days_between` (or a tree's row) first."""
        key = (f, a, b)
        hit = self._paths.get(key)
        if hit is None:
            dist, pred = self.tree(f, a)
            if not np.isfinite(dist[b]):
                raise ValueError(f"fleet {f} has no path from node {a} to node {b}")
            hops = self._hops[f] or self._make_hops(f)
            arcs: list[int] = []
            v = b
            while v != a:
                u = int(pred[v])
                arcs.append(hops[(u, v)])
                v = u
            arcs.reverse()
            days = self.days[f]
            hit = self._paths[key] = (tuple(arcs), tuple(float(days[x]) for x in arcs),
                                      float(self.km[arcs].sum()))
        return hit

    def _make_hops(self, f: int) -> dict[tuple[int, int], int]:
        """Per node pair joined by fleet ``f``'s arcs, its fastest arc (the first in
        out-arc order among equals). A simulation asks for paths between new pairs
        run after run, so a hop is a look-up rather than an array search."""
        days, mask, dst = self.days[f].tolist(), self.mask[f].tolist(), self.dst.tolist()
        ptr, out = self.out_ptr.tolist(), self.out_arcs.tolist()
        hops: dict[tuple[int, int], int] = {}
        for u in range(self.n):
            for arc in out[ptr[u]:ptr[u + 1]]:
                if mask[arc]:
                    k = (u, dst[arc])
                    best = hops.get(k)
                    if best is None or days[arc] < days[best]:
                        hops[k] = arc
        self._hops[f] = hops
        return hops

    def can_run(self, f: int, arcs: tuple[int, ...]) -> bool:
        return bool(self.mask[f][list(arcs)].all())


@dataclass(frozen=True)
class Consignment:
    """Static description of one consignment (movement x cargo class [x route])."""

    movement: int
    key: str  # cargo class key
    kind: str  # item | pax | bulk | litter
    amount: float  # units
    unit_t: float
    unit_m2: float
    unit_pax: float  # people per unit (1 for pax; riders per vehicle for self-movers)
    integral: bool
    first_stage: int  # -1: no route
    reason: str = ""  # why there is no route


@dataclass(frozen=True)
class SimModel:
    """Everything a run needs, as plain arrays (picklable; shipped once per worker)."""

    name: str
    horizon: float
    step_h: float
    seed: int
    options: SimOptions
    # nodes
    node_ids: tuple[str, ...]
    handling_dt: Floats  # days per tonne loaded or unloaded
    visit_dt: Floats  # (node, mode): days per carrier visit
    transship_dt: Floats  # days per tonne transshipped
    stock0: Floats  # depot stock (inf unlimited)
    depots: tuple[int, ...]
    # arcs
    arc_link: tuple[str, ...]
    arc_mode: Ints
    arc_km: Floats
    arc_slot_dt: Floats  # days per carrier departure
    arc_flow_dt: Floats  # days per self-moving vehicle entering
    # fleets and carriers
    fleet_ids: tuple[str, ...]
    fleet_mode: Ints
    fleet_home: Ints
    fleet_count: Ints
    fleet_available: Floats
    fleet_load_d: Floats
    fleet_unload_d: Floats
    fleet_cap: Floats  # (fleet, 4): t, m2, pax, litters per trip
    carrier_fleet: Ints
    paths: FleetNet
    # consignments, stages, lanes
    consignments: tuple[Consignment, ...]
    stage_mc: Ints
    stage_lane: Ints
    stage_next: Ints  # -1 = delivered after this stage
    stage_delay_d: Floats  # transfer time before the cargo may leave on this stage
    stage_transship: Ints  # node whose transshipment capacity the cargo passes, or -1
    stage_march: Floats  # km/day of a self-moving stage (0 for carried)
    stage_rank: Ints  # urgency of its movement: priority, due day, order (0 most urgent)
    stage_fleets: tuple[frozenset[int], ...]
    lane_mode: Ints  # SELF_MOVE for a road march
    lane_src: Ints
    lane_dst: Ints
    lane_arcs: tuple[tuple[int, ...], ...]
    lane_km: Floats
    lane_stages: tuple[tuple[int, ...], ...]  # most urgent first
    fleet_lanes: tuple[tuple[int, ...], ...]
    # movements
    mv_ids: tuple[str, ...]
    mv_due: Floats
    mv_ready: Floats
    mv_dest: Ints
    mv_mass_t: Floats
    mv_pax: Floats
    mv_supply: NDArray[np.bool_]  # delivered tonnes replenish the destination's stock
    # plan-following: (day, stage, units) released for departure; None = heuristic
    quotas: tuple[tuple[float, int, float], ...] | None
    # sustainment demand
    sup_node: Ints
    sup_rate: Floats
    sup_start: Floats
    sup_end: Floats
    sup_source: Ints  # -1 = any depot with stock
    disruptions: DisruptionRows
    medical: Any = None  # corridor.sim.medical.MedicalModel | None
    unmet: tuple[tuple[str, str], ...] = field(default=())  # (movement, reason)
    # per quota: whether its release sends carriers, i.e. it is the last of the quotas
    # released at the same moment on its lane (a plan's co-loaded trip goes as one)
    quota_go: tuple[bool, ...] = field(default=())
    # per quota: (fleet, node, day) the plan's carriers are free at that node, and
    # drive empty from it to its start (carriers.parquet; empty: not known, calls
    # reckon from the fleet's home)
    quota_from: tuple[tuple[tuple[int, int, float], ...], ...] = field(default=())
    policy: str = "heuristic"
    sup_class: tuple[str, ...] = field(default=())  # per supply row: its supply class
    # what the runs of one process share, built on first use (corridor.sim.engine.Shared)
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_carriers(self) -> int:
        return len(self.carrier_fleet)


def movement_classes(scenario: Scenario, mid: str, net: Network) -> list[CargoClass]:
    """A movement's cargo classes as the planner forms them (items merged by MLC band),
    so a plan's ``cargo_class`` keys name the simulator's classes too."""
    from corridor.network.cargo import cargo_classes, is_casualty, litter_class
    from corridor.plan.commodities import merge_classes, mlc_thresholds

    classes = merge_classes(cargo_classes(scenario, mid, net), mlc_thresholds(net))
    if not is_casualty(scenario, mid):
        return classes
    # a casualty movement's people are patients on litters, as the planner takes them
    seats = sum(c.seats for c in classes if c.kind == "item" and c.self_moving)
    out: list[CargoClass] = []
    for c in classes:
        if c.kind == "pax":
            lc = litter_class(c, net, seats)
            if lc is not None:
                out.append(lc)
        else:
            out.append(c)
    return out


MAX_FLEETS = 4  # fleets that may run a segment: the router's and the nearest others
MIN_LOAD_SHARE = 0.25  # ... taking at least this share of the largest load per trip


def units_per_trip(net: Network, f: int, c: CargoClass) -> float:
    """How many units of class ``c`` one carrier of fleet ``f`` takes (0: none)."""
    fl = net.fleets
    if c.kind == "pax":
        return float(fl.capacity_pax[f])
    if c.kind == "litter":
        return float(fl.capacity_litters[f])
    if c.kind == "bulk":
        return float(fl.capacity_t[f])
    n = math.inf
    if c.mass_t > 0:
        n = min(n, fl.capacity_t[f] / (c.mass_t / c.count))
    if c.footprint_m2 > 0:
        n = min(n, fl.capacity_m2[f] / (c.footprint_m2 / c.count))
    return float(max(math.floor(n + 1e-9), 1)) if math.isfinite(n) else float(c.count)




def compatible_fleets(net: Network, fn: FleetNet, c: CargoClass, seg: Segment) -> list[int]:
    """Fleets that may run segment ``seg`` with class ``c``: the router's choice and the
    other fleets of its mode able to take the class, run on all of its arcs and have
    carriers before the horizon — the ``MAX_FLEETS`` that reach the segment's start
    from home soonest (a fleet on the far side of the continent is no help) among those
    taking at least a quarter of the largest load per trip (no troops two at a time in
    truck cabs when coaches run)."""
    if seg.fleet is None:
        return []
    fl = net.fleets
    named = int(fl.index[seg.fleet])
    mode = int(fl.mode[named])
    src = int(net.arcs.src[seg.arcs[0]])
    ranked = []
    for name in c.fleets:
        f = int(fl.index[name])
        if int(fl.mode[f]) == mode and fl.count[f] > 0 \
                and fl.available_day[f] < net.horizon_days and fn.can_run(f, seg.arcs):
            here = float(fl.available_day[f]) + fn.days_between(f, int(fn.home[f]), src)
            if math.isfinite(here):
                ranked.append((f != named, here, f, units_per_trip(net, f, c)))
    least = MIN_LOAD_SHARE * max((r[3] for r in ranked), default=0.0)
    ranked = [r for r in ranked if r[3] >= least]
    ranked.sort()
    out = [r[2] for r in ranked[:MAX_FLEETS]]
    return out if out else [named]


@dataclass
class _Builder:
    """Collects lanes and stages while routes are added."""

    net: Network
    fn: FleetNet
    lanes: dict[tuple[int, tuple[int, ...], float], int] = field(default_factory=dict)
    lane_mode: list[int] = field(default_factory=list)
    lane_arcs: list[tuple[int, ...]] = field(default_factory=list)
    stage_mc: list[int] = field(default_factory=list)
    stage_lane: list[int] = field(default_factory=list)
    stage_next: list[int] = field(default_factory=list)
    stage_delay: list[float] = field(default_factory=list)
    stage_transship: list[int] = field(default_factory=list)
    stage_march: list[float] = field(default_factory=list)
    stage_fleets: list[frozenset[int]] = field(default_factory=list)
    named: set[int] = field(default_factory=set)  # fleets the router or plan names

    def lane(self, mode: int, arcs: tuple[int, ...], march: float) -> int:
        key = (mode, arcs, march)
        if key not in self.lanes:
            self.lanes[key] = len(self.lane_mode)
            self.lane_mode.append(mode)
            self.lane_arcs.append(arcs)
        return self.lanes[key]

    def add_route(self, mc: int, c: CargoClass, route: Route,
                  fleets: list[frozenset[int]] | None = None) -> int:
        """Stages of ``route`` for consignment ``mc``; returns the first stage.
        ``fleets`` overrides the fleets of each segment (from a plan)."""
        net = self.net
        first = len(self.stage_mc)
        gauge_before = 0
        for k, seg in enumerate(route.segments):
            node = int(net.nodes.index[seg.from_node])
            march = c.march_km_per_day if seg.fleet is None else 0.0
            if seg.fleet is None:
                fs: frozenset[int] = frozenset()
                mode = SELF_MOVE
            else:
                fs = fleets[k] if fleets is not None else \
                    frozenset(compatible_fleets(net, self.fn, c, seg))
                self.named.update(fs if fleets is not None
                                  else (int(net.fleets.index[seg.fleet]),))
                mode = int(net.fleets.mode[net.fleets.index[seg.fleet]])
            self.stage_mc.append(mc)
            self.stage_lane.append(self.lane(mode, seg.arcs, march))
            self.stage_next.append(len(self.stage_mc))
            # transfer_h when cargo changes carrier or mode here (not at its origin)
            self.stage_delay.append(float(net.nodes.transfer_h[node]) / 24.0 if k else 0.0)
            gauge = int(net.arcs.gauge_mm[seg.arcs[0]]) if mode == MODE_CODE["rail"] else 0
            change = bool(k and gauge and gauge_before and gauge != gauge_before)
            self.stage_transship.append(node if change else -1)
            self.stage_march.append(march)
            self.stage_fleets.append(fs)
            gauge_before = int(net.arcs.gauge_mm[seg.arcs[-1]]) \
                if mode == MODE_CODE["rail"] else 0
        self.stage_next[-1] = -1
        return first


def compile_model(scenario: Scenario, options: SimOptions, plan: RoutePlan | None = None,
                  net: Network | None = None) -> SimModel:
    """Compile ``scenario`` for simulation, following ``plan`` (routes, shares, fleets and
    departure quotas read from a plan folder) or, when None, the routes chosen by
    :func:`corridor.sim.dispatch.choose_routes`."""
    from corridor.sim.dispatch import choose_routes

    net = net or build_network(scenario)
    fn = FleetNet(net)
    plan = plan or choose_routes(scenario, net, fn)
    b = _Builder(net, fn)
    mv = scenario.movements
    consignments: list[Consignment] = []
    unmet: list[tuple[str, str]] = []
    stage_of: dict[tuple[str, str, int], int] = {}  # (movement, class, route no) -> 1st stage
    for mi, mid in enumerate(mv.index):
        classes = movement_classes(scenario, str(mid), net)
        riders = _riders(classes)
        for c in classes:
            if c.kind == "pax":
                total = float(c.count - riders.get("pax", 0))
                if total <= 0:
                    continue
                unit_t, unit_m2, unit_pax, integral = 0.0, 0.0, 1.0, True
            elif c.kind == "litter":  # patients (their seats are already counted off)
                total, unit_t, unit_m2, unit_pax, integral = float(c.count), 0.0, 0.0, 1.0, True
            elif c.kind == "bulk":
                total, unit_t, unit_m2, unit_pax, integral = c.mass_t, 1.0, 0.0, 0.0, False
            else:
                total = float(c.count)
                unit_t, unit_m2 = c.mass_t / c.count, c.footprint_m2 / c.count
                unit_pax, integral = riders.get(c.key, 0) / c.count, True
            options_ = plan.routes.get((str(mid), c.key), [])
            if not options_:
                reason = plan.reasons.get((str(mid), c.key), "no route in the plan")
                consignments.append(Consignment(mi, c.key, c.kind, total, unit_t, unit_m2,
                                                unit_pax, integral, -1, reason))
                unmet.append((str(mid), f"{c.cargo().describe()}: {reason}"))
                continue
            shares = _split(total, [s for _, s in options_], integral)
            for rno, ((route, _), amount) in enumerate(zip(options_, shares, strict=True)):
                if amount <= 0 or not route.segments:
                    continue
                mc = len(consignments)
                fleets = plan.fleets.get((str(mid), c.key, rno))
                stage_of[(str(mid), c.key, rno)] = b.add_route(mc, c, route, fleets)
                consignments.append(Consignment(mi, c.key, c.kind, amount, unit_t, unit_m2,
                                                unit_pax, integral, stage_of[(str(mid), c.key,
                                                                              rno)]))
    return _assemble(scenario, options, net, fn, b, consignments, unmet, stage_of, plan)


def _riders(classes: list[CargoClass]) -> dict[str, int]:
    """People riding in the seats of the movement's self-moving vehicles (model.md,
    "Self-movement"; as the planner counts them): per class key, and the total under
    "pax". The rest of the people need a carrier."""
    left = sum(c.count for c in classes if c.kind == "pax")
    out: dict[str, int] = {}
    for c in classes:
        if c.kind == "item" and c.self_moving and left > 0 and c.seats > 0:
            n = min(left, c.seats)
            out[c.key] = n
            left -= n
    out["pax"] = sum(v for v in out.values())
    return out


def _split(total: float, shares: list[float], integral: bool) -> list[float]:
    """Split ``total`` units by ``shares``; whole units stay whole, the sum is exact."""
    s = np.asarray(shares, dtype=float)
    s = s / s.sum() if s.sum() > 0 else np.full(len(s), 1.0 / len(s))
    if not integral:
        out = (s * total).tolist()
        out[-1] = total - sum(out[:-1])
        return [float(x) for x in out]
    raw = s * total
    base = np.floor(raw)
    rest = round(float(total - base.sum()))
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return [float(x) for x in base]


def _medical_fleets(scenario: Scenario, net: Network, fn: FleetNet, b: _Builder,
                    consignments: list[Consignment]) -> tuple[Any, list[frozenset[int]]]:
    """The medical model and the stages' fleets without the medical ones.

    Medical carriers are the fleets with litters that carry no movement cargo: not
    named by the router or the plan for a segment, and with no room for cargo but
    seats and litters (an ambulance bus; a C-17 that may fly cargo stays a cargo
    fleet). Such a fleet is only an alternate for people elsewhere, so it is taken off
    those stages (one carrier is never in both the movements' and the medical chain's
    pools), unless no other fleet could run a stage."""
    from corridor.sim.medical import compile_medical

    fl = net.fleets
    light = {f for f in range(len(fl)) if fl.capacity_litters[f] > 0
             and fl.capacity_t[f] <= 0 and fl.capacity_m2[f] <= 0}
    free = light - b.named
    busy = set(frozenset().union(*b.stage_fleets)) - free
    for fs in b.stage_fleets:
        if fs and fs <= free:  # no other fleet can run this stage
            busy |= fs
    mv = scenario.movements
    dest = mv["destination"].astype(str).tolist()
    idx = net.nodes.index
    troops_to = frozenset(int(idx[dest[c.movement]]) for c in consignments
                          if c.kind != "litter" and c.unit_pax > 0 and c.first_stage >= 0)
    medical = compile_medical(scenario, net, fn, frozenset(busy), troops_to)
    if medical is None or not medical.fleets:
        return medical, list(b.stage_fleets)
    drop = frozenset(medical.fleets)
    return medical, [fs - drop if fs & drop else fs for fs in b.stage_fleets]


def _assemble(scenario: Scenario, options: SimOptions, net: Network, fn: FleetNet,
              b: _Builder, consignments: list[Consignment], unmet: list[tuple[str, str]],
              stage_of: dict[tuple[str, str, int], int], plan: RoutePlan) -> SimModel:
    nodes, arcs, fl = scenario.nodes, net.arcs, net.fleets
    n = len(net.nodes)
    visit = np.zeros((n, N_MODES))
    for mode, col in VISIT_COLUMNS.items():
        visit[:, MODE_CODE[mode]] = per_unit(nodes[col].to_numpy(dtype=float))
    is_depot = nodes["kind"].to_numpy() == "depot"
    mv = scenario.movements

    # urgency: priority, due day, movement order, consignment order
    key = [(int(mv["priority"].iloc[c.movement]), float(mv["due_day"].iloc[c.movement]),
            c.movement, i) for i, c in enumerate(consignments)]
    order = sorted(range(len(consignments)), key=lambda i: key[i])
    mc_rank = np.empty(len(consignments), dtype=np.int64)
    mc_rank[order] = np.arange(len(consignments))
    stage_rank = mc_rank[np.asarray(b.stage_mc, dtype=np.int64)] if b.stage_mc \
        else np.zeros(0, np.int64)
    lane_stages: list[list[int]] = [[] for _ in b.lane_mode]
    for s, lane in enumerate(b.stage_lane):
        lane_stages[lane].append(s)
    lane_stages = [sorted(st, key=lambda s: int(stage_rank[s])) for st in lane_stages]
    medical, stage_fleets = _medical_fleets(scenario, net, fn, b, consignments)
    lane_fleets = [frozenset().union(*(stage_fleets[s] for s in st)) for st in lane_stages]
    fleet_lanes = tuple(tuple(i for i, fs in enumerate(lane_fleets) if f in fs)
                        for f in range(len(fl)))
    idx = pd.Index(net.nodes.ids)
    sup = scenario.supply
    sup_source = [idx.get_loc(v) if v else -1 for v in sup["source"].astype(str)]
    quotas: tuple[tuple[float, int, float], ...] | None = None
    quota_go: tuple[bool, ...] = ()
    quota_from: tuple[tuple[tuple[int, int, float], ...], ...] = ()
    if plan.quotas is not None:
        q = []
        for day, mid, ckey, rno, seg, units in plan.quotas:
            first = stage_of.get((mid, ckey, rno), -1)
            if first >= 0:
                q.append((float(day), first + seg, float(units)))
        quotas = _whole_quotas(tuple(sorted(q)), consignments, b.stage_mc)
        quota_go = _quota_go(quotas, b.stage_lane)
        quota_from = _quota_from(quotas, plan.set_off, stage_fleets,
                                 [int(arcs.src[b.lane_arcs[lane][0]]) for lane in b.stage_lane],
                                 scenario.step_h / 24.0)
    cap = np.stack([fl.capacity_t, fl.capacity_m2, fl.capacity_pax, fl.capacity_litters],
                   axis=1) if len(fl) else np.zeros((0, 4))
    lane_src = [int(arcs.src[a[0]]) for a in b.lane_arcs]
    lane_dst = [int(arcs.dst[a[-1]]) for a in b.lane_arcs]
    return SimModel(
        name=scenario.name,
        horizon=float(scenario.horizon_days),
        step_h=scenario.step_h,
        seed=int(scenario.seed),
        options=options,
        node_ids=tuple(str(x) for x in net.nodes.ids),
        handling_dt=per_unit(nodes["handling_t_per_day"].to_numpy(dtype=float)),
        visit_dt=visit,
        transship_dt=per_unit(np.where(net.nodes.transship_t_per_day > 0,
                                       net.nodes.transship_t_per_day, np.inf)),
        stock0=np.where(is_depot, nodes["storage_t"].to_numpy(dtype=float), 0.0),
        depots=tuple(int(i) for i in np.flatnonzero(is_depot)),
        arc_link=tuple(str(net.link_ids[k]) for k in arcs.link),
        arc_mode=arcs.mode.astype(np.int64),
        arc_km=arcs.km,
        arc_slot_dt=per_unit(arcs.capacity_per_day),
        arc_flow_dt=per_unit(arcs.flow_per_h * 24.0),
        fleet_ids=tuple(str(x) for x in fl.ids),
        fleet_mode=fl.mode.astype(np.int64),
        fleet_home=fl.home.astype(np.int64),
        fleet_count=fl.count.astype(np.int64),
        fleet_available=fl.available_day,
        fleet_load_d=fl.load_h / 24.0,
        fleet_unload_d=fl.unload_h / 24.0,
        fleet_cap=cap,
        carrier_fleet=np.repeat(np.arange(len(fl)), fl.count).astype(np.int64),
        paths=fn,
        consignments=tuple(consignments),
        stage_mc=np.asarray(b.stage_mc, dtype=np.int64),
        stage_lane=np.asarray(b.stage_lane, dtype=np.int64),
        stage_next=np.asarray(b.stage_next, dtype=np.int64),
        stage_delay_d=np.asarray(b.stage_delay, dtype=float),
        stage_transship=np.asarray(b.stage_transship, dtype=np.int64),
        stage_march=np.asarray(b.stage_march, dtype=float),
        stage_rank=stage_rank,
        stage_fleets=tuple(stage_fleets),
        lane_mode=np.asarray(b.lane_mode, dtype=np.int64),
        lane_src=np.asarray(lane_src, dtype=np.int64),
        lane_dst=np.asarray(lane_dst, dtype=np.int64),
        lane_arcs=tuple(b.lane_arcs),
        lane_km=np.asarray([float(arcs.km[list(a)].sum()) for a in b.lane_arcs], dtype=float),
        lane_stages=tuple(tuple(s) for s in lane_stages),
        fleet_lanes=fleet_lanes,
        mv_ids=tuple(str(x) for x in mv.index),
        mv_due=mv["due_day"].to_numpy(dtype=float),
        mv_ready=mv["ready_day"].to_numpy(dtype=float),
        mv_dest=idx.get_indexer(pd.Index(mv["destination"])).astype(np.int64),
        mv_mass_t=mv["mass_t"].to_numpy(dtype=float),
        mv_pax=mv["pax"].to_numpy(dtype=float),
        mv_supply=mv["kind"].isin(["supply", "aid"]).to_numpy(dtype=bool),
        quotas=quotas,
        sup_node=idx.get_indexer(pd.Index(sup["node"])).astype(np.int64),
        sup_rate=sup["t_per_day"].to_numpy(dtype=float),
        sup_start=sup["start_day"].to_numpy(dtype=float),
        sup_end=sup["end_day"].to_numpy(dtype=float),
        sup_source=np.asarray(sup_source, dtype=np.int64),
        sup_class=tuple(sup["class"].fillna("").astype(str)) if "class" in sup else
        ("",) * len(sup),
        disruptions=compile_disruptions(scenario.disruptions, net),
        medical=medical,
        unmet=tuple(unmet),
        policy=plan.source,
        quota_go=quota_go,
        quota_from=quota_from,
    )


def _whole_quotas(quotas: tuple[tuple[float, int, float], ...],
                  consignments: list[Consignment], stage_mc: list[int]
                  ) -> tuple[tuple[float, int, float], ...]:
    """A plan's releases per stage, made to add up: the plan's flows carry rounding dust
    (24 departures of 41.666667 t for 1,000 t) and, for items, fractions of a vehicle
    split between routes (0.47 of a Boxer on a transporter); released as they are, the
    last units would never leave. Releases that come within half a unit (items) or a
    millionth (tonnes, people) of the consignment release all of it; items are released
    whole, by rounding the running total, so none waits for a release that never comes.
    A plan that moves less than the consignment still releases only what it moves."""
    by_stage: dict[int, list[int]] = defaultdict(list)
    for i, (_, s, _) in enumerate(quotas):
        by_stage[s].append(i)
    out = list(quotas)
    for s, idx in by_stage.items():
        mc = consignments[stage_mc[s]]
        total = sum(quotas[i][2] for i in idx)
        if total <= 0:
            continue
        if mc.integral:
            goal = mc.amount if total >= mc.amount - 0.5 else float(math.floor(total + 0.5))
        else:
            goal = mc.amount if total >= mc.amount * (1 - 1e-6) else total
        scale, run, given = goal / total, 0.0, 0.0
        for j, i in enumerate(idx):
            day, _, units = quotas[i]
            run += units * scale
            upto = goal if j == len(idx) - 1 else \
                (float(math.floor(run + 0.5)) if mc.integral else run)
            out[i] = (day, s, max(upto - given, 0.0))
            given = max(given, upto)
    return tuple(x for x in out if x[2] > 0)


def _quota_from(quotas: tuple[tuple[float, int, float], ...],
                set_off: dict[tuple[int, int], list[tuple[float, int, float]]],
                stage_fleets: list[frozenset[int]], stage_src: list[int], step_d: float
                ) -> tuple[tuple[tuple[int, int, float], ...], ...]:
    """Per quota, (fleet, node, day) its planned trips' carriers are free at and set off
    from empty: the plan's trips of the stage's fleets from the stage's start that leave
    last at or before its release, within a planner step (the planner's trip leaves at
    a step start, loading included; the release is when loading must start for the
    flow's departure, so the two match up to the time the trip waits after its step
    start)."""
    out = []
    for day, s, _ in quotas:
        found: set[tuple[int, int, float]] = set()
        for f in stage_fleets[s]:
            trips = set_off.get((f, stage_src[s]), ())
            latest = max((dep for dep, _, _ in trips if dep <= day + 1e-6), default=-math.inf)
            if day - latest <= step_d + 1e-6:
                found.update((f, node, free) for dep, node, free in trips
                             if abs(dep - latest) <= 1e-6)
        out.append(tuple(sorted(found)))
    return tuple(out)


def _quota_go(quotas: tuple[tuple[float, int, float], ...], stage_lane: list[int]
              ) -> tuple[bool, ...]:
    """Per quota (sorted by day), whether carriers are sent on its release: only the
    last of the quotas released at the same moment on the same lane sends them, so the
    movements a plan loads onto one carrier trip (each its own quota) are all released
    before a carrier is loaded and ride together, as planned."""
    go = [True] * len(quotas)
    last: dict[tuple[float, int], int] = {}
    for i, (day, s, _) in enumerate(quotas):
        key = (day, stage_lane[s])
        if key in last:
            go[last[key]] = False
        last[key] = i
    return tuple(go)

