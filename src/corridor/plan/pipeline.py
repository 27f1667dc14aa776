"""``solve_plan``: scenario in, plan out (docs/planner.md has the whole story).

network → commodities → routes (services) → time-expanded structure → model (one
``define_*`` per constraint family) → HiGHS → plan, bottlenecks, unmet diagnosis.

Small and medium instances solve the MIP with whole trips directly. Large ones solve
a coarse LP over every route first (decisions every day or two), keep the routes and
fleets that plan uses, solve the LP again at the planner's resolution, round trips to
whole numbers (checked against every limit) and re-solve the cargo with those trips;
the gap to the LP bound is reported.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.plan import bottlenecks, diagnose, extract
from corridor.plan.commodities import commodities
from corridor.plan.constraints import FAMILIES, NEVER_EXTRA_DAYS
from corridor.plan.disruptions import capacity_factors
from corridor.plan.engine import ExactEngine, RoundingEngine, Solved, verify_deadline
from corridor.plan.model import PlanModel, define_all
from corridor.plan.progress import Reporter
from corridor.plan.result import PlanResult, expected_losses, movement_rows, summary
from corridor.plan.services import Services, build_services
from corridor.plan.solve import Solver
from corridor.plan.structure import Structure, build_structure
from corridor.plan.timegrid import TimeGrid
from corridor.scenario import Scenario

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
ABS_GAP = 0.01  # objective units (priority-weighted days): closer than this is optimal
EXACT_TRIP_SCALE = 0.1  # trip costs in the MIP of a small instance (PlanModel.trip_scale)


class PlanError(Exception):
    """No plan could be produced (the message says why)."""


@dataclass(frozen=True)
class PlanOptions:
    k_routes: int = 3  # routes per cargo class from the router
    exact_limit: int = 8_000  # flow variables up to which the MIP is solved directly
    mip_seconds: float = 60.0  # the MIP's own time cap; then its best plan is kept
    coarse_budget: int = 45_000  # flow variables of the coarse LP (sets its decision grid)
    fine_budget: int = 25_000  # ... of the LP at the planner's resolution
    late_slack_days: float = 10.0  # large instances: arrivals planned up to due + this
    verify: int = 3  # bottlenecks verified by re-solving
    blocks: int = 20  # relax-and-fix: blocks of days rounded and fixed in turn
    polish_seconds: float = 300.0  # relax-and-fix: polishing MIPs, all together (safety net)
    polish_mips: int = 40  # relax-and-fix: polishing MIPs in all (the rule: same plan on any load)
    # a fine plan may depart this many days after the coarse plan did: room for the
    # rounding to push cargo onto a later departure instead of stranding it
    later_days: float = 12.0
    step_h: float | None = None  # override scenario.planner.step_h
    # large instances: fleets split into pools by region of their loading places (a
    # region at most this many hours across, at most ``regions`` per fleet; None: one
    # pool per fleet). See corridor.plan.regions.
    region_h: float | None = 12.0
    regions: int = 8


@dataclass
class Context:
    scenario: Scenario
    options: PlanOptions
    mip_gap: float
    deadline: float | None
    rep: Reporter
    t0: float

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()


def _model(ctx: Context, net: Any, coms: list[Any], groups: list[Any], sv: Services,
           st: Structure, factors: Any, trips: str, trip_scale: float = 1.0,
           exact: bool = False) -> PlanModel:
    # the exact MIP: carriers by place and whole carriers per shuttle run and step
    pm = PlanModel(ctx.scenario, net, coms, groups, sv, st, factors, trips=trips,
                   trip_scale=trip_scale, positional=exact, shuttle_carriers=exact)
    define_all(pm, list(FAMILIES))
    return pm


def _restrict(pm: PlanModel, values: F64, later_days: float
              ) -> tuple[Services, tuple[I64, I64], set[int]]:
    """Keep what the coarse plan uses: for each cargo class, the stretches (from hold,
    to hold) it sends cargo along, by every fleet that can run them; windows a day (or
    a coarse step) either side of its departures. Classes the coarse plan leaves short
    keep every move, with no lateness cap."""
    st = pm.st
    x = np.maximum(values[pm.x], 0.0)
    sol = extract.read_solution(pm, values)
    short = sol.delivered < pm.quantity * (1 - 1e-6) - 1e-9
    M = len(st.mv_com)
    used = x > 1e-6
    lo = np.full(M, np.iinfo(np.int64).max)
    hi = np.full(M, -1)
    np.minimum.at(lo, st.x_move[used], st.x_t[used])
    np.maximum.at(hi, st.x_move[used], st.x_t[used])
    stretch = st.mv_com * (len(st.hold_com) + 1) ** 2 + (st.mv_hin + 1) * \
        (len(st.hold_com) + 1) + (st.mv_hout + 1)
    s_lo = pd.Series(lo).groupby(stretch).transform("min").to_numpy()
    s_hi = pd.Series(hi).groupby(stretch).transform("max").to_numpy()
    keep = (s_hi >= 0) | short[st.mv_com]
    day = round(st.grid.steps_per_day)
    full = short[st.mv_com] | (s_hi < 0)
    b_lo = np.where(full, 0, np.maximum(s_lo - max(st.g, day), 0))
    b_hi = np.where(full, st.grid.steps, s_hi + max(st.g, round(later_days * day)))
    sv = copy.copy(pm.services)
    idx = np.flatnonzero(keep)
    sv.moves = [pm.services.moves[i] for i in idx]
    narrowed = {int(c) for c in np.flatnonzero(~short)}
    return sv, (b_lo[idx].astype(np.int64), b_hi[idx].astype(np.int64)), narrowed


def ctx_slack(coms: list[Any], days: float) -> F64:
    return np.full(len(coms), days)


def solve_plan(scenario: Scenario, *, time_limit: float | None = None,
               mip_gap: float | None = None, progress: bool = True,
               options: PlanOptions | None = None) -> PlanResult:
    """Plan ``scenario``: when each movement closes, what binds, what cannot close.
    ``time_limit`` and ``mip_gap`` not given: the scenario's ``planner:`` block's
    ``time_limit_s`` (none) and ``mip_gap`` (0.01)."""
    opts = options or PlanOptions()
    if time_limit is None:
        time_limit = scenario.planner.get("time_limit_s")
    if mip_gap is None:
        mip_gap = float(scenario.planner.get("mip_gap", 0.01))
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + float(time_limit)
    with Reporter(progress) as rep:
        ctx = Context(scenario, opts, mip_gap, deadline, rep, t0)
        return _plan(ctx)


def _plan(ctx: Context) -> PlanResult:
    s, opts, rep = ctx.scenario, ctx.options, ctx.rep
    step_h = opts.step_h or s.step_h
    with rep.stage("network", "network and cargo classes"):
        net = build_network(s)
        grid = TimeGrid.of(step_h, s.horizon_days)
        factors = capacity_factors(s, net, grid)
        coms, groups = commodities(s, net)
    with rep.stage("routes", f"routes for {len(coms)} cargo classes"):
        sv = build_services(net, coms, opts.k_routes, Router(net))
    build_t = 0.0
    with rep.stage("model", "time-expanded model"):
        tb = time.perf_counter()
        st = build_structure(net, sv, coms, grid, factors, budget=opts.exact_limit)
        exact = st.g == 1 and st.n_x <= opts.exact_limit
        engine: ExactEngine | RoundingEngine
        coarse: dict[str, Any] = {}
        if exact:
            pm = _model(ctx, net, coms, groups, sv, st, factors, "integer",
                        trip_scale=EXACT_TRIP_SCALE, exact=True)
            engine = ExactEngine(pm, ctx.mip_gap, rep.log, seconds=opts.mip_seconds)
            build_t += time.perf_counter() - tb
        else:
            slack = ctx_slack(coms, opts.late_slack_days)
            st_c = build_structure(net, sv, coms, grid, factors, budget=opts.coarse_budget,
                                   late_slack_days=slack, most_days=3.0,
                                   region_h=opts.region_h, most_regions=opts.regions)
            pm_c = _model(ctx, net, coms, groups, sv, st_c, factors, "aggregate")
            build_t += time.perf_counter() - tb
            rep.note(f"coarse LP: decisions every {st_c.g * grid.step_h:g} h, "
                     f"{st_c.n_x:,} flows over {len(sv.moves):,} moves")
            c_solver = Solver(pm_c.lp, rep.log)
            c_solver.set_integer(False)
            c_solver.h.setOptionValue("solver", "ipm")
            c_solver.h.setOptionValue("run_crossover", "off")  # only the flows are needed
            ts = time.perf_counter()
            lp_c = c_solver.solve_lp(ctx.left())
            if c_solver.interrupted:
                raise KeyboardInterrupt  # nothing planned yet: nothing to write
            coarse = {"decision_step_h": st_c.g * grid.step_h, "flows": st_c.n_x,
                      "seconds": round(time.perf_counter() - ts, 3), "status": lp_c.status,
                      "objective": lp_c.objective}
            tb = time.perf_counter()
            narrowed: set[int] = set()
            if lp_c.status == "optimal":
                sv_f, bounds, narrowed = _restrict(pm_c, lp_c.values, opts.later_days)
            else:
                sv_f, bounds = sv, None
            st = build_structure(net, sv_f, coms, grid, factors, budget=opts.fine_budget,
                                 move_bounds=bounds, region_h=opts.region_h,
                                 most_regions=opts.regions)
            pm = _model(ctx, net, coms, groups, sv_f, st, factors, "integer")
            pm.narrowed = narrowed
            engine = RoundingEngine(pm, ctx.mip_gap, rep.log, blocks=opts.blocks,
                                    polish_seconds=opts.polish_seconds,
                                    polish_mips=opts.polish_mips)
            build_t += time.perf_counter() - tb
        rep.note(f"{'MIP' if exact else 'LP + rounding'}: {engine.solver.n_cols:,} variables, "
                 f"{engine.solver.n_rows:,} constraints, decisions every "
                 f"{st.g * grid.step_h:g} h")
    if isinstance(engine, RoundingEngine) and opts.verify > 0:
        # the bottlenecks to verify are known once the trips are whole: their re-solves
        # run beside the polishing (the ranking is read from the same two LPs later)
        engine.ahead = lambda e: [c.change for c in bottlenecks.candidates(
            e.duals(ctx.deadline))[:opts.verify]]
    try:
        return _solve_and_report(ctx, engine, build_t, coarse, exact)
    finally:
        engine.close()


def _solve_and_report(ctx: Context, engine: ExactEngine | RoundingEngine, build_t: float,
                      coarse: dict[str, Any], exact: bool) -> PlanResult:
    rep = ctx.rep
    with rep.stage("solve", "solving with HiGHS"):
        solved = engine.solve(ctx.deadline)
    plan_pm = engine.plan_model
    plan_pm.solution_values = solved.values
    sol = extract.read_solution(plan_pm, solved.values)
    closures = extract.group_closures(plan_pm, sol)
    interrupted = solved.status == "interrupted"
    timed_out = solved.status in ("time_limit", "interrupted")
    if not np.isfinite(solved.objective):
        if solved.status == "interrupted":
            raise KeyboardInterrupt
        raise PlanError("HiGHS found no plan in the time allowed; try a longer --time-limit")
    cands: list[bottlenecks.Candidate] = []
    verify_note = ""
    try:
        if not timed_out:
            with rep.stage("bottlenecks", "bottlenecks: duals and re-solves"):
                cands = _bottlenecks(ctx, engine, plan_pm, sol, solved, closures)
    except KeyboardInterrupt:
        interrupted = True
        verify_note = "interrupted before the bottleneck analysis finished"
    with rep.stage("diagnosis", "explaining what cannot close"):
        relaxed = None
        if isinstance(engine, RoundingEngine) and engine.lp is not None \
                and np.isfinite(engine.lp.objective):
            relaxed = extract.read_solution(plan_pm, engine.lp.values)
        unmet = diagnose.unmet(plan_pm, sol, cands, relaxed)
    return _result(ctx, engine, plan_pm, sol, solved, closures, cands, unmet, {
        "interrupted": interrupted, "timed_out": timed_out, "build_seconds": build_t,
        "coarse": coarse, "note": verify_note, "exact": exact})


def _bottlenecks(ctx: Context, engine: ExactEngine | RoundingEngine, plan_pm: PlanModel,
                 sol: extract.Solution, solved: Solved, closures: Any
                 ) -> list[bottlenecks.Candidate]:
    duals = engine.duals(ctx.deadline)
    cands = bottlenecks.candidates(duals)
    until = plan_pm.st.grid.steps
    clo = closures["closure_day"].to_numpy(dtype=float)
    if len(clo) and not np.isnan(clo).any():
        until = min(until, plan_pm.st.grid.step_at(float(np.nanmax(clo)) * 24.0))
    for c in cands:
        pm = engine.pm if c.change.family() in plan_pm.trip_rows or c.change.kind == "fleet" \
            or c.change.family() not in plan_pm.lp.families else plan_pm
        c.utilization = bottlenecks.utilization(pm, sol.y, solved.values, c.change, until)
    base = engine.verify_base
    base_closures = closures if base is solved else extract.group_closures(
        plan_pm, extract.read_solution(plan_pm, base.values))
    for c in cands[:ctx.options.verify]:
        go, deadline = verify_deadline(ctx.deadline)
        if not go:
            break
        again = engine.resolve(c.change, deadline)
        if again is None:
            continue
        c.verified = base.objective - again.objective
        c.verified_by = engine.verified_by
        new_sol = extract.read_solution(plan_pm, again.values)
        new = extract.group_closures(plan_pm, new_sol)
        c.closure_change, c.newly_closed, c.before_after = \
            bottlenecks.closure_changes(base_closures, new)
    for c in cands:
        c.explanation = bottlenecks.explain(c)
    return cands


def _result(ctx: Context, engine: ExactEngine | RoundingEngine, pm: PlanModel,
            sol: extract.Solution, solved: Solved, closures: Any,
            cands: list[bottlenecks.Candidate], unmet: list[dict[str, Any]],
            info: dict[str, Any]) -> PlanResult:
    s, st, rep = ctx.scenario, pm.st, ctx.rep
    flows = extract.flows(pm, sol)
    arrivals = extract.arrivals(pm, sol)
    trips = extract.trips(pm, sol)
    carriers = extract.carrier_schedule(pm, sol)
    rows = movement_rows(closures, pm.groups, "movement")
    supply = movement_rows(closures, pm.groups, "supply")
    provable = [u for u in unmet if u.get("provable")]
    if info["timed_out"]:
        status = "time_limit"
    elif provable:
        status = "infeasible"  # the requirement cannot be met, whatever the capacity
    elif solved.gap <= ctx.mip_gap + 1e-9 or solved.objective - solved.bound <= ABS_GAP:
        status = "optimal"
    else:
        status = "feasible"
    loss = dict(zip(s.links.index.astype(str),
                    [float(pm.factors.arc_loss[pm.net.arcs.link == i].max(initial=0.0))
                     for i in range(len(s.links))], strict=True))
    loss = {k: v for k, v in loss.items() if v > 0}
    solver = engine.solver
    gap = solved.gap if math.isfinite(solved.gap) else None
    out = summary(
        s.name, status, rows, supply, st.grid.horizon_days + NEVER_EXTRA_DAYS,
        bottlenecks=[c.to_summary() for c in cands[:10]],
        unmet=unmet,
        model={"variables": solver.n_cols, "constraints": solver.n_rows,
               "integers": len(solver.int_cols), "nonzeros": int(solver.h.getNumNz()),
               "step_h": st.grid.step_h, "decision_step_h": st.g * st.grid.step_h,
               "steps": st.grid.steps, "cargo_classes": len(pm.coms),
               "runs": len(pm.services.runs), "moves": len(pm.services.moves),
               "method": engine.method, "coarse": info["coarse"] or None},
        solve_seconds=round(solved.seconds, 3),
        build_seconds=round(info["build_seconds"], 3),
        wall_seconds=round(time.perf_counter() - ctx.t0, 3),
        timings={k: round(v, 3) for k, v in rep.timings.items()},
        solver_status=solved.status,
        gap=None if gap is None else round(gap, 6),
        gap_days=round(solved.objective - solved.bound, 6) if math.isfinite(solved.bound)
        and math.isfinite(solved.objective) else None,
        objective={"value": round(solved.objective, 6), "bound": round(solved.bound, 6)
                   if math.isfinite(solved.bound) else None,
                   "meaning": "priority-weighted days late + 0.01 x days in transit, per "
                              "cargo class share (docs/planner.md)"},
        interrupted=info["interrupted"],
        expected_losses=expected_losses(trips, flows, loss, carriers),
        not_planned=[f"random outages: {', '.join(pm.factors.random_ids)}"]
        if pm.factors.random_ids else [],
    )
    out["scenario_source"] = str(s.source or "")  # the report finds the map by it
    if info["note"]:
        out["note"] = info["note"]
    return PlanResult(out, flows, arrivals, trips, carriers)



