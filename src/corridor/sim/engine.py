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
- ``READY(fleet, -)``: a fleet becomes available;
- ``DAILY(day, -)``: sustainment demand is drawn from stocks (and the medical chain
  generates the day's casualties).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from corridor.sim import carriers, dispatch
from corridor.sim.carriers import Way
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
    stockouts: list[tuple[int, int, float]]  # node, day, short t
    trips: int
    events: int
    medical: dict[str, float] = field(default_factory=dict)
    peak_beds: dict[str, float] = field(default_factory=dict)


class Run:
    """A run's state, handlers and the shared helpers the handlers call."""

    def __init__(self, model: SimModel, seed: np.random.SeedSequence) -> None:
        from corridor.scenario.schema import MODES

        m = self.model = model
        rng = np.random.default_rng(seed)
        self.st = RunState(m, rng)
        self.draws = self.st.draws
        self.mult = self.st.mult
        self.kernel = k = Kernel()
        # hot model arrays as lists
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
        mcs = m.consignments
        self.stage_unit_t = [mcs[c].unit_t for c in self.stage_mc]
        # share of its movement one unit of each consignment is (people weigh PAX_T)
        weight = [c.amount * (c.unit_t + PAX_T * c.unit_pax) for c in mcs]
        total = np.bincount([c.movement for c in mcs], weight, minlength=len(m.mv_ids)) \
            if mcs else np.zeros(len(m.mv_ids))
        self.share = [(c.unit_t + PAX_T * c.unit_pax) / total[c.movement]
                      if total[c.movement] > 0 else 0.0 for c in mcs]
        self.road = MODES.index("road")
        opts = m.options
        off = opts.deterministic
        self.breakdown_km = [0.0 if off or not math.isfinite(opts.breakdown_km.get(x, INF))
                             else opts.breakdown_km[x] for x in MODES]
        self.repair_d = [opts.repair_h.get(x, 0.0) / 24.0 for x in MODES]
        self.hold_d = opts.hold_h / 24.0
        self._ways: dict[tuple[int, int, int], Way] = {}
        st = self.st
        # arcs a carrier crosses with one addition: no slot limit, closure or threat
        self.plain_arc = [not dt and prof is None for dt, prof in
                          zip(self.slot_dt, st.arc_prof, strict=True)]
        # (node, mode) where loading or unloading meets a visit limit, handling limit or
        # closure
        self.gated = [bool(self.visit_dt[k] or self.handling_dt[k // N_MODES]
                           or st.node_prof[k // N_MODES] is not None)
                      for k in range(len(self.visit_dt))]
        self.first_carrier = np.concatenate([[0], np.cumsum(m.fleet_count)]).tolist()
        self.policy = dispatch.Policy(self)
        self.K_IN = k.register(self.on_cargo_in)
        self.K_FREE = k.register(self.on_free)
        self.K_AT = k.register(self.on_at)
        self.K_BACK = k.register(self.on_back)
        self.K_HOLD = k.register(self.on_hold)
        self.K_QUOTA = k.register(self.on_quota)
        self.K_LOST = k.register(self.on_lost)
        self.K_READY = k.register(self.on_ready)
        self.K_DAILY = k.register(self.on_daily)
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
        for mc in m.consignments:
            if mc.first_stage >= 0 and mc.amount > EPS:
                p = st.parcel(mc.amount)
                k.at(float(m.mv_ready[mc.movement]), self.K_IN, mc.first_stage, p)
        self.n_initial = len(st.parcel_amt)  # parcels below this are releases at origin
        if m.quotas is not None:
            for i, (day, s, _units) in enumerate(m.quotas):
                k.at(day, self.K_QUOTA, s, i)
        if len(m.sup_node) or self.medical is not None:
            for d in range(math.ceil(m.horizon)):
                k.at(float(d), self.K_DAILY, d, 0)

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
            t2 = carriers.transship(self, node, n * self.stage_unit_t[s], t2)
        if t2 > t:
            self.kernel.at(t2, self.K_IN, nxt, self.st.parcel(n))
        else:
            self.arrive(nxt, n, t)

    def on_cargo_in(self, t: float, s: int, p: int) -> None:
        self.arrive(s, self.st.parcel_amt[p], t)

    def arrive(self, s: int, n: float, t: float) -> None:
        """``n`` units are at the start of stage ``s``, free to leave."""
        st = self.st
        st.pending[s] -= n
        st.waiting[s] += n
        if st.since[s] == INF:
            st.since[s] = t
        lane = self.stage_lane[s]
        if self.lane_mode[lane] == SELF_MOVE:
            self.march_off(s, t)
        else:
            self.policy.activate(lane, s)
            self.policy.dispatch_lane(lane, t)

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
        carriers.march(self, s, n, t)

    def deliver(self, mc: int, n: float, t: float) -> None:
        st, m = self.st, self.model
        c = m.consignments[mc]
        st.delivered[mc] += n
        st.arrival_log.append((c.movement, t, n * self.share[mc]))
        if c.unit_pax:
            st.troops[int(m.mv_dest[c.movement])] += n * c.unit_pax
        if c.kind == "bulk" and m.mv_supply[c.movement]:
            st.stock[int(m.mv_dest[c.movement])] += n
        self._settle(mc, n, t)

    def _settle(self, mc: int, n: float, t: float) -> None:
        """``n`` units of ``mc`` are done (delivered or lost); close its movement when
        nothing of it is left on the way."""
        st = self.st
        st.left[mc] -= n
        if st.left[mc] <= EPS and st.left[mc] + n > EPS:
            mv = self.model.consignments[mc].movement
            st.open_mcs[mv] -= 1
            if st.open_mcs[mv] == 0:
                st.closure[mv] = t

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
                st.pending[nxt] -= n
                nxt = self.stage_next[nxt]
            self._settle(mc, n, t)

    # -------------------------------------------------------------- carriers
    def add_idle(self, c: int) -> None:
        st = self.st
        f = st.fleet_of[c]
        st.idle[f].setdefault(st.pos[c], []).append(c)
        st.n_idle[f] += 1

    def take_idle(self, c: int) -> None:
        st = self.st
        f = st.fleet_of[c]
        st.idle[f][st.pos[c]].remove(c)
        st.n_idle[f] -= 1

    def on_ready(self, t: float, f: int, _b: int) -> None:
        st = self.st
        for c in range(self.first_carrier[f], self.first_carrier[f + 1]):
            self.add_idle(c)
        for c in range(self.first_carrier[f], self.first_carrier[f + 1]):
            if st.lane_of[c] < 0:
                self.policy.find_work(c, t)

    def on_free(self, t: float, c: int, node: int) -> None:
        """Unloaded: cargo delivered or on to its next stage; the carrier takes new work,
        else heads back to where its lane starts while more cargo is expected there (the
        fleet cycles, model.md "Carriers")."""
        st = self.st
        st.pos[c] = node
        lane = st.lane_of[c]
        st.lane_of[c] = -1
        f = st.fleet_of[c]
        self.add_idle(c)
        load = st.load[c]
        st.load[c] = []
        for s, n in load:
            self.forward(s, n, t)
        if st.lane_of[c] < 0:
            self.policy.find_work(c, t)
        if lane >= 0 and st.lane_of[c] < 0 and c in st.idle[f].get(node, ()):
            src = self.lane_src[lane]
            if src != node and self.policy.expects(lane, f) \
                    and self.model.paths.days_between(f, node, src) < INF:
                self.take_idle(c)
                carriers.reposition(self, c, src, t, self.K_BACK)

    def on_back(self, t: float, c: int, node: int) -> None:
        self.st.pos[c] = node
        self.add_idle(c)
        self.policy.find_work(c, t)

    def on_at(self, t: float, c: int, node: int) -> None:
        self.st.pos[c] = node
        self.policy.top_up(c)
        carriers.start_trip(self, c, t)

    def on_hold(self, t: float, lane: int, _b: int) -> None:
        self.st.hold_at[lane] = INF
        self.policy.dispatch_lane(lane, t, force=True)

    def on_quota(self, t: float, s: int, i: int) -> None:
        st = self.st
        st.quota[s] += self.model.quotas[i][2]  # type: ignore[index]
        lane = self.stage_lane[s]
        if self.lane_mode[lane] == SELF_MOVE:
            self.march_off(s, t)
        else:
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
                st.stockouts.append((node, day, need))
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

    def lane_way(self, lane: int, f: int) -> Way:
        """``lane`` as a carrier of fleet ``f`` drives it (cached per run)."""
        key = (-1 - lane, f, 0)
        w = self._ways.get(key)
        if w is None:
            arcs = self.model.lane_arcs[lane]
            w = self._ways[key] = self._way(arcs, f, float(self.model.lane_km[lane]))
        return w

    def path_way(self, f: int, a: int, b: int) -> Way:
        """Fleet ``f``'s empty path from ``a`` to ``b`` (cached per run)."""
        key = (a, f, b)
        w = self._ways.get(key)
        if w is None:
            arcs, _, km = self.model.paths.path(f, a, b)
            w = self._ways[key] = self._way(arcs, f, km)
        return w

    def _way(self, arcs: tuple[int, ...], f: int, km: float) -> Way:
        days = self.model.paths.days[f]
        d = tuple(float(days[a]) for a in arcs)
        return (arcs, d, km, sum(d), all(self.plain_arc[a] for a in arcs))

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
            if kind == self.K_IN and b >= self.n_initial:
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
        return RunOutcome(
            closure=np.asarray(st.closure),
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
