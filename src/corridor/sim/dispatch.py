"""Dispatch: which route each cargo class takes, and which load each carrier takes.

Two policies share the same mechanics:

- **Priority / earliest due date** (no plan). Movements are taken most urgent first
  (priority, then due day). Each cargo class weighs a few candidate routes — the
  fastest, the fastest without air and, for carried cargo, one that prefers rail —
  by estimated completion: its transit time plus the time the fleets able to run
  each segment need to cycle the whole class, given the work already given to
  those fleets ("water-filling": every fleet is busy until its ready time; the
  class is done when the fleets' summed rate has covered it). A free carrier
  serves the lane whose waiting cargo is most urgent, the nearest idle carrier
  goes, and it loads the most urgent cargo first. It leaves when full, when
  nothing more is coming for its lane, or after ``hold_h`` (24 h) waiting for a
  fuller load.
- **Follow a plan** (``--plan DIR``). Routes, shares and fleets come from the
  plan's flows; cargo may leave a segment's start only as the plan's departures
  release it (quotas), and carriers leave as soon as released cargo is aboard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from corridor.network.cargo import CargoClass
from corridor.network.graph import MODE_CODE, Network
from corridor.network.routing import NoRoute, Route, Router, Segment
from corridor.scenario import Scenario
from corridor.sim.model import FleetNet, compatible_fleets, movement_classes, units_per_trip
from corridor.sim.state import EPS, INF

if TYPE_CHECKING:
    from corridor.sim.engine import Run

# (day, movement, cargo class key, route number, segment index, units released)
Quota = tuple[float, str, str, int, int, float]


@dataclass
class RoutePlan:
    """Routes per (movement, cargo class) with their shares; per route, the fleets of
    each segment (plan) and departure quotas (plan)."""

    routes: dict[tuple[str, str], list[tuple[Route, float]]] = field(default_factory=dict)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    fleets: dict[tuple[str, str, int], list[frozenset[int]]] = field(default_factory=dict)
    quotas: list[Quota] | None = None
    source: str = "heuristic"


class FleetLoad:
    """Work already given to each fleet, as the day each would be free (water-filling)."""

    def __init__(self, net: Network, fn: FleetNet) -> None:
        self.net, self.fn = net, fn
        self.ready = net.fleets.available_day.astype(float).copy()

    def finish(self, r: Route, c: CargoClass, start: float, commit: bool = False) -> float:
        """Estimated day class ``c`` (ready at ``start``) is all through route ``r``."""
        net, fn = self.net, self.fn
        amount = c.mass_t if c.kind == "bulk" else float(c.count)
        done = start + r.total_h / 24.0
        for seg in r.segments:
            seg_start = start + seg.start_h / 24.0
            tail = seg.hours / 24.0 + (r.total_h - seg.start_h - seg.hours) / 24.0
            arcs = list(seg.arcs)
            if seg.fleet is None:
                flow = float(net.arcs.flow_per_h[arcs].min())
                if math.isfinite(flow) and flow > 0:
                    done = max(done, seg_start + amount / flow / 24.0 + tail)
                continue
            src = int(net.arcs.src[arcs[0]])
            fleets, level, rates = [], [], []
            for f in compatible_fleets(net, fn, c, seg):
                per = units_per_trip(net, f, c)
                cycle = (float(net.fleets.load_h[f] + net.fleets.unload_h[f]) / 24.0
                         + 2.0 * float(fn.days[f][arcs].sum()))
                here = fn.days_between(f, int(fn.home[f]), src)
                if per <= 0 or cycle <= 0 or not math.isfinite(here):
                    continue
                fleets.append(f)
                level.append(max(self.ready[f], net.fleets.available_day[f] + here, seg_start))
                rates.append(per * int(net.fleets.count[f]) / cycle)
            if not fleets:
                continue
            x = _water_level(np.asarray(level), np.asarray(rates), amount)
            slots = float(net.arcs.capacity_per_day[arcs].min())
            if math.isfinite(slots) and slots > 0:  # departures per day also bound it
                per_trip = max(units_per_trip(net, f, c) for f in fleets)
                x = max(x, seg_start + amount / per_trip / slots)
            done = max(done, x + tail)
            if commit:
                for f, lv in zip(fleets, level, strict=True):
                    if lv < x:
                        self.ready[f] = x
        return done


def _water_level(level: np.ndarray, rate: np.ndarray, amount: float) -> float:
    """The time X at which Σ rate_f · max(0, X - level_f) = amount."""
    order = np.argsort(level, kind="stable")
    lv, rt = level[order], rate[order]
    total_rate, covered = 0.0, 0.0
    for i in range(len(lv)):
        total_rate += rt[i]
        nxt = lv[i + 1] if i + 1 < len(lv) else math.inf
        need = amount - covered
        if lv[i] + need / total_rate <= nxt:
            return float(lv[i] + need / total_rate)
        covered += total_rate * (nxt - lv[i])
    return math.inf


def candidate_weights(net: Network) -> list[np.ndarray | None]:
    """Arc weights for the candidate searches: fastest, no air, rail before road."""
    mode = net.arcs.mode
    no_air = np.where(mode == MODE_CODE["air"], 1000.0, 1.0)
    rail = no_air * np.where(mode == MODE_CODE["road"], 4.0, 1.0)
    return [None, no_air, rail]


def choose_routes(scenario: Scenario, net: Network, fn: FleetNet | None = None) -> RoutePlan:
    """The heuristic's route for every movement and cargo class (see module doc)."""
    fn = fn or FleetNet(net)
    router = Router(net)
    plan = RoutePlan()
    load = FleetLoad(net, fn)
    weights = candidate_weights(net)
    mv = scenario.movements
    order = sorted(range(len(mv)), key=lambda i: (int(mv["priority"].iloc[i]),
                                                   float(mv["due_day"].iloc[i]), i))
    cache: dict[tuple[object, ...], list[Route] | str] = {}
    for i in order:
        mid = str(mv.index[i])
        m = mv.iloc[i]
        via = tuple(m["via"] or ())
        for c in movement_classes(scenario, mid, net):
            if c.kind == "litter":
                continue
            key = (str(m["origin"]), str(m["destination"]), via, c.cargo())
            if key not in cache:
                cache[key] = _candidates(router, key[0], key[1], via, c, weights)
            found = cache[key]
            if isinstance(found, str):
                plan.reasons[(mid, c.key)] = found
                continue
            ready = float(m["ready_day"])
            best = min(found, key=lambda r: (load.finish(r, c, ready), r.total_h))
            load.finish(best, c, ready, commit=True)
            plan.routes[(mid, c.key)] = [(best, 1.0)]
    return plan


def _candidates(router: Router, origin: str, destination: str, via: tuple[str, ...],
                c: CargoClass, weights: list[np.ndarray | None]) -> list[Route] | str:
    """Candidate routes: fastest, no air, rail before road; a self-moving class drives
    every road segment of each (road march)."""
    try:
        first = router.route(origin, destination, c, via)
    except NoRoute as e:
        return e.reason
    found = {first.signature(): first}
    use = weights[1:2] if c.kind == "pax" or c.self_moving else weights[1:]
    for w in use:
        if w is weights[1] and all(leg.mode != "air" for leg in first.legs):
            continue
        r = router.search(origin, destination, c, via, arc_weight=w)
        if r is not None:
            found.setdefault(r.signature(), r)
    routes = list(found.values())
    if c.self_moving:  # vehicles that can drive do; carriers on roads are for the rest
        routes = list({d.signature(): d for d in (drive(r, c.march_km_per_day)
                                                  for r in routes)}.values())
    # a route that passes a place twice only touches a via node to tick it off
    straight = [r for r in routes if len(set(r.nodes)) == len(r.nodes)]
    return straight or routes


def drive(r: Route, km_per_day: float) -> Route:
    """``r`` with every road segment driven by the cargo itself (road march)."""
    import dataclasses

    segments: list[Segment] = []
    t = 0.0
    for seg in r.segments:
        if all(leg.mode == "road" for leg in seg.legs):
            legs = []
            for leg in seg.legs:
                h = leg.km / km_per_day * 24.0
                legs.append(dataclasses.replace(leg, fleet=None, hours=h, start_h=t))
                t += h
            if segments and segments[-1].fleet is None:  # one march, no change
                prev = segments.pop()
                legs = [*prev.legs, *legs]
                start = prev.start_h
            else:
                start = legs[0].start_h
            segments.append(Segment(None, legs[0].from_node, legs[-1].to_node, tuple(legs),
                                    0.0, 0.0, start))
        else:
            shift = t - seg.start_h
            legs = [dataclasses.replace(leg, start_h=leg.start_h + shift) for leg in seg.legs]
            segments.append(dataclasses.replace(seg, legs=tuple(legs), start_h=t))
            t += seg.hours
    return dataclasses.replace(r, segments=tuple(segments), changes=(), total_h=t)


class Policy:
    """Run-time dispatch decisions over a run's state."""

    def __init__(self, run: Run) -> None:
        m = run.model
        self.run = run
        self.st = run.st
        self.follow_plan = m.quotas is not None
        mcs = m.consignments
        # per stage: tonnes, m2 and seats one unit takes, whether units are whole
        self.unit = [(mcs[c].unit_t, mcs[c].unit_m2, 1.0 if mcs[c].kind == "pax" else 0.0,
                      mcs[c].integral) for c in m.stage_mc.tolist()]
        self.cap = [tuple(row) for row in m.fleet_cap.tolist()]
        self.lane_stages = m.lane_stages
        self.fleet_lanes = m.fleet_lanes
        self.stage_fleets = m.stage_fleets
        self.stage_rank = m.stage_rank.tolist()
        self.lane_fleets = [sorted(frozenset().union(*(m.stage_fleets[s] for s in st)))
                            for st in m.lane_stages]
        self.dist: dict[tuple[int, int], list[float]] = {}  # (fleet, node) -> days to all

    def fill(self, lane: int, f: int, room: tuple[float, float, float]
             ) -> tuple[list[tuple[int, float]], bool]:
        """The load a carrier of fleet ``f`` with ``room`` (t, m2, pax) would take from
        ``lane``, most urgent stage first; and whether it is full (cargo it could take
        is left behind, or no room is left)."""
        st = self.st
        rt, rm, rp = room
        take: list[tuple[int, float]] = []
        full = False
        for s in self.lane_stages[lane]:
            w = st.waiting[s]
            if w <= EPS or f not in self.stage_fleets[s]:
                continue
            q = st.quota[s]
            if q <= EPS:
                continue
            n = w if w < q else q
            ut, um, up, whole = self.unit[s]
            if ut > 0 and n * ut > rt:
                n = rt / ut
            if um > 0 and n * um > rm:
                n = rm / um
            if up > 0 and n * up > rp:
                n = rp / up
            if whole:
                n = math.floor(n + 1e-9)
            if n < w - EPS:
                full = True
            if n <= EPS:
                continue
            take.append((s, n))
            rt -= n * ut
            rm -= n * um
            rp -= n * up
        if take and not full:
            full = any(r <= 1e-9 * c and c > 0 and r < c for r, c in zip((rt, rm, rp), room,
                                                                          strict=True))
        return take, full

    def activate(self, lane: int, s: int) -> None:
        """Cargo of stage ``s`` waits on ``lane``: the fleets that may serve it look."""
        st = self.st
        if self.stage_rank[s] < st.lane_rank[lane]:
            st.lane_rank[lane] = self.stage_rank[s]
        for f in self.stage_fleets[s]:
            st.active[f].add(lane)

    def deactivate(self, lane: int) -> None:
        self.st.lane_rank[lane] = INF
        for f in self.lane_fleets[lane]:
            self.st.active[f].discard(lane)

    def lane_pending(self, lane: int) -> bool:
        """More cargo is still to come to the lane's start."""
        st = self.st
        return any(st.pending[s] > EPS for s in self.lane_stages[lane])

    def expects(self, lane: int, f: int) -> bool:
        """The lane has cargo for fleet ``f`` waiting or still to come."""
        st = self.st
        return any((st.pending[s] > EPS or st.waiting[s] > EPS) and f in self.stage_fleets[s]
                   for s in self.lane_stages[lane])

    def nearest(self, f: int, to: int) -> tuple[int, float]:
        """The idle carrier of fleet ``f`` that reaches node ``to`` first, and its days."""
        idle = self.st.idle[f]
        here = idle.get(to)
        if here:
            return here[0], 0.0
        best, best_d = -1, INF
        dist = self.dist
        for pos, cs in idle.items():
            if not cs:
                continue
            row = dist.get((f, pos))
            if row is None:
                row = dist[(f, pos)] = self.run.model.paths.tree(f, pos)[0].tolist()
            d = row[to]
            if d < best_d:
                best, best_d = cs[0], d
        return best, best_d

    def dispatch_lane(self, lane: int, t: float, force: bool = False) -> None:
        """Send idle carriers to the lane while it has a load to go: the carrier arriving
        first whose fleet can take some of the waiting cargo."""
        run = self.run
        src = run.lane_src[lane]
        fleets = self.lane_fleets[lane]
        while True:
            pick = self._carrier_for(lane, fleets, src)
            if pick is None:
                return
            c, _, take, full = pick
            if not (full or force) and self.holds(lane, take, t):
                return
            self.send(c, lane, take, t, full)
            force = False

    def _carrier_for(self, lane: int, fleets: list[int], src: int
                     ) -> tuple[int, int, list[tuple[int, float]], bool] | None:
        """The idle carrier reaching ``src`` first that can take some waiting cargo, with
        the load it would take; carriers already there are tried first (cheap)."""
        st = self.st
        for f in fleets:
            here = st.idle[f].get(src) if st.n_idle[f] else None
            if here:
                take, full = self.fill(lane, f, self.cap[f])
                if take:
                    return here[0], f, take, full
        options = []
        for f in fleets:
            if st.n_idle[f]:
                c, d = self.nearest(f, src)
                if 0.0 < d < INF:
                    options.append((d, f, c))
        options.sort()
        for _, f, c in options:
            take, full = self.fill(lane, f, self.cap[f])
            if take:
                return c, f, take, full
        return None

    def reserve(self, c: int, lane: int, take: list[tuple[int, float]]) -> None:
        st = self.st
        emptied: set[int] = set()
        for s, n in take:
            st.waiting[s] -= n
            if st.quota[s] != INF:
                st.quota[s] -= n
            if st.waiting[s] <= EPS:
                st.waiting[s] = 0.0
                st.since[s] = INF
                emptied.update(self.stage_fleets[s])
        st.lane_of[c] = lane
        waiting = [s for s in self.lane_stages[lane] if st.waiting[s] > EPS]
        if not waiting:
            self.deactivate(lane)
            return self._load(c, take)
        st.lane_rank[lane] = min(self.stage_rank[s] for s in waiting)
        for f in emptied:  # fleets with nothing left here they can take stop looking
            if not any(f in self.stage_fleets[s] for s in waiting):
                st.active[f].discard(lane)
        self._load(c, take)

    def _load(self, c: int, take: list[tuple[int, float]]) -> None:
        st = self.st
        if st.load[c]:
            merged: dict[int, float] = dict(st.load[c])
            for s, n in take:
                merged[s] = merged.get(s, 0.0) + n
            st.load[c] = list(merged.items())
        else:
            st.load[c] = take

    def top_up(self, c: int) -> None:
        """A carrier arriving to load takes what has come meanwhile, room permitting."""
        st = self.st
        f = st.fleet_of[c]
        rt, rm, rp = self.cap[f]
        for s, n in st.load[c]:
            ut, um, up, _ = self.unit[s]
            rt, rm, rp = rt - n * ut, rm - n * um, rp - n * up
        more, _ = self.fill(st.lane_of[c], f, (rt, rm, rp))
        if more:
            self.reserve(c, st.lane_of[c], more)

    def find_work(self, c: int, t: float) -> None:
        """Idle carrier ``c`` takes the most urgent waiting cargo its fleet can carry (any
        other idle carrier was already offered that cargo when it arrived)."""
        st = self.st
        f = st.fleet_of[c]
        lanes = st.active[f]
        if not lanes:
            return
        rank = st.lane_rank
        for lane in sorted(lanes, key=rank.__getitem__) if len(lanes) > 1 else lanes:
            take, full = self.fill(lane, f, self.cap[f])
            if take and (full or not self.holds(lane, take, t)):
                self.send(c, lane, take, t, full)
                return

    def holds(self, lane: int, take: list[tuple[int, float]], t: float) -> bool:
        """Whether a load that does not fill the carrier waits for more (hold_h at most,
        and only while more is coming; a plan's departures never wait)."""
        if self.follow_plan or not self.lane_pending(lane):
            return False
        st, run = self.st, self.run
        due = min(st.since[s] for s, _ in take) + run.hold_d
        if t >= due:
            return False
        if st.hold_at[lane] != due:
            st.hold_at[lane] = due
            run.kernel.at(due, run.K_HOLD, lane, 0)
        return True

    def send(self, c: int, lane: int, take: list[tuple[int, float]], t: float,
             full: bool = True) -> None:
        """Carrier ``c`` takes ``take`` on ``lane``: loads here, or fetches it first. A
        full load goes on from the pickup at once; a partial one is topped up there with
        what has come meanwhile."""
        from corridor.sim.carriers import reposition, start_trip

        run, st = self.run, self.st
        run.take_idle(c)
        self.reserve(c, lane, take)
        if st.pos[c] == run.lane_src[lane]:
            start_trip(run, c, t)
        else:
            reposition(run, c, run.lane_src[lane], t, run.K_AT, then_load=full)
