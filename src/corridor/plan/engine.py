"""Two ways to get whole trips, behind one interface the pipeline and the bottleneck
analysis use: solve, read duals, re-solve with one more unit of something.

- :class:`ExactEngine`: the MIP with integer trips (small and medium instances).
- :class:`RoundingEngine`: the LP relaxation, then relax-and-fix: trips rounded to
  whole numbers a block of days at a time (respecting every fleet, departure and
  berth limit) and the LP re-solved; the gap is measured against the LP bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
from numpy.typing import NDArray

from corridor.plan import changes, extract
from corridor.plan.model import PlanModel
from corridor.plan.rounding import carriers_fit, round_trips
from corridor.plan.solve import Log, Outcome, Solver

F64 = NDArray[np.float64]
# Duals read with integers free: fleets and whole-trip limits only bind there.
POLISH_EXTRA = 10  # trips each run of a polishing neighbourhood may gain
POLISH_SECONDS = 30.0  # per neighbourhood MIP: a safety net; its node limit is the rule
# Polishing stops by counts, not by the clock, so the same scenario gives the same plan
# on a busy machine as on an idle one and a what-if compares with its base, not with
# the load (the time caps are safety nets: at 10 s, 2 of eastern-flank's 40 MIPs
# reached it on a loaded machine).
POLISH_NODES = 500  # branch-and-bound nodes per neighbourhood MIP
POLISH_MIPS = 40  # neighbourhood MIPs in all
POLISH_CLASSES = 6  # classes whose own runs are re-optimized first, worst first
POLISH_WINDOW = 1000  # trips: a fleet with more is re-optimized in overlapping windows of time
POLISH_GAP = 1e-3
POLISH_LOST = 0.05  # priority-weighted days a class may lose to rounding before polishing
POLISH_GAIN = 1e-3  # a round of neighbourhoods that wins less ends the polishing
# priority-weighted days a block's rounding may cost before it is rounded again, up
# wherever a carrier is free (RoundingEngine._round_up_instead)
RETRY_JUMP = 0.25
VERIFY_MIN_SECONDS = 5.0  # a verification MIP may take as long as the plan, at least this
RELAXED_FAMILIES = ("fleet", "link_departures", "node_visits_rail", "node_visits_sea",
                    "node_visits_air")


@dataclass
class Duals:
    """Duals per family row, read on the model whose meta describes the rows."""

    pm: PlanModel
    values: dict[str, F64]


@dataclass
class Solved:
    values: F64  # per variable label of the plan model
    objective: float
    bound: float
    gap: float
    status: str  # optimal | time_limit | interrupted
    seconds: float


def _left(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    return max(1.0, deadline - time.perf_counter())


def verify_deadline(deadline: float | None) -> tuple[bool, float | None]:
    """Whether a verification re-solve may still start under ``deadline`` (2 s left at
    least), and its own deadline: half the time left, so the next still has some."""
    if deadline is None:
        return True, None
    left = deadline - time.perf_counter()
    return left >= 2.0, time.perf_counter() + left / 2


def _family_duals(pm: PlanModel, lp: Outcome, names: tuple[str, ...] | None,
                  skip: tuple[str, ...] = ()) -> dict[str, F64]:
    """Duals per family row; also keeps the rows' activity on ``pm`` (utilization)."""
    out: dict[str, F64] = {}
    if lp.duals is None or lp.activity is None:
        return out
    for name, fam in pm.lp.families.items():
        if (names is not None and name not in names) or name in skip:
            continue
        d = np.zeros(fam.n_rows)
        a = np.zeros(fam.n_rows)
        ok = fam.labels >= 0
        d[ok] = lp.duals[fam.labels[ok]]
        a[ok] = lp.activity[fam.labels[ok]]
        out[name] = d
        pm.row_activity[name] = a
    return out


@dataclass
class ExactEngine:
    pm: PlanModel
    gap: float
    log: Log | None = None
    seconds: float | None = None  # own cap on the MIP (the caller's deadline still holds)
    method: str = "mip"
    solver: Solver = field(init=False)
    solved: Solved | None = None

    def __post_init__(self) -> None:
        self.solver = Solver(self.pm.lp, self.log)

    @property
    def plan_model(self) -> PlanModel:
        return self.pm

    def solve(self, deadline: float | None) -> Solved:
        left = _left(deadline)
        caps = [c for c in (left, self.seconds) if c is not None]
        cap = min(caps) if caps else None
        o = self.solver.mip(cap, self.gap)
        status = o.status
        own_cap = cap is not None and (left is None or cap < left)
        if status == "time_limit" and own_cap:
            status = "feasible"  # stopped by the engine's own cap, not the user's limit
        self.solved = Solved(o.values, o.objective, o.bound, o.gap, status, o.seconds)
        return self.solved

    def duals(self, deadline: float | None) -> list[Duals]:
        """Duals of fleets and whole-trip limits from the LP relaxation, of the rest
        from the LP with the trips fixed at the plan's."""
        assert self.solved is not None
        s = self.solver
        s.set_integer(False)
        try:
            relaxed = s.solve_lp(_left(deadline))
            s.fix_integers(self.solved.values)
            fixed = s.solve_lp(_left(deadline))
        finally:
            s.fix_integers(None)
            s.set_integer(True)
        return [Duals(self.pm, _family_duals(self.pm, relaxed, RELAXED_FAMILIES)),
                Duals(self.pm, _family_duals(self.pm, fixed, None, RELAXED_FAMILIES))]

    verified_by = "mip"

    def close(self) -> None:
        """Nothing runs in the background here (see :meth:`RoundingEngine.close`)."""

    @property
    def verify_base(self) -> Solved:
        assert self.solved is not None
        return self.solved

    def resolve(self, change: changes.Change, deadline: float | None) -> Solved | None:
        """The MIP with one more unit, from the plan (still feasible with more
        capacity), for at most as long as the plan took (``VERIFY_MIN_SECONDS`` at
        least): a verification cut short keeps its best plan, so the change it reports
        is at least what one more unit is worth."""
        assert self.solved is not None
        caps = [c for c in (_left(deadline), self.seconds,
                            max(VERIFY_MIN_SECONDS, self.solved.seconds)) if c is not None]
        undo = changes.apply(self.pm, self.solver, change)
        try:
            o = self.solver.mip(min(caps), self.gap, start=self.solved.values)
        finally:
            undo()
        if not np.isfinite(o.objective):
            return None
        return Solved(o.values, o.objective, o.bound, o.gap, o.status, o.seconds)


@dataclass
class RoundingEngine:
    """Relax-and-fix on the integer model: solve its LP relaxation (interior point),
    then, a block of days at a time, round that block's trips to whole trips (within
    free carriers and every whole-trip limit, see :mod:`corridor.plan.rounding`), fix
    them and re-solve the LP from the last basis, so later days make up for what the
    rounding took (a block that cost much is rounded again, up: :meth:`_round_up_instead`).
    Polishing MIPs follow (:meth:`_polish`), with the bottleneck re-solves beside them
    (:meth:`_verify_beside`). The last LP, with every trip whole, is the plan; the first
    is the bound."""

    pm: PlanModel
    gap: float
    log: Log | None = None
    blocks: int = 20
    polish_seconds: float = 300.0  # all polishing MIPs together (a safety net)
    polish_mips: int = POLISH_MIPS
    method: str = "lp-relax-and-fix"
    solver: Solver = field(init=False)
    lp: Outcome | None = None
    final: Outcome | None = None
    solved: Solved | None = None
    trips: F64 = field(default_factory=lambda: np.zeros(0))
    stopped: str = ""  # "time_limit" / "interrupted" when relax-and-fix was cut short
    _basis: highspy.HighsBasis | None = None
    _x_cost: F64 | None = None
    # What to verify (:meth:`resolve`) once the trips are whole, asked of the caller
    # then; those re-solves run in a thread on a copy of the model while the polishing
    # runs here, and :meth:`resolve` hands their results over.
    ahead: Callable[[RoundingEngine], list[changes.Change]] | None = None
    _done: dict[changes.Change, Solved | None] = field(default_factory=dict)
    _pending: list[changes.Change] = field(default_factory=list)
    _worker: threading.Thread | None = None
    _worker_error: BaseException | None = None
    _beside: Solver | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.solver = Solver(self.pm.lp, self.log)
        self.solver.set_integer(False)
        self._cols = self.solver.col_of[self.pm.y_var].astype(np.int32)
        self._alloc_cols = self.solver.col_of[self.pm.alloc].astype(np.int32)
        self.counts = self.pm.net.fleets.count[self.pm.st.pool_fleet].astype(float)

    @property
    def plan_model(self) -> PlanModel:
        return self.pm

    def _fix(self, idx: NDArray[np.int64], trips: F64 | None,
             solver: Solver | None = None) -> None:
        s = solver or self.solver
        c = self._cols[idx]
        lo = np.zeros(len(c)) if trips is None else trips[idx]
        up = s.col_upper[c] if trips is None else trips[idx]
        s.h.changeColsBounds(len(c), c, lo, up)

    def _fix_alloc(self, alloc: F64 | None, solver: Solver | None = None) -> None:
        """Fix the carriers of each region of a split fleet (None: free them again)."""
        s = solver or self.solver
        c = self._alloc_cols
        if not len(c):
            return
        lo = np.zeros(len(c)) if alloc is None else alloc
        up = np.full(len(c), np.inf) if alloc is None else alloc
        s.h.changeColsBounds(len(c), c, lo, up)

    def _split(self, lp: Outcome) -> None:
        """Whole carriers per region of each split fleet from the LP's fractional ones
        (largest remainders, so each fleet keeps its count), fixed for the rounding."""
        pm = self.pm
        if not len(pm.alloc):
            return
        want = np.maximum(lp.values[pm.alloc], 0.0)
        fleet = pm.st.pool_fleet[pm.alloc_pool]
        out = np.floor(want + 1e-6)
        for f in np.unique(fleet):
            mine = np.flatnonzero(fleet == f)
            short = round(float(pm.net.fleets.count[f]) - out[mine].sum())
            order = mine[np.argsort(-(want[mine] - out[mine]), kind="stable")]
            if short > 0:
                out[order[:short]] += 1.0
            for i in order[::-1][:max(-short, 0)]:  # (the LP's are a hair over the fleet)
                out[i] = max(out[i] - 1.0, 0.0)
        self.counts[pm.alloc_pool] = out
        self._fix_alloc(out)

    def _relax_and_fix(self, first: Outcome, deadline: float | None
                       ) -> tuple[Outcome, F64]:
        st = self.pm.st
        self._split(first)
        trips = np.zeros(st.n_y)
        decided = np.zeros(st.n_y, dtype=bool)
        edges = np.linspace(0, st.grid.steps, self.blocks + 1).round().astype(np.int64)
        last = first
        try:
            for b in range(self.blocks):
                blk = (st.y_t >= edges[b]) & (st.y_t < edges[b + 1])
                if b == self.blocks - 1:
                    blk = ~decided
                if not blk.any():
                    continue
                before = trips
                trips = self._round(last, blk, trips)
                self._fix(np.flatnonzero(blk), trips)
                decided |= blk  # only once fixed: the rest is rounded again on a stop
                out = self.solver.solve_lp(_left(deadline))
                if out.status in ("time_limit", "interrupted"):
                    self.stopped = out.status
                    break
                if out.status != "optimal":
                    return out, trips
                if out.objective - last.objective > RETRY_JUMP:
                    out, trips = self._round_up_instead(last, out, blk, before, trips,
                                                        deadline)
                last = out
                if self.stopped:  # the retry's solve was cut: ``out`` still stands
                    break
            else:
                return last, trips
        except KeyboardInterrupt:  # Ctrl-C between two solves (rounding, in Python)
            self.stopped = "interrupted"
        return self._finish(last, np.where(decided, trips, 0.0), decided)

    def _round_up_instead(self, last: Outcome, out: Outcome, blk: NDArray[np.bool_],
                          before: F64, trips: F64, deadline: float | None
                          ) -> tuple[Outcome, F64]:
        """The block's rounding cost more than ``RETRY_JUMP``: round it again from the
        same LP, up wherever a carrier is free (the first rounding went to the nearest
        whole trip where the LP's later trips fill the fleet, which can leave a class's
        cargo a train or an aircraft short), re-solve and keep the better of the two.
        Eastern-flank: three blocks retried, relax-and-fix ends at 6.0 instead of 10.9
        priority-weighted days. ``before``: the trips decided before this block."""
        basis = self.solver.h.getBasis()  # of ``out``: restored if the retry loses
        alt = self._round(last, blk, before, up=True)
        idx = np.flatnonzero(blk)
        self._fix(idx, alt)
        again = self.solver.solve_lp(_left(deadline))
        if again.status == "optimal" and again.objective < out.objective - 1e-9:
            return again, alt
        if again.status in ("time_limit", "interrupted"):
            self.stopped = again.status
            return out, trips  # the caller rounds the rest from ``out`` and re-solves
        self._fix(idx, trips)
        self.solver.h.setBasis(basis)  # ``out``'s optimal basis: no pivots to get back
        back = self.solver.solve_lp(_left(deadline))
        if back.status in ("time_limit", "interrupted"):
            self.stopped = back.status
        return (back, trips) if back.status == "optimal" else (out, trips)

    def _finish(self, last: Outcome, trips: F64, decided: NDArray[np.bool_]
                ) -> tuple[Outcome, F64]:
        """Relax-and-fix cut short: round every trip not yet decided at once, from the
        last LP, and re-solve the cargo once with no time limit (a whole-trip plan is
        what the caller writes). The solver clears the interrupt, so only a second
        Ctrl-C stops this solve (then there is no plan: the caller says so)."""
        if not decided.all():
            trips = self._round(last, ~decided, trips)
        self._fix(np.arange(self.pm.st.n_y), trips)  # all: a Ctrl-C may have cut a fix
        return self.solver.solve_lp(None), trips

    def _round(self, last: Outcome, todo: NDArray[np.bool_], trips: F64,
               up: bool = False) -> F64:
        """Whole trips for ``todo`` from the carrier-loads of the LP ``last`` (``up``:
        up wherever a carrier is free, whatever the LP's later trips need)."""
        plan = np.maximum(last.values[self.pm.y_var], 0.0)
        return round_trips(self.pm, np.where(todo, plan, 0.0), todo, trips, self.counts,
                           None, None if up else plan)

    def solve(self, deadline: float | None) -> Solved:
        t0 = time.perf_counter()
        self.solver.h.setOptionValue("solver", "ipm")
        self.lp = lp = self.solver.solve_lp(_left(deadline))
        self.solver.h.setOptionValue("solver", "simplex")  # later solves start from a basis
        self._basis = self.solver.h.getBasis()
        if lp.status != "optimal":
            self.solved = Solved(np.zeros(self.solver.n_labels), np.inf, -np.inf, np.inf,
                                 lp.status, time.perf_counter() - t0)
            return self.solved
        final, self.trips = self._relax_and_fix(lp, deadline)
        self.final = final  # every trip whole: its duals price the plan's limits
        if final.status == "interrupted":
            self.stopped = "interrupted"  # a second Ctrl-C: no whole-trip plan
        if final.status == "optimal" and not self.stopped:
            if self.ahead is not None:
                self._verify_beside(self.ahead(self), deadline)
            final = self._polish(final, deadline)
        gap = max(0.0, (final.objective - lp.objective) / max(abs(final.objective), 1e-9))
        status = self.stopped or final.status
        self.solved = Solved(final.values, final.objective, lp.objective, gap, status,
                             time.perf_counter() - t0)
        return self.solved

    def _class_cost(self, values: F64) -> F64:
        """Each cargo class's share of the objective (its flows' costs)."""
        pm, st = self.pm, self.pm.st
        if self._x_cost is None:
            cost = np.zeros(self.solver.n_labels)
            cost[self.solver.vlabels] = np.asarray(self.solver.h.getLp().col_cost_)
            self._x_cost = cost[pm.x]
        return np.bincount(st.mv_com[st.x_move], weights=self._x_cost * values[pm.x],
                           minlength=len(pm.coms)).astype(np.float64)

    def _short(self, values: F64) -> NDArray[np.bool_]:
        """The cargo classes ``values`` never closes."""
        return np.asarray(np.isnan(extract.read_solution(self.pm, values).closure))

    def _runs_of(self, c: int) -> NDArray[np.int64]:
        """The carried trips of the runs class ``c`` moves on."""
        st = self.pm.st
        runs = np.unique(st.mv_run[st.mv_com == c])
        return np.flatnonzero(np.isin(st.y_run, runs) & (st.run_pool[st.y_run] >= 0))

    def _neighbourhoods(self, values: F64, short: NDArray[np.bool_] | None = None
                        ) -> list[NDArray[np.int64]]:
        """Trip sets worth re-optimizing, best first: the runs of each class the rounding
        stranded, then of those it delayed most (``POLISH_CLASSES`` in all), then, fleet
        by fleet
        (ranked by what those classes lost), every trip of the fleet, so carriers can
        move between runs; a fleet of more than ``POLISH_WINDOW`` trips in windows of
        that many consecutive departures, each overlapping the next by half (one MIP
        over 2,000 PLS trips does not finish in ``POLISH_SECONDS``; a window does).
        ``short``: the classes ``values`` never closes, where the caller has them."""
        st = self.pm.st
        assert self.lp is not None
        lost = self._class_cost(values) - self._class_cost(self.lp.values)
        if short is None:
            short = self._short(values)
        worse = short | (lost > POLISH_LOST)
        if not worse.any():
            return []
        out: list[NDArray[np.int64]] = []
        # stranded classes first (a movement left short is what a planner minds most,
        # whatever its weight), then the ones that lost most: POLISH_CLASSES in all
        order = np.argsort(-lost, kind="stable")
        order = np.concatenate([order[short[order]], order[~short[order]]])
        for c in order[:POLISH_CLASSES]:
            if not worse[c]:
                break
            out.append(self._runs_of(int(c)))
        # each fleet pool's share of the loss: the loss of every worse class that
        # has a move on one of its runs
        pools = st.run_pool[st.mv_run]
        sel = worse[st.mv_com] & (pools >= 0)
        pair = np.unique(np.stack([st.mv_com[sel], pools[sel]], axis=1), axis=0)
        weight = np.bincount(pair[:, 1], weights=np.maximum(lost[pair[:, 0]], 1e-3),
                             minlength=len(st.pool_fleet))
        for p in np.argsort(-weight):
            if weight[p] <= 0:
                break
            trips = np.flatnonzero(st.run_pool[st.y_run] == p)
            trips = trips[np.argsort(st.y_t[trips], kind="stable")]
            if len(trips) <= POLISH_WINDOW:
                out.append(trips)
                continue
            half = POLISH_WINDOW // 2
            for a in range(0, len(trips) - half, half):
                out.append(trips[a:a + POLISH_WINDOW])
        return [n for n in out if len(n)]

    def _polish(self, final: Outcome, deadline: float | None) -> Outcome:
        """Cargo the rounding stranded or delayed (a class short of closing, or one that
        lost more than ``POLISH_LOST`` to the rounding): small MIPs over neighbourhoods
        of trips (:meth:`_neighbourhoods`: each trip free between none and
        ``POLISH_EXTRA`` more than now, every other trip fixed), each solved from the
        incumbent plan and kept when it is better; at most ``POLISH_NODES`` nodes each.
        Rounds of neighbourhoods (found again from the incumbent) repeat until one wins
        less than ``POLISH_GAIN`` or ``polish_mips`` MIPs are solved (or, as safety
        nets, ``POLISH_SECONDS`` per MIP and ``polish_seconds`` in all are spent)."""
        best = final
        t_end = time.perf_counter() + self.polish_seconds
        solved = 0
        try:
            while True:
                before = best.objective
                short = self._short(best.values)
                todo = self._neighbourhoods(best.values, short.copy())
                while todo:
                    free = todo.pop(0)
                    left = _left(deadline)
                    budget = t_end - time.perf_counter()
                    if left is not None and left < 2.0:
                        self.stopped = "time_limit"  # the caller's limit cut the polishing
                        return best
                    if budget < 1.0 or solved >= self.polish_mips:
                        return best
                    limit = min(POLISH_SECONDS, budget,
                                left / 2 if left is not None else budget)
                    solved += 1
                    o = self._polish_mip(free, best, limit)
                    if o is not None:
                        best = o
                    if self.solver.interrupted:
                        self.stopped = "interrupted"  # the best plan so far, marked as such
                        return best
                    if o is not None:
                        # a better plan that strands a class the round did not know:
                        # that class's own runs come next, not in the next round
                        now = self._short(best.values)
                        new = [self._runs_of(int(c)) for c in np.flatnonzero(now & ~short)]
                        todo[:0] = [n for n in new if len(n)]
                        short |= now
                if before - best.objective < POLISH_GAIN:
                    return best
        except KeyboardInterrupt:  # Ctrl-C between two MIPs: ``best`` is still a plan
            self.stopped = "interrupted"
            self.trips = np.round(best.values[self.pm.y_var])  # in step with the plan
            self._fix(np.arange(self.pm.st.n_y), self.trips)
            return best

    def _polish_mip(self, free: NDArray[np.int64], best: Outcome, limit: float
                    ) -> Outcome | None:
        pm = self.pm
        c = self._cols[free]
        self.solver.h.changeColsBounds(len(c), c, np.zeros(len(c)),
                                       self.trips[free] + POLISH_EXTRA)
        kind = np.full(len(c), 1, dtype=np.uint8)
        self.solver.h.changeColsIntegrality(len(c), c, kind)
        self.solver.h.setOptionValue("mip_max_nodes", POLISH_NODES)
        try:
            o = self.solver.mip(limit, min(self.gap, POLISH_GAP), start=best.values)
        finally:
            self.solver.h.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
            self.solver.h.changeColsIntegrality(len(c), c, np.zeros(len(c), dtype=np.uint8))
        trips = self.trips.copy()
        if np.isfinite(o.objective):
            trips[free] = np.round(o.values[pm.y_var[free]])
        # the MIP's fleet rows let two shuttle runs share a carrier in a step, which the
        # plan's waves cannot: such a plan is not kept
        better = np.isfinite(o.objective) and o.objective < best.objective - 1e-6 \
            and carriers_fit(pm, trips, self.counts)
        if better:
            self.trips = trips
        self._fix(free, self.trips)
        if not better:
            return None
        return Outcome("optimal", o.objective, o.objective, 0.0, o.seconds, o.values)

    def duals(self, deadline: float | None) -> list[Duals]:
        """Duals of fleets and whole-trip limits from the LP relaxation, of the rest
        from the last LP (every trip whole: the plan)."""
        assert self.lp is not None and self.final is not None
        return [Duals(self.pm, _family_duals(self.pm, self.lp, RELAXED_FAMILIES)),
                Duals(self.pm, _family_duals(self.pm, self.final, None, RELAXED_FAMILIES))]

    def resolve(self, change: changes.Change, deadline: float | None) -> Solved | None:
        """Re-solve the LP relaxation with one more unit, from its optimal basis (the
        comparison is relaxation to relaxation: see :attr:`verify_base`); a change
        re-solved beside the polishing is handed over (waiting for it if need be)."""
        assert self.solved is not None and self.lp is not None
        if change in self._pending:
            self._join()
            if change in self._done:
                return self._done[change]
        self._free(self.solver)
        try:
            return self._resolve_on(self.solver, change, deadline)
        finally:
            self._fix(np.arange(self.pm.st.n_y), self.trips)
            self._fix_alloc(self.counts[self.pm.alloc_pool])

    def _free(self, solver: Solver) -> None:
        """Back to the LP relaxation: every trip and region's carriers free."""
        self._fix(np.arange(self.pm.st.n_y), None, solver)
        self._fix_alloc(None, solver)

    def _resolve_on(self, solver: Solver, change: changes.Change, deadline: float | None
                    ) -> Solved | None:
        undo = changes.apply(self.pm, solver, change)
        try:
            if self._basis is not None:
                solver.h.setBasis(self._basis)
            lp = solver.solve_lp(_left(deadline))
        finally:
            undo()
        if lp.status != "optimal":
            return None
        return Solved(lp.values, lp.objective, lp.objective, 0.0, lp.status, lp.seconds)

    def _verify_beside(self, todo: list[changes.Change], deadline: float | None) -> None:
        """Start the re-solves of ``todo`` in a thread, on a copy of the model freed
        back to the LP relaxation: they take as long as the polishing (eastern-flank:
        three re-solves of 15-40 s each), which runs meanwhile on the other core."""
        if not todo:
            return
        beside = self.solver.clone()
        self._free(beside)
        self._beside, self._pending = beside, list(todo)

        def work() -> None:
            try:
                for change in todo:
                    go, mine = verify_deadline(deadline)
                    if self._stop.is_set() or not go:
                        return
                    self._done[change] = self._resolve_on(beside, change, mine)
            except BaseException as e:  # handed to the caller's thread by _join
                self._worker_error = e

        self._worker = threading.Thread(target=work, name="corridor-verify", daemon=True)
        self._worker.start()

    def _join(self) -> None:
        """Wait for the re-solves beside (Ctrl-C stops them and is passed on)."""
        w = self._worker
        if w is None:
            return
        try:
            while w.is_alive():
                w.join(0.1)
        except KeyboardInterrupt:
            self.close()
            raise
        if self._worker_error is not None:
            err, self._worker_error = self._worker_error, None
            raise err

    def close(self) -> None:
        """Stop the re-solves beside, if still running, and wait for their thread."""
        w, beside = self._worker, self._beside
        if w is None or beside is None:
            return
        self._stop.set()
        beside.h.cancelSolve()  # stays set (the clone runs HiGHS directly): no re-solve
        while w.is_alive():  # starts after this one either
            w.join(0.1)
        self._worker = self._beside = None

    @property
    def verify_base(self) -> Solved:
        """What re-solves compare with: the LP relaxation."""
        assert self.lp is not None
        lp = self.lp
        return Solved(lp.values, lp.objective, lp.objective, 0.0, lp.status, lp.seconds)

    verified_by = "lp"
