# cython: annotation_typing=False
"""The medical evacuation chain, driven by the scenario's ``medical:`` block.

A deliberately simple, documented model (docs/simulator.md, "Medical chain"):

1. **Casualties.** Each day of a casualty entry (``at``, ``start_day``–``end_day``)
   the troops present at ``at`` — people of movements delivered there, less those
   already hit — take wounded (WIA) and killed (KIA) at the entry's daily rates per
   1,000. ``distribution`` says how the daily rate varies: ``exponential`` (the
   day's rate is Exp(mean), FORECAS), ``lognormal`` (mean, sd = 2 x mean),
   ``poisson`` (fixed rate) or ``constant`` (the expected number, no randomness);
   the count is Poisson of the day's rate. ``dnbi_per_1000_per_day`` adds routine
   disease and non-battle injuries. Wounded split into urgent / priority / routine
   by ``precedence``; urgent and priority need damage-control surgery.
2. **Evacuation.** Carriers with ``capacity_litters > 0`` that carry no movement
   cargo fly or drive from where they are to the casualties (nearest first), load
   up to their litters (urgent first), and take them to the hospital with operating
   tables (routine loads: with beds) that would admit them first given the closures
   on the way and at the hospital: the nearest, unless it or its way is closed (a
   probe of the closures that books nothing). Where every way is closed for good,
   nobody is loaded: the casualties wait, not evacuated, and that fleet is no longer
   sent there; a load that finds its way closed for good after all (slot waits, a
   slower drive) is put back to wait, never kept aboard for ever. A casualty wounded
   at a hospital with operating tables is treated there; while that hospital is
   closed (its node's capacity factor 0) it waits there and is admitted when the
   hospital reopens.
3. **Treatment.** A hospital's ``surgical_tables`` are servers with a queue
   (urgent before priority, first come first served); surgery takes 2 h (urgent) or
   1.5 h (priority) on average, lognormal with cv 0.5. A closed hospital admits no
   one (carriers wait at its gate, as at any closed node) and starts no surgery (one
   on the table finishes); at a capacity factor below 1 its tables work at that rate
   (a surgery started at half capacity holds its table twice as long). Every patient
   then holds a bed for ``length_of_stay_days`` of the hospital's role (defaults
   role1 1, role2 2, role3 5, role4 20 days); beds are counted, not refused, so the
   peak shows where they run out.
4. **Died of wounds.** A surgical case dies with probability
   ``max_rate / (1 + exp(-(delay_h - midpoint_h) / scale_h))`` of its delay from
   wounding to surgery (defaults 6 h, 2 h, 0.3); one never operated within the
   horizon is judged at the horizon. Casualties on a carrier that is lost die; a
   carrier lost (or stuck for good) on its way to them is replaced by the next idle one.
"""

from __future__ import annotations

import math
from bisect import insort
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.network.graph import Network
from corridor.scenario import Scenario
from corridor.sim.carriers import GATED, node_gate, travel
from corridor.sim.model import N_MODES
from corridor.sim.queues import Servers

if TYPE_CHECKING:
    from corridor.sim.carriers import Way
    from corridor.sim.engine import Run
    from corridor.sim.model import FleetNet

URGENT, PRIORITY, ROUTINE = 0, 1, 2
PRECEDENCE = ("urgent", "priority", "routine")
DEFAULT_SHARES = {"urgent": 0.2, "priority": 0.3, "routine": 0.5}
DEFAULT_LIMITS_H = {"urgent": 1.0, "priority": 4.0, "routine": 24.0}
DEFAULT_LOS_DAYS = {1: 1.0, 2: 2.0, 3: 5.0, 4: 20.0}
DEFAULT_DOW = {"midpoint_h": 6.0, "scale_h": 2.0, "max_rate": 0.3}
SURGERY_H = (2.0, 1.5)  # mean operating time of urgent, priority cases
SURGERY_CV = 0.5
LOGNORMAL_CV = 2.0  # sd / mean of a lognormal daily rate (FORECAS Falklands-like)
LOST_PATIENTS = -2  # the "consignment" of a loss row: patients lost aboard a medical carrier


@dataclass(frozen=True)
class Site:
    node: int
    start: float
    end: float
    wia: float  # per 1,000 troops per day
    kia: float
    dist: str


@dataclass(frozen=True)
class MedicalModel:
    sites: tuple[Site, ...]
    dnbi: float
    shares: tuple[float, float, float]
    limits_d: tuple[float, float, float]
    surgery_within_h: float
    dow: tuple[float, float, float]  # midpoint_h, scale_h, max_rate
    hospitals: tuple[int, ...]  # nodes
    hosp_role: tuple[int, ...]
    hosp_beds: tuple[int, ...]
    hosp_tables: tuple[int, ...]
    los_d: tuple[float, ...]  # per hospital
    fleets: tuple[int, ...]  # medical fleets
    litters: tuple[float, ...]  # per medical fleet
    # per (fleet, site): hospitals it can reach from the site, nearest first:
    # (surgical ones, ones with beds)
    routes: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]]
    roles: tuple[str, ...]  # "role2", ... present
    available: tuple[float, ...] = ()  # per medical fleet, the day it becomes available
    notes: tuple[str, ...] = ()  # what the chain does not model here, for the summary


def compile_medical(scenario: Scenario, net: Network, fn: FleetNet,
                    busy: frozenset[int] = frozenset(),
                    troops_to: frozenset[int] | None = None) -> MedicalModel | None:
    """The medical model, or None when the scenario has no ``medical:`` block. ``busy``
    are fleets that carry movement cargo (not used for evacuation); ``troops_to`` the
    nodes some movement delivers people to (None: not known, no note about it)."""
    med = scenario.medical
    if med is None:
        return None
    cas = med.get("casualties") or []
    idx = net.nodes.index
    sites = tuple(Site(int(idx[c["at"]]), float(c.get("start_day", 0.0)),
                       float(c.get("end_day", scenario.horizon_days)),
                       float(c.get("wia_per_1000_per_day", 0.0)),
                       float(c.get("kia_per_1000_per_day", 0.0)),
                       str(c.get("distribution", "exponential"))) for c in cas)
    # a precedence map given is the whole split (validated to sum to 1): a share it
    # leaves out is 0, not the default
    given = med.get("precedence")
    prec = {k: float((given or DEFAULT_SHARES).get(k, 0.0)) for k in PRECEDENCE}
    total = sum(prec.values()) or 1.0
    limits = {**DEFAULT_LIMITS_H, **(med.get("limits_h") or {})}
    los_cfg = dict(DEFAULT_LOS_DAYS)
    for k, v in (med.get("length_of_stay_days") or {}).items():
        if str(k).startswith("role") and str(k)[4:].isdigit():
            los_cfg[int(str(k)[4:])] = float(v)
    dow = {**DEFAULT_DOW, **{k: v for k, v in (med.get("died_of_wounds") or {}).items()
                             if k != "model"}}
    nodes = scenario.nodes
    hosp = [i for i, (k, r) in enumerate(zip(nodes["kind"], nodes["role"], strict=True))
            if k == "hospital" or int(r) > 0]
    role = [int(nodes["role"].iloc[i]) or 1 for i in hosp]
    beds = [int(nodes["beds"].iloc[i]) for i in hosp]
    tables = [int(nodes["surgical_tables"].iloc[i]) for i in hosp]
    fl = net.fleets
    horizon = float(scenario.horizon_days)
    fleets = tuple(f for f in range(len(fl)) if fl.capacity_litters[f] > 0 and fl.count[f] > 0
                   and f not in busy and float(fl.available_day[f]) < horizon)
    routes: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for f in fleets:
        for s in {site.node for site in sites}:
            d = [(fn.days_between(f, s, hosp[h]), h) for h in range(len(hosp))]
            ok = [(x, h) for x, h in d if math.isfinite(x)
                  and math.isfinite(fn.days_between(f, int(fn.home[f]), s))]
            ok.sort()
            routes[(f, s)] = (tuple(h for _, h in ok if tables[h] > 0),
                              tuple(h for _, h in ok if beds[h] > 0 or tables[h] > 0))
    return MedicalModel(
        sites=sites,
        dnbi=float(med.get("dnbi_per_1000_per_day", 0.0)),
        shares=tuple(prec[k] / total for k in PRECEDENCE),  # type: ignore[arg-type]
        limits_d=tuple(float(limits[k]) / 24.0 for k in PRECEDENCE),  # type: ignore[arg-type]
        surgery_within_h=float(med.get("surgery_within_h", 2.0)),
        dow=(float(dow["midpoint_h"]), float(dow["scale_h"]), float(dow["max_rate"])),
        hospitals=tuple(hosp),
        hosp_role=tuple(role),
        hosp_beds=tuple(beds),
        hosp_tables=tuple(tables),
        los_d=tuple(los_cfg.get(r, 2.0) for r in role),
        fleets=fleets,
        litters=tuple(float(fl.capacity_litters[f]) for f in fleets),
        routes=routes,
        roles=tuple(sorted({f"role{r}" for r in role})),
        available=tuple(max(float(fl.available_day[f]), 0.0) for f in fleets),
        notes=_notes(scenario, cas, sites, troops_to),
    )


def _notes(scenario: Scenario, cas: list[dict[str, Any]], sites: tuple[Site, ...],
           troops_to: frozenset[int] | None) -> tuple[str, ...]:
    """What the chain cannot model in this scenario, said in the summary (and by the
    CLI) rather than silently giving nothing (docs/simulator.md, "Medical chain")."""
    notes = []
    if troops_to is not None:
        for i, (c, site) in enumerate(zip(cas, sites, strict=True), start=1):
            if site.node not in troops_to:
                notes.append(
                    f"medical.casualties[{i}] at '{c['at']}': no movement delivers troops "
                    "there, so no casualties are generated (casualties come only from the "
                    "troops movements deliver to `at`)")
    nodes = scenario.nodes
    if "icu_beds" in nodes and (nodes["icu_beds"].fillna(0) > 0).any():
        notes.append("icu_beds are not modelled: the chain has no intensive-care stream "
                     "(patients hold the holding beds counted under peak_beds)")
    return tuple(notes)


def dow_probability(delay_h: float, dow: tuple[float, float, float]) -> float:
    midpoint, scale, top = dow
    z = (delay_h - midpoint) / scale if scale > 0 else math.copysign(math.inf,
                                                                       delay_h - midpoint)
    if z > 700:
        return top
    return top / (1.0 + math.exp(-z))


class MedicalRun:
    """The medical chain of one run, on the run's kernel and random stream."""

    def __init__(self, run: Run, mm: MedicalModel) -> None:
        self.run, self.mm = run, mm
        # the model's hot tables, read without an attribute look-up each time
        self.fleets, self.litters, self.hospitals = mm.fleets, mm.litters, mm.hospitals
        self.los_d, self.routes = mm.los_d, mm.routes
        self.draws = run.draws
        self.deterministic = run.model.options.deterministic
        k = run.kernel
        self.K_CAS = k.register(self.on_casualty)
        self.K_AT = k.register(self.on_at_site)
        self.K_DROP = k.register(self.on_drop)
        self.K_LOAD = k.register(self.on_load)
        self.K_LOST = k.register(self.on_lost)
        self.K_READY = k.register(self.on_ready)
        self.K_OPEN = k.register(self.on_open)
        # casualties
        self.t_wound: list[float] = []
        self.prec: list[int] = []
        self.site_of: list[int] = []
        self.t_hosp: list[float] = []
        self.t_surg: list[float] = []
        self.died = 0.0
        self.kia = 0.0
        self.dnbi = 0.0
        self.hit = [0.0] * len(mm.sites)  # troops hit per site
        self.carry = [0.0] * (2 * len(mm.sites) + 1)  # fractional counts (deterministic)
        self.n_split = 0  # wounded split so far (deterministic precedence, run-wide)
        # the day whose tick has run, and per site the day its rates were drawn for and
        # those rates (wia, kia): troops arriving later that day take the same day's rate
        self.today = -1
        self.rate_day = [-1] * len(mm.sites)
        self.rate_w = [0.0] * len(mm.sites)
        self.rate_k = [0.0] * len(mm.sites)
        self.site_at: dict[int, list[int]] = {}
        for i, site in enumerate(mm.sites):
            self.site_at.setdefault(site.node, []).append(i)
        self.waiting: dict[int, list[list[int]]] = {s.node: [[], [], []] for s in mm.sites}
        self.room_to: dict[int, float] = dict.fromkeys(self.waiting, 0.0)
        self.n_waiting: dict[int, int] = dict.fromkeys(self.waiting, 0)  # all precedences
        # carriers
        fl = run.model
        self.car_fleet: list[int] = []
        self.car_pos: list[int] = []
        self.car_load: list[list[int]] = []
        self.car_arc: list[int] = []  # where a carrier is lost (for its loss row)
        for i, f in enumerate(mm.fleets):
            for _ in range(int(fl.fleet_count[f])):
                self.car_fleet.append(i)
                self.car_pos.append(int(fl.fleet_home[f]))
                self.car_load.append([])
                self.car_arc.append(-1)
        # per site node: per medical fleet, whether it takes casualties from there to a
        # hospital; the hospital there that treats surgical cases, and any hospital there
        self.serves = {node: [bool(mm.routes.get((f, node), ((), ()))[1]) for f in mm.fleets]
                       for node in self.waiting}
        # idle carriers by (medical fleet, node), insertion-ordered (deterministic), and
        # per site node the (fleet, node) keys that can serve it, nearest first (ties: in
        # the order the keys came): (days, key number, key)
        self.idle: dict[tuple[int, int], list[int]] = {}
        self.nearest: dict[int, list[tuple[float, int, tuple[int, int]]]] = {
            node: [] for node in self.waiting}
        available = mm.available or (0.0,) * len(mm.fleets)
        for c in range(len(self.car_fleet)):
            day = available[self.car_fleet[c]]
            if day > 0.0:  # not before the fleet's available_day
                k.at(day, self.K_READY, c, 0)
            else:
                self._idle(c)
        self.local: dict[int, tuple[int, int]] = {}
        for node in self.waiting:
            here = [h for h, hn in enumerate(mm.hospitals) if hn == node]
            self.local[node] = (next((h for h in here if mm.hosp_tables[h] > 0), -1),
                                here[0] if here else -1)
        # casualties wounded at a closed hospital, waiting for it to reopen, per node;
        # and when it does (the K_OPEN event due; inf: never)
        self.held: dict[int, list[int]] = {node: [] for node in self.waiting}
        self.opening: dict[int, float] = {}
        # per (medical fleet, site node): hospitals its carriers found closed for good
        # on the way from there (never tried again from there)
        self.barred: dict[tuple[int, int], list[int]] = {}
        self.lost_carriers = 0
        self.lost_fleet: dict[int, int] = {}
        # loss rows as the run's (day, fleet, arc, consignment, units): LOST_PATIENTS and
        # the patients aboard, or -1 and 0 for a carrier lost empty
        self.losses: list[tuple[float, int, int, int, float]] = []
        # hospitals
        self.tables = [Servers(k, c, 2, self._surgery_time) if c > 0 else None
                       for c in mm.hosp_tables]
        self.hosp_of: dict[int, int] = {}  # surgical case -> hospital
        self.stays: list[tuple[int, float, float]] = []  # hospital, in, out

    # ---------------------------------------------------------- casualties
    def daily(self, t: float, day: int) -> None:
        mm, st = self.mm, self.run.st
        self.today = day
        for i, site in enumerate(mm.sites):
            lo, hi = max(site.start, t), min(site.end, t + 1.0, self.run.model.horizon)
            if hi <= lo:
                continue
            troops = max(st.troops[site.node] - self.hit[i], 0.0)
            if troops <= 0:
                continue
            self._expose(i, troops, lo, hi, day)

    def troops_in(self, node: int, n: float, t: float) -> None:
        """``n`` troops delivered to ``node`` at ``t``: once the day's tick has run, they
        are exposed for the rest of the day (the next ticks count them with the rest)."""
        sites = self.site_at.get(node)
        day = self.today
        if sites is None or day < 0 or t >= day + 1.0:
            return  # no casualties here, or the tick of t's day is still to come
        mm = self.mm
        for i in sites:
            site = mm.sites[i]
            lo, hi = max(site.start, t), min(site.end, day + 1.0, self.run.model.horizon)
            if hi > lo:
                self._expose(i, n, lo, hi, day)

    def _expose(self, i: int, troops: float, lo: float, hi: float, day: int) -> None:
        """Casualties among ``troops`` at site ``i`` over [lo, hi) of ``day``, at the
        day's rates (drawn once a day, in the order they always were)."""
        mm = self.mm
        site = mm.sites[i]
        fresh = self.rate_day[i] != day
        scale = troops / 1000.0 * (hi - lo)
        if fresh:
            self.rate_w[i] = self._rate(site.wia, site.dist)
        wia = self._count(2 * i, self.rate_w[i] * scale, site.dist)
        if fresh:
            self.rate_k[i] = self._rate(site.kia, site.dist)
            self.rate_day[i] = day
        kia = self._count(2 * i + 1, self.rate_k[i] * scale, site.dist)
        dnbi = self._count(2 * len(mm.sites), mm.dnbi * scale, "poisson")
        self.kia += kia
        self.dnbi += dnbi
        self.hit[i] += wia + kia + dnbi
        for j in range(int(wia) + int(dnbi)):
            routine = j >= int(wia)
            self._wound(site.node, lo, hi, j, int(wia) + int(dnbi), routine)

    def _rate(self, mean: float, dist: str) -> float:
        if self.deterministic or mean <= 0 or dist in ("poisson", "constant"):
            return mean
        if dist == "exponential":
            return self.draws.exponential(mean)
        s2 = math.log1p(LOGNORMAL_CV ** 2)
        return mean * math.exp(-s2 / 2.0 + math.sqrt(s2) * self.draws.normal())

    def _count(self, slot: int, expected: float, dist: str) -> int:
        if self.deterministic or dist == "constant":
            # whole casualties; the running total is rounded to nearest (19.88 expected
            # give 20, not 19), the remainder carried to the next day
            x = expected + self.carry[slot]
            n = math.floor(x + 0.5)
            self.carry[slot] = x - n
            return n
        return int(self.run.st.draws.rng.poisson(expected)) if expected > 0 else 0

    def _wound(self, node: int, lo: float, hi: float, j: int, n: int, routine: bool) -> None:
        if self.deterministic:
            t = lo + (hi - lo) * (j + 0.5) / n
            prec = ROUTINE if routine else self._split()
        else:
            t = lo + (hi - lo) * self.draws.uniform()
            prec = ROUTINE if routine else self._pick()
        cid = len(self.t_wound)
        self.t_wound.append(t)
        self.prec.append(prec)
        self.site_of.append(node)
        self.t_hosp.append(math.inf)
        self.t_surg.append(math.inf)
        self.run.kernel.at(t, self.K_CAS, cid, node)

    def _pick(self) -> int:
        u = self.draws.uniform()
        a, b, _ = self.mm.shares
        return URGENT if u < a else PRIORITY if u < a + b else ROUTINE

    def _split(self) -> int:
        """Deterministic precedence of the run's next wounded, by the cumulative shares.
        The count runs over the whole run, not the day: restarting each day, a run of
        about one wounded a day made every one of them urgent (the sequence's first)."""
        a, b, _ = self.mm.shares
        x = (self.n_split * 0.6180339887498949) % 1.0  # evenly spread, no randomness
        self.n_split += 1
        return URGENT if x < a else PRIORITY if x < a + b else ROUTINE

    # ---------------------------------------------------------- evacuation
    def on_casualty(self, t: float, cid: int, node: int) -> None:
        local = self.local[node][1 if self.prec[cid] == ROUTINE else 0]
        if local >= 0:
            prof = self.run.st.node_prof[node]
            if prof is None or prof.factor_at(t) > 0.0:
                self._admit(t, cid, local)
                return
            # the hospital is closed, and its node with it: no carrier can reach it (its
            # links are closed too), so the casualty waits there until it reopens
            self.held[node].append(cid)
            if node not in self.opening:
                t_open = prof.next_open(t)
                self.opening[node] = t_open
                if t_open < math.inf:
                    self.run.kernel.at(t_open, self.K_OPEN, node, 0)
            return
        self.waiting[node][self.prec[cid]].append(cid)
        self.n_waiting[node] += 1
        self._call(t, node)

    def on_open(self, t: float, node: int, _b: int) -> None:
        """The closed hospital at site ``node`` reopens: those wounded there meanwhile are
        admitted, in the order they were wounded (the tables take urgent first)."""
        del self.opening[node]
        held = self.held[node]
        self.held[node] = []
        for cid in held:
            self._admit(t, cid, self.local[node][1 if self.prec[cid] == ROUTINE else 0])

    def on_ready(self, t: float, c: int, _b: int) -> None:
        """Carrier ``c``'s fleet becomes available (``available_day``)."""
        self._idle(c)
        self._call_all(t)

    def _idle(self, c: int) -> None:
        key = (self.car_fleet[c], self.car_pos[c])
        cs = self.idle.get(key)
        if cs is None:
            cs = self.idle[key] = []
            row = self.run.shared.row(self.fleets[key[0]], key[1])
            for node, near in self.nearest.items():
                if self.serves[node][key[0]] and row[node] < math.inf:
                    insort(near, (row[node], len(self.idle), key))
        cs.append(c)

    def _call(self, t: float, node: int) -> None:
        """Send the nearest idle carriers while casualties outnumber the room heading here."""
        w = self.n_waiting[node]
        idle = self.idle
        near = self.nearest[node]
        while w > self.room_to[node]:
            for _, _, key in near:
                cs = idle[key]
                if cs:
                    break
            else:
                return
            best = cs.pop(0)
            self.room_to[node] += self.litters[self.car_fleet[best]]
            self._go(t, best, node, self.K_AT)

    def _call_all(self, t: float) -> None:
        room = self.room_to
        for node, w in self.n_waiting.items():
            if w and w > room[node]:
                self._call(t, node)

    def _go(self, t: float, c: int, to: int, kind: int) -> None:
        """Carrier ``c`` drives empty to site ``to``, whose room it was booked into."""
        f = self.fleets[self.car_fleet[c]]
        run = self.run
        t, lost_arc = travel(run, run.path_way(f, self.car_pos[c], to), t, run.fleet_mode[f])
        if lost_arc >= 0:  # its room is freed when the loss happens (on_lost)
            self.car_arc[c] = lost_arc
            run.kernel.at(t, self.K_LOST, c, to)
        elif t < math.inf:
            run.kernel.at(t, kind, c, to)
        else:  # closed for good: it stays on the way; another may be sent (_call's loop)
            self.room_to[to] -= self.litters[self.car_fleet[c]]

    def on_at_site(self, t: float, c: int, node: int) -> None:
        """Carrier ``c`` has arrived at site ``node``: it loads there as the node's visit
        limit (and closures) allow."""
        run = self.run
        f = self.fleets[self.car_fleet[c]]
        self.car_pos[c] = node
        mode = run.fleet_mode[f]
        if self.n_waiting[node] and run.gated[node * N_MODES + mode]:
            ts = node_gate(run, node, mode, t)
            if ts == math.inf:  # closed for good: it cannot load here
                self.room_to[node] -= self.litters[self.car_fleet[c]]
                return
            if ts > t:
                run.kernel.at(ts, self.K_LOAD, c, node)
                return
        self._load(t, c, node)

    def on_load(self, t: float, c: int, node: int) -> None:
        """Carrier ``c``'s visit slot at ``node`` has come: it loads."""
        self._load(t, c, node)

    def _load(self, t: float, c: int, node: int) -> None:
        run = self.run
        i = self.car_fleet[c]
        f = self.fleets[i]
        self.room_to[node] -= self.litters[i]
        room = int(self.litters[i])
        load: list[int] = []
        for q in self.waiting[node]:
            while q and len(load) < room:
                load.append(q.pop(0))
        self.n_waiting[node] -= len(load)
        if not load:
            self._idle(c)
            return
        needs_table = False  # any case for the operating table (a loop: no closure)
        for x in load:
            if self.prec[x] != ROUTINE:
                needs_table = True
                break
        mode = run.fleet_mode[f]
        t1 = t + run.load_d[f] * run.mult.handling_time()
        dest = self._dest(i, node, t1, needs_table)
        if dest < 0:  # every way to a hospital is closed for good: none will open again
            self._put_back(node, load)
            self._block(i, node)
            self._idle(c)
        else:
            hn = self.hospitals[dest]
            t1, lost_arc = travel(run, run.path_way(f, node, hn), t1, mode)
            if lost_arc >= 0:
                self.car_load[c] = load
                self.car_arc[c] = lost_arc
                run.kernel.at(t1, self.K_LOST, c, -1)
            else:
                if t1 < math.inf and run.gated[hn * N_MODES + mode]:  # where it unloads
                    t1 = node_gate(run, hn, mode, t1)
                if t1 < math.inf:
                    self.car_load[c] = load
                    t1 += run.unload_d[f] * run.mult.handling_time()
                    run.kernel.at(t1, self.K_DROP, c, dest)
                else:
                    # closed for good before it got there after all (_reach's timing
                    # has no slot waits or travel-time spread): it turns back, never
                    # keeping its patients for ever, and tries no more that hospital
                    # from here; its patients wait for the next carrier
                    self.barred.setdefault((i, node), []).append(dest)
                    self._put_back(node, load)
                    self._idle(c)
        if self.n_waiting[node] > self.room_to[node]:
            self._call(t, node)  # now, as it leaves: not when it unloads

    def _dest(self, i: int, node: int, t: float, needs_table: bool) -> int:
        """The hospital a load of medical fleet ``i`` leaving ``node`` at ``t`` goes to:
        of those it can reach from there, the one that would admit it first given the
        closures on the way and at the hospital (the nearest when none is closed), with
        operating tables if the load needs one and any can; -1 if none ever can."""
        surgical, beds = self.routes[(self.fleets[i], node)]
        barred = self.barred.get((i, node))
        best = self._first_in(i, node, t, surgical, barred) if needs_table else -1
        return best if best >= 0 else self._first_in(i, node, t, beds, barred)

    def _first_in(self, i: int, node: int, t: float, hosps: tuple[int, ...],
                  barred: list[int] | None) -> int:
        """Of ``hosps`` (nearest first), the one admitting first (ties: the nearer)."""
        run = self.run
        f = self.fleets[i]
        best, best_t = -1, math.inf
        for h in hosps:
            if barred is not None and h in barred:
                continue
            way = run.path_way(f, node, self.hospitals[h])
            if best >= 0 and t + way[3] >= best_t - 1e-9:
                break  # this one and the farther ones cannot be there sooner
            x = self._reach(way, self.hospitals[h], t)
            if x < best_t - 1e-9:
                best, best_t = h, x
        return best

    def _reach(self, way: Way, hn: int, t: float) -> float:
        """When a carrier setting off on ``way`` at ``t`` could unload at hospital node
        ``hn``: the closures on the way and there, without booking anything (inf:
        never). Departure and visit slots, travel-time spread and breakdowns are left
        out: a probe must not take capacity from the carriers that use it."""
        st = self.run.st
        if way[4]:
            t += way[3]
        else:
            arc_prof = st.arc_prof
            for a, d, k, _dt in way[5]:
                if k == GATED:
                    prof = arc_prof[a]
                    t = prof.next_open(t)  # type: ignore[union-attr]  # gated: has one
                    if t == math.inf:
                        return t
                t += d
        prof = st.node_prof[hn]
        return t if prof is None else prof.next_open(t)

    def _put_back(self, node: int, load: list[int]) -> None:
        """``load``, taken off ``node``'s queues, is put back at their heads."""
        waiting = self.waiting[node]
        for p in range(3):
            back = [x for x in load if self.prec[x] == p]
            if back:
                waiting[p][0:0] = back
        self.n_waiting[node] += len(load)

    def _block(self, i: int, node: int) -> None:
        """Medical fleet ``i`` can take no one from ``node`` to any hospital any more:
        it is not sent there again (so its carriers do not come and go for ever)."""
        self.serves[node][i] = False
        near = self.nearest[node]
        near[:] = [e for e in near if e[2][0] != i]

    def on_drop(self, t: float, c: int, h: int) -> None:
        for cid in self.car_load[c]:
            self._admit(t, cid, h)
        self.car_load[c] = []
        self.car_pos[c] = self.hospitals[h]
        self._idle(c)
        self._call_all(t)

    def on_lost(self, t: float, c: int, to: int) -> None:
        """Carrier ``c`` is lost (a threat on its way), with its patients: they die. One
        lost on its way to site ``to`` (>= 0) frees the room booked there, and another
        idle carrier is sent in its place."""
        self.lost_carriers += 1
        i = self.car_fleet[c]
        f = self.fleets[i]
        self.lost_fleet[f] = self.lost_fleet.get(f, 0) + 1
        load = self.car_load[c]
        for cid in load:
            self.died += 1.0
            self.t_hosp[cid] = -1.0  # never arrives
        self.losses.append((t, f, self.car_arc[c], LOST_PATIENTS if load else -1,
                            float(len(load))))
        self.car_load[c] = []
        if to >= 0:
            self.room_to[to] -= self.litters[i]
            if self.n_waiting[to] > self.room_to[to]:
                self._call(t, to)

    # ------------------------------------------------------------ treatment
    def _admit(self, t: float, cid: int, h: int) -> None:
        self.t_hosp[cid] = t
        servers = self.tables[h]
        if self.prec[cid] != ROUTINE and servers is not None:
            self.hosp_of[cid] = h
            servers.arrive(t, cid, self.prec[cid])
        else:
            self.stays.append((h, t, t + self.los_d[h]))

    def _surgery_time(self, t: float, cid: int) -> float:
        """A table takes case ``cid`` at ``t``: how long the table is held. No surgery
        starts while the hospital's node is closed (the case waits on the table's
        queue until it reopens; inf: never), and the tables work at the node's
        capacity factor when the surgery starts (half capacity: a table is held twice
        the operating time), as any capacity of a disrupted node does."""
        mean = SURGERY_H[self.prec[cid]] / 24.0
        h = self.hosp_of[cid]
        if self.deterministic:
            dur = mean
        else:
            s2 = math.log1p(SURGERY_CV ** 2)
            dur = mean * math.exp(-s2 / 2.0 + math.sqrt(s2) * self.draws.normal())
        prof = self.run.st.node_prof[self.hospitals[h]]
        if prof is None:
            start, held = t, dur
        else:
            start, factor = prof.open_from(t)
            if start == math.inf:
                return start  # closed for good: never operated (t_surg stays inf)
            held = start - t + dur / factor
        self.t_surg[cid] = start
        self.stays.append((h, start + dur, start + dur + self.los_d[h]))
        return held

    # --------------------------------------------------------------- results
    def lost_by_fleet(self) -> dict[int, int]:
        return dict(self.lost_fleet)

    def outcome(self) -> tuple[dict[str, float], dict[str, float]]:
        mm = self.mm
        horizon = self.run.model.horizon
        limit = mm.surgery_within_h / 24.0
        n = len(self.t_wound)
        within = judged = 0
        evac_ok = evac_n = 0
        died = self.died
        delays = []
        for cid in range(n):
            tw, p = self.t_wound[cid], self.prec[cid]
            th = self.t_hosp[cid]
            lost = th < 0  # died in a lost carrier: neither evacuated nor operated in time
            if tw + mm.limits_d[p] <= horizon:
                evac_n += 1
                evac_ok += not lost and th - tw <= mm.limits_d[p] + 1e-9
            if p == ROUTINE:
                continue
            ts = self.t_surg[cid]
            if tw + limit <= horizon:
                judged += 1
                within += not lost and ts - tw <= limit + 1e-9
            if lost:  # already counted dead (on_lost)
                continue
            delay_h = (min(ts, horizon) - tw) * 24.0
            if ts < math.inf:
                delays.append(delay_h)
            pr = dow_probability(delay_h, mm.dow)
            died += pr if self.deterministic else float(self.draws.uniform() < pr)
        med = {
            "casualties": float(n),
            "kia": float(self.kia),
            "share_surgery_within_limit": within / judged if judged else math.nan,
            "share_evacuated_within_limit": evac_ok / evac_n if evac_n else math.nan,
            "surgical_cases_judged": float(judged),  # what the shares are of
            "evacuations_judged": float(evac_n),
            "time_to_surgery_h": float(np.mean(delays)) if delays else math.nan,
            "died_of_wounds": float(died),
            "carriers_lost": float(self.lost_carriers),
            "dnbi": float(self.dnbi),
        }
        return med, self._peaks()

    def _peaks(self) -> dict[str, float]:
        """Peak concurrent bed occupancy per role (demand; may exceed the beds): the
        highest running count over the stays' ins (+1) and outs (-1) in time order, an
        out before an in at the same time."""
        mm = self.mm
        out = dict.fromkeys(mm.roles, 0.0)
        if not self.stays:
            return out
        h, a, b = (np.asarray(x) for x in zip(*self.stays, strict=True))
        role = np.asarray([mm.hosp_role[i] for i in range(len(self.hospitals))])[h]
        for name in mm.roles:
            sel = role == int(name[4:])
            if not sel.any():
                continue
            times = np.concatenate([a[sel], b[sel]])
            delta = np.concatenate([np.ones(int(sel.sum()), np.int64),
                                    -np.ones(int(sel.sum()), np.int64)])
            level = np.cumsum(delta[np.lexsort((delta, times))])
            out[name] = float(max(int(level.max()), 0))
        return out

    def timeline(self, step: float = 0.5) -> dict[str, np.ndarray]:
        """Patients in hospital and beds used per role, every ``step`` days."""
        mm = self.mm
        days = np.arange(0.0, self.run.model.horizon + 1e-9, step)
        out = {"day": days, "patients": np.zeros(len(days))}
        for r in mm.roles:
            out[f"beds_{r}"] = np.zeros(len(days))
        if not self.stays:
            return out
        h, a, b = (np.asarray(x) for x in zip(*self.stays, strict=True))
        # a stay counts on the days d with a <= d < b: indices lo .. hi - 1
        lo = np.searchsorted(days, a, side="left")
        hi = np.searchsorted(days, b, side="left")
        keep = lo < hi
        role = np.asarray([mm.hosp_role[i] for i in range(len(self.hospitals))])[h]

        def count(sel: np.ndarray) -> np.ndarray:
            diff = np.zeros(len(days) + 1)
            np.add.at(diff, lo[sel], 1.0)
            np.add.at(diff, hi[sel], -1.0)
            return np.cumsum(diff[:-1])

        out["patients"] = count(keep)
        for r in mm.roles:
            out[f"beds_{r}"] = count(keep & (role == int(r[4:])))
        return out


def medical_defaults() -> dict[str, Any]:
    """The defaults used when the medical block leaves a key out (for the docs)."""
    return {"precedence": DEFAULT_SHARES, "limits_h": DEFAULT_LIMITS_H,
            "length_of_stay_days": {f"role{k}": v for k, v in DEFAULT_LOS_DAYS.items()},
            "died_of_wounds": {"model": "logistic", **DEFAULT_DOW},
            "surgery_h": dict(zip(("urgent", "priority"), SURGERY_H, strict=True))}
