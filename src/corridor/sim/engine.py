# cython: annotation_typing=False
"""One replication: the model's events on the kernel, from a seed to a :class:`RunOutcome`.

Events (payloads ``a``, ``b``):

- ``CARGO_IN(stage, parcel)``: a parcel arrives where its stage starts (after
  transfer and transshipment) and waits for a carrier, or marches off;
- ``FREE(carrier, node)``: a carrier has unloaded (its cargo is delivered or goes on)
  and looks for work;
- ``AT(carrier, node)``: a carrier sent empty to pick up a load has arrived;
- ``BACK(carrier, node)``: a carrier has returned empty to where its lane starts;
- ``HOLD(lane, -)``: the longest wait for a fuller load is over;
- ``QUOTA(stage, i)``: a plan releases units for departure (plan-following);
- ``LOST(carrier, i)``: a carrier is lost with its cargo;
- ``MARCHED(stage, parcel)``: a convoy's tail has arrived at the end of its stage;
- ``CALL(quota, fleet)``: a plan's release is as far ahead as the fleet's home is from
  where it loads: idle carriers are sent there to be in place, and the call stays open
  for carriers falling idle until the release (plan-following);
- ``CALLED(carrier, node)``: a carrier so sent has arrived;
- ``READY(fleet, -)``: a fleet becomes available;
- ``DAILY(day, -)``: sustainment demand is drawn from stocks (and the medical chain
  generates the day's casualties).
"""

from __future__ import annotations

import math
from bisect import insort
from dataclasses import dataclass, field

import numpy as np

from corridor.sim import carriers, dispatch
from corridor.sim.carriers import Way, march, reposition, start_trip, transship
from corridor.sim.kernel import Kernel
from corridor.sim.model import N_MODES, SELF_MOVE, SimModel
from corridor.sim.state import EPS, INF, RunState

PAX_T = 0.1  # tonnes a person counts for in a movement's share arrived


@dataclass
class RunOutcome:
    """What one run produced (plain arrays and lists, cheap to pickle)."""

    closure: np.ndarray  # per movement, day; inf = not closed within the horizon
    delivered_t: np.ndarray  # per movement
    lost_t: np.ndarray
    delivered_pax: np.ndarray
    lost_pax: np.ndarray
    shipped: np.ndarray  # per consignment, units released at the origin
    delivered: np.ndarray
    lost: np.ndarray
    in_transit: np.ndarray
    carriers_lost: np.ndarray  # per fleet
    losses: list[tuple[float, int, int, int, float]]  # day, fleet, arc, consignment, units
    stockouts: list[tuple[int, int, float, int]]  # node, day, short t, supply row
    trips: int
    events: int
    medical: dict[str, float] = field(default_factory=dict)
    peak_beds: dict[str, float] = field(default_factory=dict)


class Shared:
    """What every run of a model reads and never writes, built on a process's first run
    and kept with the model (``SimModel.cache``), so the later runs of that process (a
    worker's batches) start at once: the hot arrays as lists, the ways carriers drive,
    days between nodes per fleet. Nothing here depends on a run's draws."""

    def __init__(self, m: SimModel) -> None:
        from corridor.scenario.schema import MODES

        self.model = m
        self.visit_dt = m.visit_dt.ravel().tolist()
        self.handling_dt = m.handling_dt.tolist()
        self.transship_dt = m.transship_dt.tolist()
        self.slot_dt = m.arc_slot_dt.tolist()
        self.flow_dt = m.arc_flow_dt.tolist()
        self.arc_km = m.arc_km.tolist()
        self.fleet_mode = m.fleet_mode.tolist()
        self.load_d = m.fleet_load_d.tolist()
        self.unload_d = m.fleet_unload_d.tolist()
        self.lane_src = m.lane_src.tolist()
        self.lane_dst = m.lane_dst.tolist()
        self.lane_mode = m.lane_mode.tolist()
        self.lane_km = m.lane_km.tolist()
        self.stage_lane = m.stage_lane.tolist()
        self.stage_next = m.stage_next.tolist()
        self.stage_mc = m.stage_mc.tolist()
        self.stage_delay = m.stage_delay_d.tolist()
        self.stage_transship = m.stage_transship.tolist()
        self.stage_rank = m.stage_rank.tolist()
        self.stage_march = m.stage_march.tolist()
        mcs = m.consignments
        self.stage_unit_t = [mcs[c].unit_t for c in self.stage_mc]
        # per stage: tonnes, m2, seats and litters one unit takes, whether units are whole
        self.stage_unit = [(mcs[c].unit_t, mcs[c].unit_m2, 1.0 if mcs[c].kind == "pax"
                            else 0.0, 1.0 if mcs[c].kind == "litter" else 0.0,
                            mcs[c].integral) for c in self.stage_mc]
        # per lane, most urgent first: (stage, its fleets, its unit's t, m2, seats,
        # litters, whole)
        self.lane_fill = [tuple((s, m.stage_fleets[s], *self.stage_unit[s]) for s in ss)
                          for ss in m.lane_stages]
        self.lane_fleets = [sorted(frozenset().union(*(m.stage_fleets[s] for s in ss)))
                            for ss in m.lane_stages]
        # per lane, the fleets taking cargo there that needs different room (people on
        # seats and crates on deck; items on deck and bulk on tonnes): a load that used
        # up one kind of room may still take cargo needing another
        self.lane_mixed = [frozenset(
            f for f in fleets
            if len({tuple(x > 0 for x in self.stage_unit[s][:4]) for s in ss
                    if f in m.stage_fleets[s]}) > 1)
            for ss, fleets in zip(m.lane_stages, self.lane_fleets, strict=True)]
        self.stage_pos = [0] * len(self.stage_mc)  # where in its lane's stages
        for ss in m.lane_stages:
            for j, s in enumerate(ss):
                self.stage_pos[s] = j
        self.fleet_cap = [tuple(row) for row in m.fleet_cap.tolist()]
        # per consignment: movement, people per unit, where its troops and stock go
        dest = m.mv_dest.tolist()
        supply = m.mv_supply.tolist()
        self.mc_movement = [c.movement for c in mcs]
        # people per unit who join the troops where they are delivered (not patients)
        self.mc_unit_pax = [0.0 if c.kind == "litter" else c.unit_pax for c in mcs]
        self.mc_dest = [dest[c.movement] for c in mcs]
        self.mc_stock = [c.kind == "bulk" and bool(supply[c.movement]) for c in mcs]
        # share of its movement one unit of each consignment is (people weigh PAX_T)
        weight = [c.amount * (c.unit_t + PAX_T * c.unit_pax) for c in mcs]
        total = np.bincount([c.movement for c in mcs], weight, minlength=len(m.mv_ids)) \
            if mcs else np.zeros(len(m.mv_ids))
        self.share = [float((c.unit_t + PAX_T * c.unit_pax) / total[c.movement])
                      if total[c.movement] > 0 else 0.0 for c in mcs]
        self.road = MODES.index("road")
        opts = m.options
        off = opts.deterministic
        self.breakdown_km = [0.0 if off or not math.isfinite(opts.breakdown_km.get(x, INF))
                             else opts.breakdown_km[x] for x in MODES]
        self.repair_d = [opts.repair_h.get(x, 0.0) / 24.0 for x in MODES]
        self.hold_d = opts.hold_h / 24.0
        arc_disrupted = (m.disruptions.arc_group >= 0).tolist()
        node_disrupted = (m.disruptions.node_group >= 0).tolist()
        # what crossing each arc costs: one addition (no slot limit, closure or threat),
        # a departure slot, or the gate of a disruption profile
        self.arc_kind = [carriers.GATED if g else carriers.SLOTTED if dt else carriers.PLAIN
                         for dt, g in zip(self.slot_dt, arc_disrupted, strict=True)]
        # (node, mode) where loading or unloading meets a visit limit, handling limit or
        # closure
        self.gated = [bool(self.visit_dt[k] or self.handling_dt[k // N_MODES]
                           or node_disrupted[k // N_MODES])
                      for k in range(len(self.visit_dt))]
        self.first_carrier = np.concatenate([[0], np.cumsum(m.fleet_count)]).tolist()
        self.carrier_fleet = m.carrier_fleet.tolist()
        self.lane_ways: list[dict[int, Way]] = [{} for _ in self.lane_src]  # per fleet
        self.path_ways: dict[tuple[int, int, int], Way] = {}  # (from, fleet, to)
        self.rows: list[dict[int, list[float]]] = [{} for _ in self.fleet_mode]
        self.days: list[list[float] | None] = [None] * len(self.fleet_mode)  # per arc

    def row(self, f: int, a: int) -> list[float]:
        """Days from node ``a`` to every node for fleet ``f`` (inf: no path)."""
        row = self.rows[f].get(a)
        if row is None:
            row = self.rows[f][a] = self.model.paths.tree(f, a)[0].tolist()
        return row

    def lane_way(self, lane: int, f: int) -> Way:
        w = self.lane_ways[lane].get(f)
        if w is None:
            m = self.model
            w = self.lane_ways[lane][f] = self._way(m.lane_arcs[lane], f,
                                                    float(m.lane_km[lane]))
        return w

    def path_way(self, f: int, a: int, b: int) -> Way:
        """Fleet ``f``'s empty drive from ``a`` to ``b``; where there is none (a one-way
        link) a way that never arrives, so a carrier sent there is never back for free
        (dispatch checks reachability first; this is the backstop)."""
        key = (a, f, b)
        w = self.path_ways.get(key)
        if w is None:
            if a != b and not self.row(f, a)[b] < INF:
                w = self.path_ways[key] = ((), (), 0.0, INF, True, (), -1.0)
            else:
                arcs, _, km = self.model.paths.path(f, a, b)
                w = self.path_ways[key] = self._way(arcs, f, km)
        return w

    def _way(self, arcs: tuple[int, ...], f: int, km: float) -> Way:
        days = self.days[f]
        if days is None:
            days = self.days[f] = self.model.paths.days[f].tolist()
        d = tuple(days[a] for a in arcs)
        kinds = tuple(self.arc_kind[a] for a in arcs)
        mkb = self.breakdown_km[self.fleet_mode[f]]
        p_break = 1.0 - math.exp(-km / mkb) if mkb and km > 0 else -1.0
        steps = tuple((a, x, k, self.slot_dt[a])
                      for a, x, k in zip(arcs, d, kinds, strict=True))
        return (arcs, d, km, sum(d), all(k == carriers.PLAIN for k in kinds), steps, p_break)


def shared(model: SimModel) -> Shared:
    """The model's :class:`Shared` part, built on first use in this process."""
    sh = model.cache.get("shared")
    if sh is None:
        sh = model.cache["shared"] = Shared(model)
    return sh  # type: ignore[no-any-return]


class Run:
    """A run's state, handlers and the shared helpers the handlers call."""

    def __init__(self, model: SimModel, seed: np.random.SeedSequence) -> None:
        m = self.model = model
        rng = np.random.default_rng(seed)
        sh = self.shared = shared(m)
        self.st = RunState(m, rng, sh.carrier_fleet)
        self.draws = self.st.draws
        self.mult = self.st.mult
        self.kernel = k = Kernel()
        # hot model arrays as lists (shared by the runs of this process; read only)
        self.visit_dt = sh.visit_dt
        self.handling_dt = sh.handling_dt
        self.transship_dt = sh.transship_dt
        self.slot_dt = sh.slot_dt
        self.flow_dt = sh.flow_dt
        self.arc_km = sh.arc_km
        self.fleet_mode = sh.fleet_mode
        self.load_d = sh.load_d
        self.unload_d = sh.unload_d
        self.lane_src = sh.lane_src
        self.lane_dst = sh.lane_dst
        self.lane_mode = sh.lane_mode
        self.lane_km = sh.lane_km
        self.stage_lane = sh.stage_lane
        self.stage_next = sh.stage_next
        self.stage_mc = sh.stage_mc
        self.stage_delay = sh.stage_delay
        self.stage_transship = sh.stage_transship
        self.stage_unit_t = sh.stage_unit_t
        self.share = sh.share
        self.mc_movement = sh.mc_movement
        self.mc_unit_pax = sh.mc_unit_pax
        self.mc_dest = sh.mc_dest
        self.mc_stock = sh.mc_stock
        self.road = sh.road
        self.breakdown_km = sh.breakdown_km
        self.repair_d = sh.repair_d
        self.hold_d = sh.hold_d
        self.gated = sh.gated
        self.first_carrier = sh.first_carrier
        self.lane_ways = sh.lane_ways
        self.policy = dispatch.Policy(self)
        self.K_IN = k.register(self.on_cargo_in)
        self.K_FREE = k.register(self.on_free)
        self.K_AT = k.register(self.on_at)
        self.K_BACK = k.register(self.on_back)
        self.K_HOLD = k.register(self.on_hold)
        self.K_QUOTA = k.register(self.on_quota)
        self.K_LOST = k.register(self.on_lost)
        self.K_MARCHED = k.register(self.on_marched)
        self.K_READY = k.register(self.on_ready)
        self.K_DAILY = k.register(self.on_daily)
        self.K_CALL = k.register(self.on_call)
        self.K_CALLED = k.register(self.on_called)
        # fleet x node: when the carriers called there arrive; per called carrier, its
        # arrival; per fleet, the open calls (fired, release to come): release day,
        # quota, node, carriers needed
        self.coming: dict[int, list[float]] = {}
        self.called: dict[int, float] = {}
        self.calls: list[list[tuple[float, int, int, int]]] = [[] for _ in m.fleet_ids]
        self.held: list[int] = []  # stages with cargo in this moment, not yet sent off
        self.medical = None
        if m.medical is not None:
            from corridor.sim.medical import MedicalRun

            self.medical = MedicalRun(self, m.medical)  # type: ignore[arg-type]
        self._schedule_start()

    # ----------------------------------------------------------------- setup
    def _schedule_start(self) -> None:
        m, st, k = self.model, self.st, self.kernel
        for f, day in enumerate(m.fleet_available.tolist()):
            k.at(max(day, 0.0), self.K_READY, f, 0)
        # most urgent first: cargo ready at the same moment is offered to a free carrier
        # in priority order, not in the order of the movements file
        rank = self.policy.stage_rank
        for mc in sorted((mc for mc in m.consignments if mc.first_stage >= 0
                          and mc.amount > EPS), key=lambda mc: rank[mc.first_stage]):
            p = st.parcel(mc.amount)
            k.at(float(m.mv_ready[mc.movement]), self.K_IN, mc.first_stage, p)
        self.n_initial = len(st.parcel_amt)  # parcels below this are releases at origin
        if m.quotas is not None:
            for i, (day, s, _units) in enumerate(m.quotas):
                k.at(day, self.K_QUOTA, s, i)
                self._schedule_call(i, day, s)
        if len(m.sup_node) or self.medical is not None:
            for d in range(math.ceil(m.horizon)):
                k.at(float(d), self.K_DAILY, d, 0)

    def _schedule_call(self, i: int, day: float, s: int) -> None:
        """The plan departs quota ``i`` from the lane's start at ``day`` with a carrier
        it had sent there in time. Where its plan says where that carrier is free before
        (carriers.parquet), the call opens when it is free there (its next trip is this
        one), at the latest when it must set off: a lorry that unloaded at the front is
        called from there, and a carrier away from a home at the lane's start is called
        at all. Else the call is as far ahead as the fleet's home is from there."""
        m = self.model
        lane = self.stage_lane[s]
        if self.lane_mode[lane] == SELF_MOVE:
            return
        src = self.lane_src[lane]
        when: dict[int, float] = {}  # per fleet with planned carriers: when to call
        for f, node, free in m.quota_from[i] if m.quota_from else ():
            d = self.shared.row(f, node)[src]
            at = min(free, day - d) if 0.0 < d < INF else INF  # INF: there already
            when[f] = min(when.get(f, INF), at)
        best, pick = INF, -1
        if when:  # the plan's fleet, when its first carrier is free or must set off
            for f in sorted(when):
                if when[f] < best:
                    best, pick = when[f], f
        else:  # the fleet whose home is nearest, that far ahead
            near = INF
            for f in sorted(m.stage_fleets[s]):
                d = self.shared.row(f, int(m.fleet_home[f]))[src]
                if d < near:
                    near, pick = d, f
            if 0.0 < near < INF:
                best = day - near
        if best < INF:
            self.kernel.at(max(best, 0.0), self.K_CALL, i, pick)

    def on_call(self, t: float, i: int, f: int) -> None:
        """Send idle carriers of fleet ``f`` to where quota ``i`` will leave, as many as
        its units fill. The call stays open until the release: the plan's carrier may
        be one still busy now (it sends the lorry that unloads at 5 h on from there),
        so each carrier of the fleet that falls idle before then is offered it
        (:meth:`answer_calls`)."""
        m = self.model
        day, s, units = m.quotas[i]  # type: ignore[index]
        src = self.lane_src[self.stage_lane[s]]
        per = INF
        for need_u, cap in zip(self.policy.unit[s][:4], self.policy.cap[f], strict=True):
            if need_u > 0:
                per = min(per, cap / need_u)
        need = math.ceil(units / per - 1e-9) if 0.0 < per < INF else 1
        call = (day, i, src, need)
        insort(self.calls[f], call)  # the soonest release first
        self.answer_call(call, f, t, -1, 0.0)

    def answer_call(self, call: tuple[float, int, int, int], f: int, t: float, only: int,
                    d_only: float) -> bool:
        """Send idle carriers of fleet ``f`` (``only``: just that one, ``d_only`` days
        away) to where ``call`` (release day, quota, node, carriers needed) leaves,
        nearest first, until as many as it needs are there or on the way in time. One
        that cannot be there in time goes only while too few are there or on the way at
        all: late beats never, but a second late one does not help. Whether any went."""
        st = self.st
        day, _, src, need = call
        key = f * len(self.model.node_ids) + src
        etas = self.coming.get(key)
        total = len(st.idle[f].get(src) or ())
        in_time = total
        if etas:
            total += len(etas)
            for eta in etas:
                if eta <= day + EPS:
                    in_time += 1
        if in_time >= need:
            return False
        cands: list[tuple[float, int]] = []
        if only >= 0:
            cands.append((d_only, only))
        else:
            for pos, cs in st.idle[f].items():
                if pos != src and cs:
                    d = self.shared.row(f, pos)[src]
                    if d < INF:
                        for c in cs:
                            cands.append((d, c))
            cands.sort()
        sent = False
        for d, c in cands:
            if in_time >= need:
                break
            if t + d <= day + EPS:
                in_time += 1
            elif total >= need:
                break  # nearest first: the rest are late too
            total += 1
            self.take_idle(c)
            eta = reposition(self, c, src, t, self.K_CALLED)
            if eta < INF:
                self.called[c] = eta
                if etas is None:
                    etas = self.coming[key] = []
                etas.append(eta)
            sent = True
        return sent

    def answer_calls(self, c: int, t: float) -> bool:
        """Idle carrier ``c``, with no cargo to take, answers the open call of its fleet
        with the soonest release it is short of; calls released by now are closed (the
        release sends carriers itself). Whether it went."""
        st = self.st
        f = st.fleet_of[c]
        calls = self.calls[f]
        while calls and calls[0][0] <= t:
            calls.pop(0)
        if not calls or not st.is_idle[c]:
            return False
        row = self.shared.row(f, st.pos[c])
        went = False  # a loop, not any(...): no generators in compiled methods
        for call in calls:
            d = row[call[2]]
            if 0.0 < d < INF:  # not there already, and a way there
                went = self.answer_call(call, f, t, c, d)
                if went:
                    break
        return went

    def on_called(self, t: float, c: int, node: int) -> None:
        f = self.st.fleet_of[c]
        eta = self.called.pop(c, INF)
        etas = self.coming.get(f * len(self.model.node_ids) + node)
        if etas and eta in etas:
            etas.remove(eta)
        self.st.pos[c] = node
        self.add_idle(c)
        self.policy.find_work(c, t)

    # ----------------------------------------------------------------- cargo
    def forward(self, s: int, n: float, t: float) -> None:
        """Units ``n`` of stage ``s`` are unloaded (or marched in) at ``t``: delivered, or
        on to the next stage after transfer and transshipment."""
        nxt = self.stage_next[s]
        if nxt < 0:
            self.deliver(self.stage_mc[s], n, t)
            return
        t2 = t + self.stage_delay[nxt]
        node = self.stage_transship[nxt]
        if node >= 0:
            t2 = transship(self, node, n * self.stage_unit_t[s], t2)
        if t2 > t:
            self.kernel.at(t2, self.K_IN, nxt, self.st.parcel(n))
        else:
            self.arrive(nxt, n, t)

    def on_cargo_in(self, t: float, s: int, p: int) -> None:
        self.arrive(s, self.st.parcel_amt[p], t)
        heap = self.kernel.heap
        if heap:
            nxt = heap[0]
            if nxt[0] == t and nxt[2] == self.K_IN:  # more cargo comes in this moment
                return
        self.send_held(t)

    def on_marched(self, t: float, s: int, p: int) -> None:
        self.forward(s, self.st.parcel_amt[p], t)
        self.send_held(t)

    def arrive(self, s: int, n: float, t: float) -> None:
        """``n`` units are at the start of stage ``s``, free to leave. Carriers are sent
        for them by :meth:`send_held` once all the cargo arriving at this moment is in,
        so a carrier loads it together (the people of a unit with its crates), not
        whichever class's event came first."""
        st = self.st
        before = st.pending[s]
        st.pending[s] = left = before - n
        lane = self.stage_lane[s]
        if before > EPS >= left:  # nothing more to come for this stage
            st.lane_pending[lane] -= 1
        st.waiting[s] += n
        if st.since[s] == INF:
            st.since[s] = t
        if self.lane_mode[lane] != SELF_MOVE:
            self.policy.activate(lane, s)
        self.held.append(s)

    def send_held(self, t: float) -> None:
        """Send off the cargo that arrived this moment: convoys march (in arrival order,
        the most urgent first), carriers go to the lanes most urgent cargo first."""
        held = self.held
        if not held:
            return
        self.held = []
        lanes: list[int] = []
        for s in held:
            lane = self.stage_lane[s]
            if self.lane_mode[lane] == SELF_MOVE:
                self.march_off(s, t)
            elif lane not in lanes:
                lanes.append(lane)
        if lanes:
            self.policy.dispatch_lanes(lanes, t)

    def march_off(self, s: int, t: float) -> None:
        st = self.st
        n = min(st.waiting[s], st.quota[s])
        if n <= EPS:
            return
        st.waiting[s] -= n
        st.quota[s] -= n
        if st.waiting[s] <= EPS:
            st.waiting[s] = 0.0
            st.since[s] = INF
        march(self, s, n, t)

    def deliver(self, mc: int, n: float, t: float) -> None:
        st = self.st
        st.delivered[mc] += n
        mv = self.mc_movement[mc]
        if n > EPS and t > st.last_in[mv]:
            st.last_in[mv] = t
        st.arrival_log.append((self.mc_movement[mc], t, n * self.share[mc]))
        unit_pax = self.mc_unit_pax[mc]
        if unit_pax:
            st.troops[self.mc_dest[mc]] += n * unit_pax
            if self.medical is not None:  # exposed from their arrival, not the next day
                self.medical.troops_in(self.mc_dest[mc], n * unit_pax, t)
        if self.mc_stock[mc]:
            st.stock[self.mc_dest[mc]] += n
        self._settle(mc, n, t)

    def _settle(self, mc: int, n: float, t: float) -> None:
        """``n`` units of ``mc`` are done (delivered or lost); nothing of its movement
        left on the way: the day its last delivered unit arrived. That is its closure
        when it lost nothing: a movement that lost cargo never closes (it is short;
        :meth:`outcome` leaves its closure inf)."""
        st = self.st
        st.left[mc] -= n
        if st.left[mc] <= EPS and st.left[mc] + n > EPS:
            mv = self.mc_movement[mc]
            st.open_mcs[mv] -= 1
            if st.open_mcs[mv] == 0 and st.last_in[mv] > -INF:
                st.closure[mv] = st.last_in[mv]

    def on_lost(self, t: float, c: int, i: int) -> None:
        st = self.st
        load, arc = st.lost_loads[i]
        f = st.fleet_of[c]
        st.carriers_lost[f] += 1
        if not load:
            st.losses.append((t, f, arc, -1, 0.0))
        for s, n in load:
            mc = self.stage_mc[s]
            st.lost[mc] += n
            st.losses.append((t, f, arc, mc, n))
            nxt = self.stage_next[s]
            while nxt >= 0:  # it will never reach the later stages
                before = st.pending[nxt]
                st.pending[nxt] = left = before - n
                if before > EPS >= left:
                    st.lane_pending[self.stage_lane[nxt]] -= 1
                nxt = self.stage_next[nxt]
            self._settle(mc, n, t)

    def load_tonnes(self, load: list[tuple[int, float]]) -> float:
        tonnes = 0.0
        unit_t = self.stage_unit_t
        for s, n in load:
            tonnes += n * unit_t[s]
        return tonnes

    # -------------------------------------------------------------- carriers
    def add_idle(self, c: int) -> None:
        st = self.st
        f = st.fleet_of[c]
        here = st.idle[f].get(st.pos[c])
        if here is None:
            st.idle[f][st.pos[c]] = [c]
        else:
            here.append(c)
        st.n_idle[f] += 1
        st.idle_ver[f] += 1
        st.is_idle[c] = True

    def take_idle(self, c: int) -> None:
        st = self.st
        f = st.fleet_of[c]
        st.idle[f][st.pos[c]].remove(c)
        st.n_idle[f] -= 1
        st.idle_ver[f] += 1
        st.is_idle[c] = False

    def on_ready(self, t: float, f: int, _b: int) -> None:
        st = self.st
        for c in range(self.first_carrier[f], self.first_carrier[f + 1]):
            self.add_idle(c)
        for c in range(self.first_carrier[f], self.first_carrier[f + 1]):
            if st.lane_of[c] < 0:
                self.policy.find_work(c, t)
        if self.calls[f]:  # calls made before the fleet was available
            for c in range(self.first_carrier[f], self.first_carrier[f + 1]):
                if st.lane_of[c] < 0 and st.is_idle[c]:
                    self.answer_calls(c, t)

    def on_free(self, t: float, c: int, node: int) -> None:
        """Unloaded: cargo delivered or on to its next stage; the carrier takes new work,
        else heads back to where its lane starts while more cargo is expected there (the
        fleet cycles, model.md "Carriers")."""
        st = self.st
        st.pos[c] = node
        lane = st.lane_of[c]
        st.lane_of[c] = -1
        f = st.fleet_of[c]  # self.add_idle(c), written out
        here = st.idle[f].get(node)
        if here is None:
            st.idle[f][node] = [c]
        else:
            here.append(c)
        st.n_idle[f] += 1
        st.idle_ver[f] += 1
        st.is_idle[c] = True
        load = st.load[c]
        st.load[c] = []
        for s, n in load:
            self.forward(s, n, t)
        self.send_held(t)
        if st.lane_of[c] >= 0:
            return
        self.policy.find_work(c, t)
        if st.lane_of[c] < 0 and st.is_idle[c] and self.calls[f] and self.answer_calls(c, t):
            return  # the plan wants it elsewhere next: rather there than back
        if lane >= 0 and st.lane_of[c] < 0 and st.is_idle[c]:
            src = self.lane_src[lane]
            if src != node and self.policy.expects(lane, f) \
                    and self.shared.row(f, node)[src] < INF:
                self.take_idle(c)
                reposition(self, c, src, t, self.K_BACK)

    def on_back(self, t: float, c: int, node: int) -> None:
        st = self.st
        st.pos[c] = node
        self.add_idle(c)
        self.policy.find_work(c, t)
        if st.lane_of[c] < 0 and st.is_idle[c] and self.calls[st.fleet_of[c]]:
            self.answer_calls(c, t)

    def on_at(self, t: float, c: int, node: int) -> None:
        self.st.pos[c] = node
        self.policy.top_up(c)
        start_trip(self, c, t)

    def on_hold(self, t: float, lane: int, _b: int) -> None:
        self.st.hold_at[lane] = INF
        self.policy.dispatch_lane(lane, t, force=True)

    def on_quota(self, t: float, s: int, i: int) -> None:
        st = self.st
        st.quota[s] += self.model.quotas[i][2]  # type: ignore[index]
        lane = self.stage_lane[s]
        st.lane_ver[lane] += 1
        self.policy.released[lane] = t
        if self.lane_mode[lane] == SELF_MOVE:
            self.march_off(s, t)
        elif self.model.quota_go[i]:  # the last release of this moment on the lane
            self.policy.dispatch_lane(lane, t)

    def unreserve(self, c: int) -> None:
        """Carrier ``c`` will not fetch its reserved load: back to the waiting pool."""
        st = self.st
        t = self.kernel.now
        lane = st.lane_of[c]
        for s, n in st.load[c]:
            st.waiting[s] += n
            if st.quota[s] != INF:
                st.quota[s] += n
            if st.since[s] == INF:
                st.since[s] = t
            self.policy.activate(lane, s)
        st.load[c] = []
        st.lane_of[c] = -1
        if lane >= 0:
            self.policy.dispatch_lane(lane, t)

    # ---------------------------------------------------------------- daily
    def on_daily(self, t: float, day: int, _b: int) -> None:
        m, st = self.model, self.st
        for i in range(len(m.sup_node)):
            lo, hi = max(float(m.sup_start[i]), t), min(float(m.sup_end[i]), t + 1.0,
                                                           m.horizon)
            if hi <= lo:
                continue
            need = float(m.sup_rate[i]) * (hi - lo)
            node = int(m.sup_node[i])
            need -= self._draw(node, need, t)
            src = int(m.sup_source[i])
            if need > EPS and src >= 0:
                need -= self._draw(src, need, t)
            elif need > EPS:
                for d in sorted(m.depots, key=lambda v: -st.stock[v]):
                    need -= self._draw(d, need, t)
                    if need <= EPS:
                        break
            if need > 1e-6:
                st.stockouts.append((node, day, need, i))
        if self.medical is not None:
            self.medical.daily(t, day)

    def _draw(self, node: int, need: float, t: float) -> float:
        """Take up to ``need`` tonnes from ``node``'s stock (nothing while it is closed)."""
        st = self.st
        prof = st.node_prof[node]
        if prof is not None and prof.factor_at(t) <= 0.0:
            return 0.0
        got = min(need, st.stock[node])
        if got > 0:
            st.stock[node] -= got
        return max(got, 0.0)

    # ------------------------------------------------------------------ run
    def run(self) -> RunOutcome:
        self.kernel.run(self.model.horizon)
        return self.outcome()

    def close(self) -> None:
        """Break the run's reference cycles (handlers, policy, medical chain), so that
        its state is freed as soon as it is dropped rather than by the cyclic garbage
        collector. The run cannot be used afterwards."""
        self.kernel.clear()
        if self.medical is not None:
            self.medical.tables.clear()
        self.policy = None  # type: ignore[assignment]
        self.medical = None

    def lane_way(self, lane: int, f: int) -> Way:
        """``lane`` as a carrier of fleet ``f`` drives it (built once per process)."""
        return self.shared.lane_way(lane, f)

    def path_way(self, f: int, a: int, b: int) -> Way:
        """Fleet ``f``'s empty path from ``a`` to ``b`` (built once per process)."""
        w = self.shared.path_ways.get((a, f, b))
        return w if w is not None else self.shared.path_way(f, a, b)

    def outcome(self) -> RunOutcome:
        m, st = self.model, self.st
        mcs = m.consignments
        n_mc = len(mcs)
        transit = np.zeros(n_mc)
        for s, n in enumerate(st.waiting):
            transit[self.stage_mc[s]] += n
        for load in st.load:
            for s, n in load:
                transit[self.stage_mc[s]] += n
        for s, n in st.stuck:
            transit[self.stage_mc[s]] += n
        for _, _, kind, a, b in self.kernel.heap:
            if (kind == self.K_IN and b >= self.n_initial) or kind == self.K_MARCHED:
                transit[self.stage_mc[a]] += st.parcel_amt[b]
            elif kind == self.K_LOST:
                for s, n in st.lost_loads[b][0]:
                    transit[self.stage_mc[s]] += n
        shipped = np.array([mc.amount if mc.first_stage >= 0
                            and m.mv_ready[mc.movement] <= m.horizon else 0.0 for mc in mcs])
        delivered = np.asarray(st.delivered)
        lost = np.asarray(st.lost)
        mv = np.array([mc.movement for mc in mcs], dtype=np.int64)
        unit_t = np.array([mc.unit_t for mc in mcs])
        unit_pax = np.array([mc.unit_pax for mc in mcs])
        n_mv = len(m.mv_ids)
        med: dict[str, float] = {}
        beds: dict[str, float] = {}
        if self.medical is not None:
            med, beds = self.medical.outcome()
        # a movement closes when all of its cargo is at its destination (model.md,
        # "Cargo"; results-format.md: closure is "when the last movement is complete"):
        # one that lost any cargo never closes (it is short)
        lost_any = np.bincount(mv, lost, minlength=n_mv) > EPS
        return RunOutcome(
            closure=np.where(lost_any, INF, np.asarray(st.closure, dtype=float)),
            delivered_t=np.bincount(mv, delivered * unit_t, minlength=n_mv),
            lost_t=np.bincount(mv, lost * unit_t, minlength=n_mv),
            delivered_pax=np.bincount(mv, delivered * unit_pax, minlength=n_mv),
            lost_pax=np.bincount(mv, lost * unit_pax, minlength=n_mv),
            shipped=shipped,
            delivered=delivered,
            lost=lost,
            in_transit=transit,
            carriers_lost=np.asarray(st.carriers_lost),
            losses=st.losses,
            stockouts=st.stockouts,
            trips=st.trips,
            events=self.kernel.events,
            medical=med,
            peak_beds=beds,
        )


def run_once(model: SimModel, seed: np.random.SeedSequence) -> RunOutcome:
    """Simulate one replication of ``model`` with the random stream of ``seed``."""
    return Run(model, seed).run()
