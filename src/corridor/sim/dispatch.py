# cython: annotation_typing=False
"""Dispatch: which route each cargo class takes, and which load each carrier takes.

Two policies share the same mechanics:

- **Priority / earliest due date** (no plan). Movements are taken most urgent first
  (priority, then due day). Each cargo class weighs a few candidate routes — the
  fastest, the fastest without air and, for carried cargo, one that prefers rail,
  each kept off passing a place twice where it can (:func:`_search`) — by estimated
  completion: its transit time plus the time the fleets able to run
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
from bisect import bisect_right, insort
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING

import numpy as np

from corridor.network.cargo import CargoClass
from corridor.network.gateways import keeps_gateways, stage_weights, via_gateways
from corridor.network.gateways import straight as _straight
from corridor.network.gateways import straight_search as _search
from corridor.network.graph import MODE_CODE, Network
from corridor.network.routing import NoRoute, Route, Router, Segment
from corridor.scenario import Scenario
from corridor.sim.carriers import reposition, start_trip
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
    # plan: per (fleet, node a trip starts at), (departure day, node its carrier drove
    # there from, day it was free there) per planned trip, from carriers.parquet
    set_off: dict[tuple[int, int], list[tuple[float, int, float]]] = \
        field(default_factory=dict)


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
    """Candidate routes: fastest, no air, rail before road, each kept off passing a
    place twice where it can be (:func:`_search`); a self-moving class drives every
    road segment of each (road march)."""
    try:
        first = router.route(origin, destination, c, via)
    except NoRoute as e:
        return e.reason
    first = _search(router, origin, destination, via, c, None, first) or first
    found = {first.signature(): first}
    use = weights[1:2] if c.kind in ("pax", "litter") or c.self_moving else weights[1:]
    for w in use:
        if w is weights[1] and all(leg.mode != "air" for leg in first.legs):
            continue
        r = _search(router, origin, destination, via, c, w)
        if r is not None:
            found.setdefault(r.signature(), r)
    routes = list(found.values())
    gateways = via_gateways(router.net, via)
    if gateways:
        routes = _by_gateways(router, origin, destination, via, c, gateways, routes)
    if c.self_moving:  # vehicles that can drive do; carriers on roads are for the rest
        routes = list({d.signature(): d for d in (drive(r, c.march_km_per_day)
                                                  for r in routes)}.values())
    # a route that passes a place twice only touches a via node to tick it off
    straight = [r for r in routes if _straight(r)]
    return straight or routes


def _by_gateways(router: Router, origin: str, destination: str, via: tuple[str, ...],
                 c: CargoClass, gateways: dict[int, str], routes: list[Route]) -> list[Route]:
    """The gateway rule (docs/model.md, "Via stops"), as the planner applies it per leg:
    between two via ports sharing a gateway mode the cargo crosses by that mode — the
    fastest route so steered, then the candidates that already do. Where even the
    steered route cannot, that stretch is left free."""
    net = router.net
    steered = _search(router, origin, destination, via, c,
                      stage_weights(net, len(via), gateways))
    if steered is None:
        return routes
    held = {k: m for k, m in gateways.items() if keeps_gateways(steered, {k: m})}
    if held != gateways:  # steer only the stretches that can keep the rule
        if not held:
            return routes
        steered = _search(router, origin, destination, via, c,
                          stage_weights(net, len(via), held))
        if steered is None or not keeps_gateways(steered, held):
            return routes
    rest = [r for r in routes
            if r.signature() != steered.signature() and keeps_gateways(r, held)]
    return [steered, *rest]


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
        sh = run.shared
        self.run = run
        self.st = run.st
        self.follow_plan = m.quotas is not None
        self.unit = sh.stage_unit  # per stage: t, m2, seats, litters per unit; whole
        self.cap = sh.fleet_cap
        self.lane_stages = m.lane_stages
        self.lane_fill = sh.lane_fill
        self.fleet_lanes = m.fleet_lanes
        self.stage_fleets = m.stage_fleets
        self.stage_rank = sh.stage_rank
        self.stage_pos = sh.stage_pos
        self.lane_fleets = sh.lane_fleets
        self.lane_mixed = sh.lane_mixed
        self.row = sh.row
        self.n_nodes = len(m.node_ids)
        # nearest(f, to) as last worked out, with the fleet's idle version then
        self._nearest: dict[int, tuple[int, int, float]] = {}
        # fill(lane, f, cap[f]) as last worked out, with the lane's version then
        self.n_fleets = len(m.fleet_ids)
        self._fill: dict[int, tuple[int, list[tuple[int, float]], bool]] = {}
        # plan-following: when each lane's last departure quota was released, and how
        # long a carrier waits there for released cargo still on its way (a step)
        self.released = [-INF] * len(m.lane_mode)
        self.step_d = float(m.step_h) / 24.0
        # plan-following: per lane, the days its quotas are released, in order
        self.releases: list[list[float]] = [[] for _ in m.lane_mode]
        for day, s, _ in m.quotas or ():
            rel = self.releases[m.stage_lane[s]]
            if not rel or rel[-1] != day:
                rel.append(day)

    def fill(self, lane: int, f: int, room: tuple[float, float, float, float]
             ) -> tuple[list[tuple[int, float]], bool]:
        """The load a carrier of fleet ``f`` with ``room`` (t, m2, pax, litters) would take from
        ``lane``, most urgent stage first; and whether it is full (cargo it could take
        is left behind, or no room is left)."""
        st = self.st
        waiting, quota = st.waiting, st.quota
        rt, rm, rp, rl = room
        take: list[tuple[int, float]] = []
        full = False
        info = self.lane_fill[lane]
        for j in st.lane_wait[lane]:  # the stages with cargo waiting, most urgent first
            s, fleets, ut, um, up, ul, whole = info[j]
            w = waiting[s]
            if w <= EPS or f not in fleets:
                continue
            q = quota[s]
            if q <= EPS:
                continue
            n = w if w < q else q
            if ut > 0 and n * ut > rt:
                n = rt / ut
            if um > 0 and n * um > rm:
                n = rm / um
            if up > 0 and n * up > rp:
                n = rp / up
            if ul > 0 and n * ul > rl:
                n = rl / ul
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
            rl -= n * ul
        if take and not full:
            ct, cm, cp, cl = room
            full = (rt <= 1e-9 * ct and ct > 0 and rt < ct) \
                or (rm <= 1e-9 * cm and cm > 0 and rm < cm) \
                or (rp <= 1e-9 * cp and cp > 0 and rp < cp) \
                or (rl <= 1e-9 * cl and cl > 0 and rl < cl)
        return take, full

    def fill_full(self, lane: int, f: int) -> tuple[list[tuple[int, float]], bool]:
        """:meth:`fill` for an empty carrier of fleet ``f``, remembered until cargo on the
        lane changes (arrives, is taken or released: its version)."""
        key = lane * self.n_fleets + f
        ver = self.st.lane_ver[lane]
        hit = self._fill.get(key)
        if hit is not None and hit[0] == ver:
            return hit[1], hit[2]
        take, full = self.fill(lane, f, self.cap[f])
        self._fill[key] = (ver, take, full)
        return take, full

    def activate(self, lane: int, s: int) -> None:
        """Cargo of stage ``s`` waits on ``lane``: the fleets that may serve it look."""
        st = self.st
        st.lane_ver[lane] += 1
        rank = self.stage_rank[s]
        if rank < st.lane_rank[lane]:
            st.lane_rank[lane] = rank
        if not st.in_wait[s]:
            st.in_wait[s] = True
            insort(st.lane_wait[lane], self.stage_pos[s])
        active = st.active
        for f in self.stage_fleets[s]:
            active[f].add(lane)

    def deactivate(self, lane: int) -> None:
        self.st.lane_rank[lane] = INF
        active = self.st.active
        for f in self.lane_fleets[lane]:
            active[f].discard(lane)

    def lane_pending(self, lane: int) -> bool:
        """More cargo is still to come to the lane's start."""
        return self.st.lane_pending[lane] > 0

    def expects(self, lane: int, f: int) -> bool:
        """The lane has cargo for fleet ``f`` waiting or still to come."""
        st = self.st
        pending, waiting, fleets = st.pending, st.waiting, self.stage_fleets
        for s in self.lane_stages[lane]:
            if (pending[s] > EPS or waiting[s] > EPS) and f in fleets[s]:
                return True
        return False

    def nearest(self, f: int, to: int) -> tuple[int, float]:
        """The idle carrier of fleet ``f`` that reaches node ``to`` first, and its days
        (remembered until the fleet's idle carriers change)."""
        st = self.st
        key = f * self.n_nodes + to
        ver = st.idle_ver[f]
        hit = self._nearest.get(key)
        if hit is not None and hit[0] == ver:
            return hit[1], hit[2]
        idle = st.idle[f]
        here = idle.get(to)
        if here:
            best, best_d = here[0], 0.0
        else:
            best, best_d = -1, INF
            rows = self.run.shared.rows[f]
            for pos, cs in idle.items():
                if not cs:
                    continue
                row = rows.get(pos)
                if row is None:
                    row = self.row(f, pos)
                d = row[to]
                if d < best_d:
                    best, best_d = cs[0], d
        self._nearest[key] = (ver, best, best_d)
        return best, best_d

    def dispatch_lane(self, lane: int, t: float, force: bool = False) -> None:
        """Send idle carriers to the lane while it has a load to go: the carrier arriving
        first whose fleet can take some of the waiting cargo."""
        while self.dispatch_one(lane, t, force):
            force = False

    def dispatch_one(self, lane: int, t: float, force: bool = False) -> bool:
        """Send one idle carrier to the lane if it has a load to go; whether one went."""
        pick = self._carrier_for(lane, self.lane_fleets[lane], self.run.lane_src[lane])
        if pick is None:
            return False
        c, f, take, full = pick
        if not force and self.follow_plan and self.catches_up(c, lane, f, take, t):
            return False
        if not (full or force) and self.holds(lane, take, t):
            return False
        self.send(c, lane, take, t, full)
        return True

    def dispatch_lanes(self, lanes: list[int], t: float) -> None:
        """:meth:`dispatch_lane` for the lanes cargo arrived on at one moment: a carrier
        at a time to the lane whose waiting cargo is the most urgent, so that less urgent
        cargo that came in on one lane does not take carriers ahead of more urgent cargo
        on another."""
        if len(lanes) == 1:
            self.dispatch_lane(lanes[0], t)
            return
        rank = self.st.lane_rank
        queue = [(rank[lane], i, lane) for i, lane in enumerate(lanes)]
        heapify(queue)
        while queue:
            _, i, lane = heappop(queue)
            if self.dispatch_one(lane, t) and rank[lane] < INF:
                heappush(queue, (rank[lane], i, lane))

    def _carrier_for(self, lane: int, fleets: list[int], src: int
                     ) -> tuple[int, int, list[tuple[int, float]], bool] | None:
        """The idle carrier reaching ``src`` first that can take some waiting cargo, with
        the load it would take; carriers already there are tried first (cheap)."""
        st = self.st
        n_idle, idle = st.n_idle, st.idle
        for f in fleets:
            if n_idle[f]:
                here = idle[f].get(src)
                if here:
                    take, full = self.fill_full(lane, f)
                    if take:
                        return here[0], f, take, full
        options = []
        memo, ver, n_nodes = self._nearest, st.idle_ver, self.n_nodes
        for f in fleets:
            if n_idle[f]:
                hit = memo.get(f * n_nodes + src)  # self.nearest(f, src), remembered
                if hit is not None and hit[0] == ver[f]:
                    c, d = hit[1], hit[2]
                else:
                    c, d = self.nearest(f, src)
                if 0.0 < d < INF:
                    options.append((d, f, c))
        if len(options) > 1:
            options.sort()
        for _, f, c in options:
            take, full = self.fill_full(lane, f)
            if take:
                return c, f, take, full
        return None

    def reserve(self, c: int, lane: int, take: list[tuple[int, float]]) -> None:
        st = self.st
        st.lane_ver[lane] += 1
        waiting, quota, since = st.waiting, st.quota, st.since
        emptied: set[int] | None = None
        for s, n in take:
            waiting[s] -= n
            if quota[s] != INF:
                quota[s] -= n
            if waiting[s] <= EPS:
                waiting[s] = 0.0
                since[s] = INF
                if st.in_wait[s]:
                    st.in_wait[s] = False
                    st.lane_wait[lane].remove(self.stage_pos[s])
                if emptied is None:
                    emptied = set(self.stage_fleets[s])
                else:
                    emptied.update(self.stage_fleets[s])
        st.lane_of[c] = lane
        stages = self.lane_stages[lane]
        wait = st.lane_wait[lane]  # the others have nothing waiting
        first = -1
        for j in wait:  # most urgent first
            if waiting[stages[j]] > EPS:
                first = stages[j]
                break
        if first < 0:
            self.deactivate(lane)
        else:
            st.lane_rank[lane] = self.stage_rank[first]
            if emptied:  # fleets with nothing left here they can take stop looking
                left = [self.stage_fleets[stages[j]] for j in wait
                        if waiting[stages[j]] > EPS]
                for f in emptied:
                    for fleets in left:
                        if f in fleets:
                            break
                    else:
                        st.active[f].discard(lane)
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
        rt, rm, rp, rl = self.cap[f]
        for s, n in st.load[c]:
            ut, um, up, ul, _ = self.unit[s]
            rt, rm, rp, rl = rt - n * ut, rm - n * um, rp - n * up, rl - n * ul
        more, _ = self.fill(st.lane_of[c], f, (rt, rm, rp, rl))
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
        pos = st.pos[c]
        row = self.run.shared.rows[f].get(pos)
        if row is None:
            row = self.row(f, pos)
        src = self.run.lane_src
        for lane in sorted(lanes, key=st.lane_rank.__getitem__) if len(lanes) > 1 else lanes:
            if row[src[lane]] == INF:  # no way there (one-way links): it cannot serve it
                continue
            take, full = self.fill_full(lane, f)
            if take and self.follow_plan and self.catches_up(c, lane, f, take, t):
                return  # it waits here for the lane's next release
            if take and (full or not self.holds(lane, take, t)):
                self.send(c, lane, take, t, full)
                return

    def holds(self, lane: int, take: list[tuple[int, float]], t: float) -> bool:
        """Whether a load that does not fill the carrier waits for more (hold_h at most,
        and only while more is coming; a plan's departures wait only for the cargo
        released for them, :meth:`plan_holds`)."""
        st = self.st
        if self.follow_plan:
            return self.plan_holds(lane, t)
        if not st.lane_pending[lane]:
            return False
        since = st.since
        oldest = INF
        for s, _ in take:
            if since[s] < oldest:
                oldest = since[s]
        run = self.run
        due = oldest + run.hold_d
        if t >= due:
            return False
        if st.hold_at[lane] != due:
            st.hold_at[lane] = due
            run.kernel.at(due, run.K_HOLD, lane, 0)
        return True

    def plan_holds(self, lane: int, t: float) -> bool:
        """Whether a plan's part-loaded carrier waits: cargo released for departure on
        ``lane`` (a planned trip's load, possibly of several movements) is still on its
        way to the lane's start. It waits one planner step after the release at most
        (the plan's resolution), then goes with what is there."""
        due = self.released[lane] + self.step_d
        if t >= due:
            return False
        st = self.st
        waiting, quota, pending = st.waiting, st.quota, st.pending
        for s in self.lane_stages[lane]:
            if quota[s] > waiting[s] + EPS and pending[s] > EPS:
                break
        else:
            return False
        if st.hold_at[lane] != due:
            st.hold_at[lane] = due
            run = self.run
            run.kernel.at(due, run.K_HOLD, lane, 0)
        return True

    def catches_up(self, c: int, lane: int, f: int, take: list[tuple[int, float]],
                   t: float) -> bool:
        """Whether carrier ``c``, at ``lane``'s start behind the plan, waits for the
        lane's next release rather than leave with ``take``. The plan splits loads
        where its cargo comes in bit by bit (a gauge change passes it on at the
        station's rate, and the plan sends each part on as it is through); when the
        cargo comes late (the simulator frees a parcel whole) or the carrier does, the
        releases already due would go now and the rest only after a round trip. So the
        carrier waits when: the lane's last release came before now (behind the plan),
        the next is within one planner step, cargo it has room for waits only for that
        release, and it could not be back before it."""
        if self.released[lane] >= t:  # released now: the plan's trip goes as planned
            return False
        st, run = self.st, self.run
        src = run.lane_src[lane]
        if st.pos[c] != src:
            return False
        rel = self.releases[lane]
        k = bisect_right(rel, t)
        if k >= len(rel) or rel[k] > t + self.step_d + EPS:
            return False
        nxt = rel[k]
        rt, rm, rp, rl = self.cap[f]
        took: dict[int, float] = {}
        for s, n in take:
            ut, um, up, ul, _ = self.unit[s]
            rt, rm, rp, rl = rt - n * ut, rm - n * um, rp - n * up, rl - n * ul
            took[s] = n
        waiting, quota, fleets = st.waiting, st.quota, self.stage_fleets
        for s in self.lane_stages[lane]:
            n = took.get(s, 0.0)
            if f not in fleets[s] or waiting[s] - n <= EPS or quota[s] - n > EPS:
                continue  # not cargo held back by its release
            ut, um, up, ul, whole = self.unit[s]
            fits = INF
            for r, u in ((rt, ut), (rm, um), (rp, up), (rl, ul)):
                if u > 0 and r / u < fits:
                    fits = r / u
            if fits >= (1.0 - 1e-9 if whole else EPS):
                break
        else:
            return False
        back = t + run.load_d[f] + run.lane_way(lane, f)[3] + run.unload_d[f] \
            + self.row(f, run.lane_dst[lane])[src]
        return back > nxt + EPS

    def send(self, c: int, lane: int, take: list[tuple[int, float]], t: float,
             full: bool = True) -> None:
        """Carrier ``c`` takes ``take`` on ``lane``: loads here, or fetches it first. A
        full load goes on from the pickup at once; a partial one is topped up there with
        what has come meanwhile — so is one that used up only some of its room (seats)
        while cargo needing the rest (deck) is still to come to the lane."""
        run, st = self.run, self.st
        f = st.fleet_of[c]  # run.take_idle(c), written out
        st.idle[f][st.pos[c]].remove(c)
        st.n_idle[f] -= 1
        st.idle_ver[f] += 1
        st.is_idle[c] = False
        self.reserve(c, lane, take)
        src = run.lane_src[lane]
        if st.pos[c] == src:
            start_trip(run, c, t)
            return
        if full and st.lane_pending[lane] and f in self.lane_mixed[lane]:
            full = False  # full seats, say, but deck cargo is still to come: top it up there
        reposition(run, c, src, t, run.K_AT, then_load=full)
