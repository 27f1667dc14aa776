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
    """Random numbers handed out one at a time from pre-drawn blocks."""

    __slots__ = ("_i", "_j", "_n", "_u", "rng")

    BLOCK = 2048

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._n: list[float] = []
        self._u: list[float] = []
        self._i = self._j = 0

    def normal(self) -> float:
        if self._i == len(self._n):
            self._n = self.rng.standard_normal(self.BLOCK).tolist()
            self._i = 0
        self._i += 1
        return self._n[self._i - 1]

    def uniform(self) -> float:
        if self._j == len(self._u):
            self._u = self.rng.random(self.BLOCK).tolist()
            self._j = 0
        self._j += 1
        return self._u[self._j - 1]

    def exponential(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.uniform())


class Multipliers:
    """Mean-1 random multipliers of travel (per mode) and handling times, drawn in
    vectorised blocks from the run's generator (one block stream per kind)."""

    __slots__ = ("_buf", "_params", "dist", "rng")

    BLOCK = 512

    def __init__(self, options: SimOptions, rng: np.random.Generator,
                 modes: tuple[str, ...]) -> None:
        self.rng = rng
        self.dist = "none" if options.deterministic else options.distribution
        cvs = [options.travel_cv.get(m, 0.0) for m in modes] + [options.handling_cv]
        self._params = [self._spread(cv) for cv in cvs]  # per mode, then handling
        self._buf: list[list[float]] = [[] for _ in self._params]

    def _spread(self, cv: float) -> float:
        if self.dist == "lognormal":
            return math.sqrt(math.log1p(cv * cv))
        if self.dist == "triangular":  # symmetric, half width w: variance w^2 / 6
            return min(cv * math.sqrt(6.0), 1.0)
        return 0.0

    def _refill(self, k: int) -> list[float]:
        s = self._params[k]
        if self.dist == "lognormal":
            x = np.exp(-s * s / 2.0 + s * self.rng.standard_normal(self.BLOCK))
        else:
            u = self.rng.random((2, self.BLOCK))
            x = 1.0 + s * (u[0] + u[1] - 1.0)
        self._buf[k] = buf = x.tolist()
        return buf

    def travel_of(self, mode: int) -> float:
        if not self._params[mode]:
            return 1.0
        buf = self._buf[mode] or self._refill(mode)
        return buf.pop()

    def handling_time(self) -> float:
        k = len(self._params) - 1
        if not self._params[k]:
            return 1.0
        buf = self._buf[k] or self._refill(k)
        return buf.pop()


class RunState:
    """Cargo, carriers, booking calendars and tallies of one run."""

    def __init__(self, model: SimModel, rng: np.random.Generator) -> None:
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
        self.quota = [0.0 if m.quotas is not None else INF] * n_stage
        self.since = [INF] * n_stage  # when the oldest waiting units arrived
        self.hold_at = [INF] * len(m.lane_mode)  # pending hold event per lane
        # per fleet: carried lanes with cargo waiting that it may serve
        self.active: list[set[int]] = [set() for _ in m.fleet_ids]
        self.lane_rank = [INF] * len(m.lane_mode)  # most urgent waiting stage per lane
        # carriers
        nc = m.n_carriers
        self.fleet_of = m.carrier_fleet.tolist()
        self.pos = [int(m.fleet_home[f]) for f in self.fleet_of]
        self.lane_of = [-1] * nc
        self.load: list[list[tuple[int, float]]] = [[] for _ in range(nc)]
        # idle carriers of each fleet by node (insertion-ordered: deterministic)
        self.idle: list[dict[int, list[int]]] = [{} for _ in m.fleet_ids]
        self.n_idle = [0] * len(m.fleet_ids)
        # booking calendars of rate-limited resources, made on first use
        self.arc_slots: dict[int, Slots] = {}
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
        self.carriers_lost = [0] * len(m.fleet_ids)
        self.losses: list[tuple[float, int, int, int, float]] = []  # day, fleet, arc, mc, units
        self.stockouts: list[tuple[int, int, float]] = []  # node, day, short t
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
        profs = profiles(m.disruptions, windows)
        self.arc_prof: list[Profile | None] = [profs[g] if g >= 0 else None
                                               for g in m.disruptions.arc_group.tolist()]
        self.node_prof: list[Profile | None] = [profs[g] if g >= 0 else None
                                                for g in m.disruptions.node_group.tolist()]
        self.windows = windows

    @staticmethod
    def slots(table: dict[int, Slots], key: int) -> Slots:
        s = table.get(key)
        if s is None:
            s = table[key] = Slots()
        return s

    def parcel(self, amount: float) -> int:
        self.parcel_amt.append(amount)
        return len(self.parcel_amt) - 1
