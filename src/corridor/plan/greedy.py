"""An earliest-due-date greedy dispatcher: the yardstick the optimizer is measured
against (benchmarks/plan_scale.py).

Movements go in order of due day (then priority). Each cargo class takes the
router's fastest route with the router's carriers, and at every step from its ready
day ships as much as every stretch of that route can take *at the moment the cargo
reaches it* — free carriers for the whole round trip, departures left on each link
that day, handling and transshipment left at the nodes — until all of it is on its
way. No waiting between stretches, no other fleets, no look-ahead: what a dispatcher
working down the TPFDD by hand would do. Same clock, same rules (docs/model.md) as
the planner, so lateness compares like with like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import Network, build_network
from corridor.plan.commodities import Commodity, commodities
from corridor.plan.disruptions import Factors, capacity_factors
from corridor.plan.services import SELF, FleetArcs, Run, carrier_run, march_run, trip_units
from corridor.plan.timegrid import TimeGrid
from corridor.scenario import Scenario

F64 = NDArray[np.float64]


@dataclass
class GreedyResult:
    closure: dict[str, float | None]  # movement -> closure day (None: not all by horizon)
    late_days: dict[str, float | None]
    seconds: float

    @property
    def total_late_days(self) -> float:
        return float(sum(v for v in self.late_days.values() if v is not None))

    @property
    def unmet(self) -> int:
        return sum(v is None for v in self.closure.values())

    def weighted_late_days(self, priority: dict[str, int]) -> float:
        return float(sum(v / priority[k] for k, v in self.late_days.items() if v is not None))


class _Capacity:
    """What is left of every limit, per step or day."""

    def __init__(self, s: Scenario, net: Network, grid: TimeGrid, factors: Factors) -> None:
        self.grid, self.net, self.factors = grid, net, factors
        T = grid.steps
        self.days = math.ceil(T * grid.step_h / 24) + 1
        self.fleet = np.repeat(net.fleets.count.astype(float)[:, None], T + 1, axis=1)
        self.arc_day = np.zeros((len(net.arcs), self.days))
        self.arc_step = np.zeros((len(net.arcs), T + 1))
        self.hand = np.zeros((len(net.nodes), T + 1))  # tonnes handled per step
        self.ts = np.zeros((len(net.nodes), T + 1))  # tonnes transshipped per step
        self.handling = s.nodes["handling_t_per_day"].to_numpy(dtype=float)

    def day(self, step: int) -> int:
        return min(int(step * self.grid.step_h // 24), self.days - 1)


def _chain(net: Network, fa: FleetArcs, c: Commodity, plans: list[list[list[object]]]
           ) -> list[Run]:
    """The router's fastest route, leg by leg, with its own carriers."""
    legs = plans[0]
    runs: list[Run] = []
    for routes in legs:
        route = routes[0]
        for seg in route.segments:  # type: ignore[attr-defined]
            if seg.fleet is None:
                runs.append(march_run(net, seg.arcs, c.march_km_per_day))
            else:
                runs.append(carrier_run(net, fa, net.fleets.index[seg.fleet], seg.arcs))
    return runs


def dispatch(scenario: Scenario, k_routes: int = 1) -> GreedyResult:
    import time

    from corridor.network.routing import Router
    from corridor.plan.services import build_services

    t0 = time.perf_counter()
    net = build_network(scenario)
    grid = TimeGrid.of(scenario.step_h, scenario.horizon_days)
    factors = capacity_factors(scenario, net, grid)
    coms, groups = commodities(scenario, net)
    sv = build_services(net, coms, k_routes, Router(net))
    assert sv.fleet_arcs is not None
    fa = sv.fleet_arcs
    cap = _Capacity(scenario, net, grid, factors)
    T = grid.steps
    last = np.full(len(coms), np.nan)
    done = np.zeros(len(coms), dtype=bool)
    order = sorted(coms, key=lambda c: (c.due_day, c.priority, c.index))
    for c in order:
        plans = sv.routes.get(c.index)
        if not plans:
            continue
        runs = _chain(net, fa, c, plans)  # type: ignore[arg-type]
        remaining = c.quantity
        arrive = np.nan
        for t in range(grid.step_at(c.ready_day * 24.0), T):
            if remaining <= 1e-9:
                break
            got, when = _ship(cap, net, c, runs, t, remaining, fa)
            if got > 0:
                remaining -= got
                arrive = when
        last[c.index] = arrive
        done[c.index] = remaining <= 1e-6 * max(c.quantity, 1.0)
    closure: dict[str, float | None] = {}
    late: dict[str, float | None] = {}
    for g in groups:
        if g.kind != "movement":
            continue
        cs = list(g.commodities)
        ok = bool(cs) and bool(done[cs].all())
        day = float(np.nanmax(last[cs])) if ok else None
        closure[g.id] = day
        late[g.id] = None if day is None else max(0.0, day - g.due_day)
    return GreedyResult(closure, late, time.perf_counter() - t0)


def _ship(cap: _Capacity, net: Network, c: Commodity, runs: list[Run], t: int,
          want: float, fa: FleetArcs) -> tuple[float, float]:
    """Ship as much as the route takes departing at step ``t``; returns (amount, arrival
    day)."""
    grid = cap.grid
    T = grid.steps
    plan: list[tuple[Run, int, float]] = []  # run, departure step, units per trip
    transships: list[tuple[int, int]] = []
    step = t
    amount = want
    for i, r in enumerate(runs):
        if step >= T:
            return 0.0, np.nan
        for j, a in enumerate(r.arcs):
            enter = step + int(r.entry_h[j] // grid.step_h)
            if cap.factors.arcs_at(np.array([a]), np.array([min(enter, T - 1)]))[0] <= 1e-9:
                return 0.0, np.nan
        if r.fleet != SELF:
            f = r.fleet
            if net.fleets.available_day[f] * 24 + fa.from_home(f)[r.start] > step * grid.step_h:
                return 0.0, np.nan
            units = trip_units(c, net, f)
            occ = grid.lag(r.hours + fa.distances(f, [r.end])[0][r.start]).item()
            free = cap.fleet[f, step:min(step + max(occ, 1), T + 1)].min()
            amount = min(amount, free * units)
            for j, a in enumerate(r.arcs):
                per_day = net.arcs.capacity_per_day[a]
                if np.isfinite(per_day):
                    enter = min(step + int(r.entry_h[j] // grid.step_h), T)
                    per_step = math.ceil(per_day * grid.share_of_day() - 1e-6)
                    room = min(per_day - cap.arc_day[a, cap.day(enter)],
                               per_step - cap.arc_step[a, enter])
                    amount = min(amount, max(0.0, room) * units)
            for node in (r.start, r.end):
                h = cap.handling[node] * grid.share_of_day()
                if np.isfinite(h) and c.mass_t > 0:
                    left = h - cap.hand[node, min(step, T)]
                    amount = min(amount, max(0.0, left) / c.mass_t)
            plan.append((r, step, units))
        else:
            plan.append((r, step, math.inf))
        transfer = net.nodes.transfer_h[r.end] if i < len(runs) - 1 else 0.0
        step = step + int(grid.lag(r.hours + transfer).item())
        if i < len(runs) - 1 and r.fleet != SELF and runs[i + 1].fleet != SELF:
            g_in, g_out = net.fleets.gauge_mm[r.fleet], net.fleets.gauge_mm[runs[i + 1].fleet]
            if g_in and g_out and g_in != g_out:
                node = r.end
                left = net.nodes.transship_t_per_day[node] * grid.share_of_day() - \
                    cap.ts[node, min(step, T)]
                if c.mass_t > 0:
                    amount = min(amount, max(0.0, left) / c.mass_t)
                    transships.append((node, step))
                step += 1
    if amount <= 1e-9 or step > T:
        return 0.0, np.nan
    for r, dep, units in plan:
        if r.fleet == SELF:
            continue
        trips = math.ceil(amount / units - 1e-9)
        occ = grid.lag(r.hours + fa.distances(r.fleet, [r.end])[0][r.start]).item()
        cap.fleet[r.fleet, dep:min(dep + max(occ, 1), T + 1)] -= trips
        for j, a in enumerate(r.arcs):
            enter = min(dep + int(r.entry_h[j] // grid.step_h), T)
            cap.arc_day[a, cap.day(enter)] += trips
            cap.arc_step[a, enter] += trips
        if c.mass_t > 0:
            cap.hand[r.start, min(dep, T)] += amount * c.mass_t
            cap.hand[r.end, min(dep, T)] += amount * c.mass_t
    for node, at in transships:
        cap.ts[node, min(at, T)] += amount * c.mass_t
    last_run, last_dep, _ = plan[-1]
    return amount, (last_dep * grid.step_h + last_run.hours) / 24.0
