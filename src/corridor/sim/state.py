# cython: annotation_typing=False
"""The mutable state of one run, indexed like the model's arrays.

The state is created from :class:`~corridor.sim.model.SimModel` arrays and kept
as flat Python lists for the run: an event touches a handful of scalars, and a
list element is read and written several times faster than a numpy scalar (no
boxing into numpy types). Results go back to numpy arrays at the end of the run.
"""

from __future__ import annotations

import math

import numpy as np

from corridor.sim.disruptions import Profile, profiles, sample_windows
from corridor.sim.model import SimModel
from corridor.sim.options import SimOptions
from corridor.sim.slots import Slots

INF = math.inf
EPS = 1e-9  # units below this are rounding dust


class Draws:
    """Random numbers handed out one at a time from pre-drawn blocks (each block
    reversed, so that handing one out is a ``pop``)."""

    __slots__ = ("_n", "_u", "rng")

    BLOCK = 2048

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._n: list[float] = []
        self._u: list[float] = []

    def normal(self) -> float:
        n = self._n
        if not n:
            n = self._n = self.rng.standard_normal(self.BLOCK)[::-1].tolist()
        return n.pop()

    def uniform(self) -> float:
        u = self._u
        if not u:
            u = self._u = self.rng.random(self.BLOCK)[::-1].tolist()
        return u.pop()

    def exponential(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.uniform())


class Multipliers:
    """Mean-1 random multipliers of travel (per mode) and handling times, drawn in
    vectorised blocks from the run's generator (one block stream per kind)."""

    __slots__ = ("buf", "dist", "handling", "rng", "spread")

    BLOCK = 512

    def __init__(self, options: SimOptions, rng: np.random.Generator,
                 modes: tuple[str, ...]) -> None:
        self.rng = rng
        self.dist = "none" if options.deterministic else options.distribution
        cvs = [options.travel_cv.get(m, 0.0) for m in modes] + [options.handling_cv]
        self.spread = [self._spread(cv) for cv in cvs]  # per mode, then handling
        self.handling = len(modes)  # the index of handling times
        self.buf: list[list[float]] = [[] for _ in self.spread]  # popped from the end

    def _spread(self, cv: float) -> float:
        if self.dist == "lognormal":
            return math.sqrt(math.log1p(cv * cv))
        if self.dist == "triangular":  # symmetric, half width w: variance w^2 / 6
            return min(cv * math.sqrt(6.0), 1.0)
        return 0.0

    def refill(self, k: int) -> list[float]:
        s = self.spread[k]
        if self.dist == "lognormal":
            x = np.exp(-s * s / 2.0 + s * self.rng.standard_normal(self.BLOCK))
        else:
            u = self.rng.random((2, self.BLOCK))
            x = 1.0 + s * (u[0] + u[1] - 1.0)
        self.buf[k] = buf = x.tolist()
        return buf

    def travel_of(self, mode: int) -> float:
        if not self.spread[mode]:
            return 1.0
        buf = self.buf[mode] or self.refill(mode)
        return buf.pop()

    def handling_time(self) -> float:
        k = self.handling
        if not self.spread[k]:
            return 1.0
        buf = self.buf[k] or self.refill(k)
        return buf.pop()


class RunState:
    """Cargo, carriers, booking calendars and tallies of one run."""

    def __init__(self, model: SimModel, rng: np.random.Generator,
                 carrier_fleet: list[int] | None = None) -> None:
        from corridor.scenario.schema import MODES

        m = model
        opts = m.options
        self.draws = Draws(rng)
        self.mult = Multipliers(opts, rng, MODES)
        n_stage, n_nodes = len(m.stage_mc), len(m.node_ids)
        mcs = m.consignments
        # cargo waiting at each stage's start node, still to come there, released by plan
        self.waiting = [0.0] * n_stage
        self.pending = [mcs[s].amount for s in m.stage_mc.tolist()]
        # per lane: its stages with cargo still to come (pending above EPS)
        self.lane_pending = [sum(self.pending[s] > EPS for s in ss) for ss in m.lane_stages]
        self.quota = [0.0 if m.quotas is not None else INF] * n_stage
        self.since = [INF] * n_stage  # when the oldest waiting units arrived
        self.hold_at = [INF] * len(m.lane_mode)  # pending hold event per lane
        # per fleet: carried lanes with cargo waiting that it may serve
        self.active: list[set[int]] = [set() for _ in m.fleet_ids]
        self.lane_rank = [INF] * len(m.lane_mode)  # most urgent waiting stage per lane
        # per carried lane: where in its stages those with cargo waiting are, ascending
        # (a stage joins when cargo arrives, leaves when a carrier takes the last of it)
        self.lane_wait: list[list[int]] = [[] for _ in m.lane_mode]
        self.in_wait = [False] * n_stage
        self.lane_ver = [0] * len(m.lane_mode)  # counts changes to a lane's cargo
        # carriers
        nc = m.n_carriers
        self.fleet_of = carrier_fleet if carrier_fleet is not None \
            else m.carrier_fleet.tolist()  # read only
        home = m.fleet_home.tolist()
        self.pos = [home[f] for f in self.fleet_of]
        self.lane_of = [-1] * nc
        self.load: list[list[tuple[int, float]]] = [[] for _ in range(nc)]
        # idle carriers of each fleet by node (insertion-ordered: deterministic)
        self.idle: list[dict[int, list[int]]] = [{} for _ in m.fleet_ids]
        self.n_idle = [0] * len(m.fleet_ids)
        self.is_idle = [False] * nc
        self.idle_ver = [0] * len(m.fleet_ids)  # counts changes to a fleet's idle carriers
        # booking calendars of rate-limited resources, made on first use
        self.arc_cal: list[Slots | None] = [Slots() if dt else None
                                             for dt in m.arc_slot_dt.tolist()]  # per arc
        self.flow_slots: dict[int, Slots] = {}
        self.visit_slots: dict[int, Slots] = {}  # node * N_MODES + mode
        self.handling_slots: dict[int, Slots] = {}
        self.transship_slots: dict[int, Slots] = {}
        # tallies
        self.delivered = [0.0] * len(mcs)
        self.lost = [0.0] * len(mcs)
        self.left = [mc.amount for mc in mcs]
        self.open_mcs = [0] * len(m.mv_ids)
        for mc in mcs:
            if mc.amount > EPS:
                self.open_mcs[mc.movement] += 1
        self.closure = [INF] * len(m.mv_ids)
        self.last_in = [-INF] * len(m.mv_ids)  # per movement: its latest delivery
        self.carriers_lost = [0] * len(m.fleet_ids)
        self.losses: list[tuple[float, int, int, int, float]] = []  # day, fleet, arc, mc, units
        self.stockouts: list[tuple[int, int, float, int]] = []  # node, day, short t, supply row
        self.stock = m.stock0.tolist()
        self.troops = [0.0] * n_nodes
        self.trips = 0
        self.arrival_log: list[tuple[int, float, float]] = []  # movement, day, share
        # parcels: cargo on its way between two stages (payload of events)
        self.parcel_amt: list[float] = []
        self.lost_loads: list[tuple[list[tuple[int, float]], int]] = []  # (load, arc)
        self.stuck: list[tuple[int, float]] = []  # behind a closure that never lifts
        # disruptions for this run
        windows = sample_windows(m.disruptions, rng, m.horizon, opts.deterministic)
        profs = profiles(m.disruptions, windows, opts.deterministic, m.horizon)
        self.arc_prof: list[Profile | None] = [profs[g] if g >= 0 else None
                                               for g in m.disruptions.arc_group.tolist()]
        self.node_prof: list[Profile | None] = [profs[g] if g >= 0 else None
                                                for g in m.disruptions.node_group.tolist()]
        self.windows = windows

    def parcel(self, amount: float) -> int:
        self.parcel_amt.append(amount)
        return len(self.parcel_amt) - 1


def calendar(table: dict[int, Slots], key: int) -> Slots:
    """The booking calendar ``key`` of ``table`` (a run's visit, handling, transship or
    flow calendars), made on first use."""
    s = table.get(key)
    if s is None:
        s = table[key] = Slots()
    return s
