"""The evacuation network as integer-indexed arrays, discretised in time steps.

Time convention (both methods): step ``t`` is the interval ``[t*step, (t+1)*step)``.
People who enter an arc during step ``t`` reach its head during step ``t + transit``
and may leave it again in that same step; an evacuee who reaches a shelter during
step ``t`` is counted as arrived at the *end* of that step, ``(t+1)*step`` hours.
A batch entering a link is spread over its step, so this is the conservative reading:
one source of P people on one link of c people/h and transit tau steps empties in
``tau + ceil(P / (c*step))`` steps.

Capacities are whole people per step: an arc of ``flow_per_h`` c admits
``floor(c*step*(t+1)) - floor(c*step*t)`` in step t (cumulative rounding), so over k
steps exactly ``floor(c*step*k)`` pass and flows stay integral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from corridor.evacuate.options import EvacOptions
from corridor.scenario import Issue, Scenario, ScenarioError

EPS = 1e-9


def _floor(x: np.ndarray) -> np.ndarray:
    """floor() that does not lose a whole person to 16.999999999 (float noise)."""
    return np.floor(x * (1.0 + 1e-12) + EPS)


def floor_people(x: float) -> int:
    """Scalar twin of :func:`_floor` (same arithmetic, same answer)."""
    return math.floor(x * (1.0 + 1e-12) + EPS)


@dataclass(frozen=True)
class EvacNetwork:
    """Nodes and directed arcs of the evacuation, with per-step capacities.

    ``pop`` is who still has to move once the shelter-in-place share is taken out;
    ``shelter_cap`` is the room left in each shelter after that (0 = not a shelter, or
    one with no room, ``shelter_capacity: 0``; inf = unlimited safe area). ``rate`` is
    people per step on an arc (inf = no limit).
    """

    name: str
    node_ids: tuple[str, ...]
    population: np.ndarray  # int64, as given
    sheltered_in_place: np.ndarray  # int64, people already in a shelter with room
    pop: np.ndarray  # int64, people who must move
    is_shelter: np.ndarray  # bool
    shelter_total: np.ndarray  # float, the shelter's capacity as given (inf = unlimited)
    shelter_cap: np.ndarray  # float, room left after shelter-in-place
    hold_cap: np.ndarray  # float, capacity_pax (inf = unlimited)
    link_ids: tuple[str, ...]
    tail: np.ndarray  # int64 per arc
    head: np.ndarray  # int64 per arc
    link: np.ndarray  # int64 per arc: index into link_ids
    transit: np.ndarray  # int64 steps per arc
    rate: np.ndarray  # float people per step per arc (inf = unlimited)
    step_h: float
    horizon: int  # steps: nothing arrives after step horizon - 1
    # arcs under a disruption: their capacity per step over the horizon
    fixed_caps: dict[int, np.ndarray] = field(default_factory=dict)
    ignored_disruptions: int = 0
    # the scenario's horizon in hours (horizon_days * 24), of which ``horizon`` keeps
    # the whole steps: 2.4 h in 10-min steps is 14 steps, 2.33 h (None: not known)
    horizon_given_h: float | None = None

    @property
    def n(self) -> int:
        return len(self.node_ids)

    @property
    def m(self) -> int:
        return len(self.tail)

    @property
    def evacuees(self) -> int:
        return int(self.population.sum())

    @property
    def to_move(self) -> int:
        return int(self.pop.sum())

    @property
    def big(self) -> int:
        """A capacity no arc can use up in one step: everybody at once, plus one."""
        return self.to_move + 1

    def cap(self, arc: int, t: int) -> float:
        """Whole people ``arc`` admits in step ``t`` (inf = unlimited)."""
        fixed = self.fixed_caps.get(arc)
        if fixed is not None and t < len(fixed):
            return float(fixed[t])
        r = float(self.rate[arc])
        if math.isinf(r):
            return math.inf
        return float(floor_people(r * (t + 1)) - floor_people(r * t))

    def cumulative(self, arcs: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """People arc ``arcs[i]`` admits over its first ``steps[i]`` steps (inf = unlimited)."""
        arcs = np.asarray(arcs, dtype=np.int64)
        steps = np.maximum(np.asarray(steps, dtype=np.int64), 0)
        rate = self.rate[arcs]
        finite = np.isfinite(rate)
        out = np.where(steps > 0, np.inf, 0.0)
        out[finite] = _floor(rate[finite] * steps[finite])
        for i in np.flatnonzero(np.isin(arcs, list(self.fixed_caps))).tolist():
            caps = self.fixed_caps[int(arcs[i])]
            k = int(steps[i])
            extra = self.undisrupted_caps(int(arcs[i]), len(caps), k) if k > len(caps) else 0.0
            out[i] = float(caps[: min(k, len(caps))].sum()) + float(np.sum(extra))
        return out

    def undisrupted_caps(self, arc: int, t0: int, t1: int) -> np.ndarray:
        """Undisrupted capacity of ``arc`` in steps t0 .. t1-1."""
        r = float(self.rate[arc])
        if math.isinf(r):
            return np.full(max(0, t1 - t0), np.inf)
        k = np.arange(t0, t1 + 1, dtype=float)
        return np.diff(_floor(r * k))

    def coarsened(self, factor: int) -> EvacNetwork:
        """A relaxation on steps ``factor`` times longer, for lower bounds.

        Transit is rounded down (floor(tau / factor)), capacity per coarse step is the
        sum over its fine steps, waiting is unlimited: every fine plan maps onto a coarse
        one that arrives in coarse step floor(t / factor), so a coarse egress of E_c
        steps proves a fine egress of at least ``factor * (E_c - 1) + 1`` steps.
        """
        import dataclasses

        fixed = {}
        for a, caps in self.fixed_caps.items():
            pad = (-len(caps)) % factor
            tail = self.undisrupted_caps(a, len(caps), len(caps) + pad)
            fixed[a] = np.concatenate([caps, tail]).reshape(-1, factor).sum(axis=1)
        return dataclasses.replace(
            self,
            transit=self.transit // factor,
            rate=self.rate * factor,
            hold_cap=np.full(self.n, np.inf),
            step_h=self.step_h * factor,
            horizon=-(-self.horizon // factor),
            fixed_caps=fixed,
        )

    def cap_matrix(self, steps: int) -> np.ndarray:
        """Capacity of every arc in every step 0..steps-1, shape (m, steps)."""
        k = np.arange(steps + 1, dtype=float)
        finite = np.isfinite(self.rate)
        out = np.full((self.m, steps), np.inf)
        out[finite] = np.diff(_floor(self.rate[finite, None] * k[None, :]), axis=1)
        for a, caps in self.fixed_caps.items():
            n = min(steps, len(caps))
            out[a, :n] = caps[:n]
        return out


def _label(scenario: Scenario, table: str) -> str:
    return scenario.files.get(table, f"{table}.csv")


def build_network(scenario: Scenario, options: EvacOptions) -> EvacNetwork:
    """Arrays of the evacuation; raise :class:`ScenarioError` when there is nothing to do."""
    nodes, links = scenario.nodes, scenario.links
    ids = tuple(str(i) for i in nodes.index)
    index = {nid: i for i, nid in enumerate(ids)}
    population = nodes["population"].to_numpy(dtype=float)
    population = np.where(np.isfinite(population), population, 0).astype(np.int64)
    # NaN = not given (the loader keeps an empty cell apart from 0)
    shelter_given = nodes["shelter_capacity"].to_numpy(dtype=float)
    given = ~np.isnan(shelter_given)
    is_shelter = (nodes["kind"].to_numpy() == "shelter") | (given & (shelter_given > 0))
    # a `shelter` with no shelter_capacity is an open safe area: unlimited room; one
    # with shelter_capacity 0 takes nobody (a shelter closed in a what-if)
    total = np.where(is_shelter, np.where(given, shelter_given, np.inf), 0.0)
    sip = np.where(is_shelter, np.minimum(population, total), 0).astype(np.int64)
    pop = population - sip
    room = total - sip
    hold = nodes["capacity_pax"].to_numpy(dtype=float)

    issues: list[Issue] = []
    nlabel = _label(scenario, "nodes")
    if population.sum() <= 0:
        issues.append(Issue(nlabel, "nothing to evacuate: no node has population > 0",
                            column="population"))
    if not is_shelter.any():
        issues.append(Issue(nlabel, "no shelter to evacuate to: give a node kind 'shelter' "
                            "or shelter_capacity > 0", column="shelter_capacity"))
    if issues:
        raise ScenarioError(issues)

    step_h = options.step_h
    speed_opt = options.speed_kmh
    tails: list[int] = []
    heads: list[int] = []
    link_of: list[int] = []
    transit: list[int] = []
    rate: list[float] = []
    link_ids: list[str] = []
    usable = links[links["mode"].isin(options.modes)]
    for lid, r in usable.iterrows():
        flow = float(r["flow_per_h"])
        speed = min(float(r["speed_kmh"]), speed_opt)
        if not flow > 0 or not speed > 0:
            continue  # closed to people on the move
        km = float(r["distance_km"])
        hours = 0.0 if math.isinf(speed) else km / speed
        tau = max(0, math.ceil(hours / step_h - EPS))
        per_step = math.inf if math.isinf(flow) else flow * step_h
        li = len(link_ids)
        link_ids.append(str(lid))
        ends = [(index[r["from"]], index[r["to"]])]
        if bool(r["bidirectional"]):
            ends.append((index[r["to"]], index[r["from"]]))
        for a, b in ends:
            tails.append(a)
            heads.append(b)
            link_of.append(li)
            transit.append(tau)
            rate.append(per_step)
    horizon = max(1, math.floor(scenario.horizon_days * 24.0 / step_h + EPS))
    tail = np.asarray(tails, dtype=np.int64)
    head = np.asarray(heads, dtype=np.int64)
    link_arr = np.asarray(link_of, dtype=np.int64)
    rates = np.asarray(rate, dtype=float)
    factors, ignored = _disruption_factors(scenario, ids, tuple(link_ids), link_arr, tail, head,
                                           step_h, horizon)
    fixed = {a: _scaled_caps(float(rates[a]), f) for a, f in factors.items()}
    return EvacNetwork(
        name=scenario.name,
        node_ids=ids,
        population=population,
        sheltered_in_place=sip,
        pop=pop,
        is_shelter=is_shelter,
        shelter_total=total,
        shelter_cap=room,
        hold_cap=hold,
        link_ids=tuple(link_ids),
        tail=tail,
        head=head,
        link=link_arr,
        transit=np.asarray(transit, dtype=np.int64),
        rate=rates,
        step_h=step_h,
        horizon=horizon,
        fixed_caps=fixed,
        ignored_disruptions=ignored,
        horizon_given_h=float(scenario.horizon_days) * 24.0,
    )


def _scaled_caps(rate: float, factor: np.ndarray) -> np.ndarray:
    """Whole-people capacity per step of an arc whose rate is scaled step by step."""
    if math.isinf(rate):
        return np.where(factor > 0, np.inf, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(rate * factor)])
    return np.diff(_floor(cum))


def _disruption_factors(
    scenario: Scenario,
    ids: tuple[str, ...],
    link_ids: tuple[str, ...],
    link_of: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    step_h: float,
    horizon: int,
) -> tuple[dict[int, np.ndarray], int]:
    """Per-arc capacity factor per step from scheduled windows and standing threats.

    A window scales an arc's flow_per_h by ``capacity_factor`` in the steps that start
    inside it. Random outage processes are for the simulator: counted, not applied.
    """
    d = scenario.disruptions
    if len(d) == 0 or len(tail) == 0:
        return {}, 0
    country = scenario.nodes["country"].to_numpy()
    link_pos = {lid: i for i, lid in enumerate(link_ids)}
    modes = scenario.links["mode"]
    arc_link = [link_ids[i] for i in link_of.tolist()]
    starts = np.arange(horizon) * step_h
    out: dict[int, np.ndarray] = {}
    ignored = 0
    for _, r in d.iterrows():
        if r["kind"] == "random":
            ignored += 1
            continue
        kind, target = r["target_kind"], str(r["target"])
        if kind == "link":
            hit = (link_of == link_pos[target]) if target in link_pos else np.zeros(0, bool)
        elif kind == "node":
            j = ids.index(target)
            hit = (tail == j) | (head == j)
        elif kind == "mode":
            hit = np.array([modes[lid] == target[5:] for lid in arc_link], dtype=bool)
        elif kind == "country":
            inside = country == target[8:]
            hit = inside[tail] | inside[head]
        else:
            continue
        if not hit.any():
            continue
        if r["kind"] == "standing":
            active = np.ones(horizon, dtype=bool)
        else:
            active = (starts >= float(r["start_day"]) * 24.0 - EPS) & \
                     (starts < float(r["end_day"]) * 24.0 - EPS)
        if not active.any():
            continue
        factor = float(r["capacity_factor"])
        for a in np.flatnonzero(hit).tolist():
            f = out.setdefault(a, np.ones(horizon))
            f[active] *= factor
    return out, ignored
