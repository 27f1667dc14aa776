"""The time-expanded structure: which variables can be non-zero, as flat numpy arrays.

Nothing here knows about linopy: this module decides *where* flow, trips, holding and
idle carriers may exist (time windows propagated from ready days, fleet availability,
the horizon and closed arcs), so the model has no variable that must be zero.

Conventions (docs/planner.md, "Time"): a move departing at step ``t`` on a run of
``hours`` reaches its next hold at step ``t + ceil((hours + transfer_h) / step_h)``
(no ``transfer_h`` at the destination). A gauge-change move leaves its hold one step
before it departs (its tonnes are transshipped by then: ``define_transshipment``). A carrier trip
departing at ``t`` is busy for ``ceil((hours + empty return) / step_h)`` steps.

Large instances decide departures every ``g`` steps (the *decision grid*): durations
stay in steps, cargo and carriers arriving between grid points wait for the next one,
and every capacity is counted over windows of at least ``g`` steps. ``g`` is the
smallest that keeps the flow variables within a budget; ``g = 1`` is the plain model.
Arrivals may also be capped at ``due + late_slack`` days (widened by the caller for
commodities that do not make it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.network.graph import Network
from corridor.plan.commodities import Commodity
from corridor.plan.disruptions import CLOSED, Factors
from corridor.plan.regions import regions
from corridor.plan.services import SELF, SINK, Services, trip_units
from corridor.plan.timegrid import TimeGrid

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
MAX_PASSES = 64
# A fleet is split by region only into regions of this many carriers or more: whole
# carriers per region from a relaxation that spreads 3 ships over 9 ports cost more than
# the shorter cycles gain (eastern-flank's first relax-and-fix block: 4.3 -> 12.0).
CARRIERS_PER_REGION = 4
MAX_SHUTTLES = 48  # trips one carrier may make per decision step (keeps 1/n well scaled)


@dataclass
class Structure:
    grid: TimeGrid
    g: int  # decision grid: departures at multiples of g steps
    # runs (R)
    run_fleet: I64
    run_start: I64
    run_end: I64
    run_hours: F64
    run_km: F64
    run_occ: I64  # steps a trip keeps its carrier busy (with the empty return)
    # Shuttles: a carrier whose round trip is shorter than a decision step makes
    # ``run_per`` trips in it (a trip takes 1/run_per of a carrier), and the step's
    # last one leaves ``run_wave_h`` after the first; run_hours counts to its arrival.
    run_per: I64
    run_wave_h: F64
    run_cycle_h: F64  # a carrier's round trip: loaded there, empty back (inf: none)
    run_return_h: F64  # empty hours after unloading (to the farthest base of its pool)
    run_pos_h: F64  # positioning hours from the fleet's home to the run's start
    run_pool: I64  # -1 for road marches
    run_ok: NDArray[np.bool_]  # (R, T): may depart at t
    run_arc_ptr: I64  # CSR: arcs of run r are run_arc[ptr[r]:ptr[r+1]]
    run_arc: I64
    run_arc_off: I64  # step offset from departure to entering the arc
    # pools of carriers: one per fleet used (or per region of its loading places)
    pool_fleet: I64
    pool_avail: I64  # the fleet's available step (runs add their positioning)
    # moves (M)
    mv_com: I64
    mv_run: I64
    mv_hin: I64
    mv_hout: I64  # SINK = arrives at the destination
    mv_ts: I64  # transshipment node or -1
    mv_shift: I64  # 1 when transshipped: leaves its hold a step before departure
    mv_lag: I64  # steps from departure to availability in the next hold
    mv_lo: I64
    mv_hi: I64
    # holds (H)
    hold_com: I64
    hold_node: I64
    hold_origin: NDArray[np.bool_]
    hold_lo: I64
    hold_hi: I64
    # variables
    x_move: I64
    x_t: I64
    y_run: I64
    y_t: I64
    x_y: I64  # trip variable of each flow variable (-1 for road marches)
    h_off: I64  # hold variable of (h, grid point k): h_off[h] + k - gp(hold_lo[h])
    idle_off: I64  # idle carriers of (pool, k): idle_off[p] + k - gp(pool_avail[p])
    estimated_flows: int  # flow variables the plain (g = 1) model would have

    @property
    def n_x(self) -> int:
        return len(self.x_move)

    @property
    def n_y(self) -> int:
        return len(self.y_run)

    @property
    def n_h(self) -> int:
        return int(self.h_off[-1]) if len(self.h_off) else 0

    @property
    def n_idle(self) -> int:
        return int(self.idle_off[-1]) if len(self.idle_off) else 0

    def gp(self, steps: I64 | int) -> I64:
        """Grid point at or after a step: when something there can next depart."""
        return -(-np.asarray(steps, dtype=np.int64) // self.g)

    @property
    def run_loaded_h(self) -> F64:
        """Hours of one trip from loading to unloaded (run_hours less the shuttle wave)."""
        return self.run_hours - self.run_wave_h

    @property
    def pool_split(self) -> NDArray[np.bool_]:
        """Per pool: its fleet is split into several pools (regions), so how many of
        the fleet's carriers it has is a decision of the model."""
        return np.bincount(self.pool_fleet)[self.pool_fleet] > 1 if len(self.pool_fleet) \
            else np.zeros(0, dtype=bool)

    @property
    def n_points(self) -> int:
        """Grid points at which departures happen: 0 .. n_points-1."""
        return int(self.gp(self.grid.steps))

    def x_arrival(self) -> I64:
        """Step each flow variable reaches its next hold (or the destination)."""
        return self.x_t + self.mv_lag[self.x_move]


def _arc_offsets(sv: Services, grid: TimeGrid) -> tuple[I64, I64, I64]:
    counts = np.array([len(r.arcs) for r in sv.runs], dtype=np.int64)
    ptr = np.zeros(len(sv.runs) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    arcs = np.fromiter((a for r in sv.runs for a in r.arcs), dtype=np.int64, count=int(ptr[-1]))
    entry = np.fromiter((h for r in sv.runs for h in r.entry_h), dtype=float,
                        count=int(ptr[-1]))
    off = np.floor(entry / grid.step_h + 1e-9).astype(np.int64)
    return ptr, arcs, off


def _pools(net: Network, sv: Services, grid: TimeGrid, region_h: float | None = None,
           most_regions: int = 1) -> tuple[I64, I64, I64, I64, F64, F64]:
    """Pools of carriers: one per fleet, or with ``region_h`` one per region of the
    fleet's loading places (:mod:`corridor.plan.regions`, at most ``most_regions``).
    Returns the pools' fleets and first steps, each run's pool and first step
    (available day + positioning from home to its start), its positioning hours and its
    empty hours after unloading: enough to reach *any* base its pool loads at, so a
    carrier whose trip is over can start its next trip wherever its pool needs it
    (docs/planner.md, "Time")."""
    fa = sv.fleet_arcs
    assert fa is not None
    R = len(sv.runs)
    used = np.zeros(R, dtype=bool)
    if sv.moves:
        used[np.array([m[1] for m in sv.moves], dtype=np.int64)] = True
    run_pool = np.full(R, -1, dtype=np.int64)
    run_avail = np.zeros(R, dtype=np.int64)
    pos = np.zeros(R)
    ret = np.zeros(R)
    by_fleet: dict[int, list[int]] = {}
    for i, r in enumerate(sv.runs):
        if r.fleet != SELF and used[i]:
            by_fleet.setdefault(r.fleet, []).append(i)
    fl = net.fleets
    pf: list[int] = []
    pa: list[int] = []
    for f, runs in by_fleet.items():
        bases = sorted({sv.runs[i].start for i in runs})
        label = np.zeros(len(bases), dtype=np.int64)
        most = min(most_regions, int(fl.count[f]) // CARRIERS_PER_REGION)
        if region_h is not None and len(bases) > 1 and most > 1:
            label = regions(fa.distances(f, bases)[:, bases], region_h, most)
        region_of = dict(zip(bases, label.tolist(), strict=True))
        home = fa.from_home(f)
        first, n_reg = len(pf), int(label.max()) + 1
        pf.extend([f] * n_reg)
        pa.extend([grid.step_at(float(fl.available_day[f]) * 24.0)] * n_reg)
        for k in range(n_reg):
            mine = [i for i in runs if region_of[sv.runs[i].start] == k]
            own = [b for b in bases if region_of[b] == k]
            ends = sorted({sv.runs[i].end for i in mine})
            d_end = fa.distances(f, ends)[:, own].max(axis=1)  # farthest base from each end
            for i in mine:
                r = sv.runs[i]
                run_pool[i] = first + k
                pos[i] = home[r.start]
                ret[i] = d_end[ends.index(r.end)]
                t = fl.available_day[f] * 24.0 + pos[i]
                run_avail[i] = grid.step_at(t) if np.isfinite(t) else grid.steps + 1
    return (np.array(pf, dtype=np.int64), np.array(pa, dtype=np.int64), run_pool, run_avail,
            pos, ret)


def _run_ok(sv: Services, grid: TimeGrid, factors: Factors, ptr: I64, arcs: I64, off: I64,
            run_avail: I64) -> NDArray[np.bool_]:
    R, T = len(sv.runs), grid.steps
    ok = np.ones((R, T), dtype=bool)
    ok &= np.arange(T)[None, :] >= run_avail[:, None]
    if factors.arc is not None:
        run_of_arc = np.repeat(np.arange(R), np.diff(ptr))
        for j in range(len(arcs)):  # closed while the run would enter the arc
            steps = np.arange(T) + off[j]
            f = factors.arc[arcs[j], np.minimum(steps, T - 1)]
            ok[run_of_arc[j]] &= f > CLOSED
    return ok


def _next_prev(ok: NDArray[np.bool_]) -> tuple[I64, I64]:
    """For each (run, t): first ok step >= t (T if none) and last ok step <= t (-1)."""
    R, T = ok.shape
    idx = np.where(ok, np.arange(T)[None, :], T)
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    nxt = np.concatenate([nxt, np.full((R, 1), T)], axis=1)
    idx2 = np.where(ok, np.arange(T)[None, :], -1)
    prv = np.maximum.accumulate(idx2, axis=1)
    return nxt.astype(np.int64), prv.astype(np.int64)


def _windows(mv: tuple[I64, ...], ok: NDArray[np.bool_], earliest0: I64, cap: I64,
             lag: I64, shift: I64, T: int, bounds: tuple[I64, I64] | None = None
             ) -> tuple[I64, I64, I64, I64]:
    """Earliest / latest departure per move and earliest / latest activity per hold."""
    mv_run, mv_hin, mv_hout = mv
    b_lo, b_hi = bounds if bounds is not None else (np.zeros(len(mv_run), np.int64),
                                                    np.full(len(mv_run), T, np.int64))
    nxt, prv = _next_prev(ok)
    big = np.iinfo(np.int64).max // 4
    earliest = earliest0.copy()
    lo = np.full(len(mv_run), big, dtype=np.int64)
    inner = mv_hout != SINK
    for _ in range(MAX_PASSES):  # forward: earliest departure and availability
        s = np.maximum(earliest[mv_hin] + shift, b_lo)
        lo = np.where(s < T, nxt[mv_run, np.clip(s, 0, T)], big)
        lo = np.where(lo >= T, big, lo)
        new = earliest.copy()
        np.minimum.at(new, mv_hout[inner], np.where(lo[inner] < big, lo[inner] + lag[inner],
                                                    big))
        if np.array_equal(new, earliest):
            break
        earliest = new
    latest = np.full(len(earliest), -1, dtype=np.int64)
    hi = np.full(len(mv_run), -1, dtype=np.int64)
    out = np.maximum(mv_hout, 0)
    for _ in range(MAX_PASSES):  # backward: latest departure that still arrives in time
        last = np.where(inner, latest[out] - lag, cap - lag)
        last = np.where(inner & (latest[out] < 0), -1, np.minimum(np.minimum(last, T - 1),
                                                                  b_hi))
        hi = np.where(last >= 0, prv[mv_run, np.clip(last, 0, T - 1)], -1)
        new = latest.copy()
        live = (hi >= 0) & (hi >= lo)
        np.maximum.at(new, mv_hin[live], hi[live] - shift[live])
        if np.array_equal(new, latest):
            break
        latest = new
    return lo, hi, earliest, latest


def pick_grid(estimated: int, budget: int, steps_per_day: float, most_days: float = 1.0
              ) -> int:
    """The finest decision grid keeping about ``budget`` flow variables (at most
    ``most_days`` of steps)."""
    top = max(1, round(most_days * steps_per_day))
    for g in range(1, top + 1):
        if estimated / g <= budget:
            return g
    return top


def carrier_share(net: Network, c: Commodity, f: int) -> float:
    """The share of one carrier-load of fleet ``f`` that one unit of ``c`` takes."""
    n = trip_units(c, net, f)
    return 1.0 / n if n > 0 else math.inf


def waves_needed(net: Network, sv: Services, coms: list[Commodity]) -> I64:
    """Per run: the waves of its whole fleet that would carry everything that may
    use the run (every class of its moves, each once), at least 1."""
    R = len(sv.runs)
    loads = np.zeros(R)
    seen: set[tuple[int, int]] = set()
    for com, run, *_ in sv.moves:
        f = sv.runs[run].fleet
        if f == SELF or (com, run) in seen:
            continue
        seen.add((com, run))
        loads[run] += coms[com].quantity * carrier_share(net, coms[com], f)
    count = np.array([net.fleets.count[r.fleet] if r.fleet != SELF else 1 for r in sv.runs],
                     dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.ceil(np.where(count > 0, loads / count, 1.0) - 1e-9)
    return np.clip(np.nan_to_num(need, nan=1.0, posinf=MAX_SHUTTLES), 1, MAX_SHUTTLES
                   ).astype(np.int64)


def shuttles(cycle_h: F64, pool: I64, period_h: float, need: I64 | None = None
             ) -> tuple[I64, F64]:
    """Trips one carrier makes per decision step on each run (its round trip fits that
    many times: a truck shuttling 60 km is not one trip a day, but no more than the
    waves its cargo needs: two coaches for 100 people go once), and how long after the
    step's first trip its last one leaves (its cargo is counted as arriving with it)."""
    short = np.isfinite(cycle_h) & (cycle_h > 0) & (pool >= 0)
    per = np.ones(len(cycle_h), dtype=np.int64)
    per[short] = np.clip(np.floor(period_h / cycle_h[short] + 1e-9), 1, MAX_SHUTTLES)
    if need is not None:
        per = np.minimum(per, need)
    wave = np.where(per > 1, (per - 1) * np.where(short, cycle_h, 0.0), 0.0)
    return per, wave


def build_structure(net: Network, sv: Services, coms: list[Commodity], grid: TimeGrid,
                    factors: Factors, g: int | None = None, budget: int = 150_000,
                    late_slack_days: F64 | None = None,
                    move_bounds: tuple[I64, I64] | None = None,
                    most_days: float = 1.0, region_h: float | None = None,
                    most_regions: int = 1) -> Structure:
    """Windows, variables and offsets for the services' moves. ``move_bounds`` (steps,
    per move) narrows departure windows, e.g. around a coarser plan; ``region_h`` splits
    fleets into pools by region (:func:`_pools`)."""
    T = grid.steps
    R = len(sv.runs)
    ptr, arcs, off = _arc_offsets(sv, grid)
    pool_fleet, pool_avail, run_pool, run_avail, run_pos, ret = _pools(
        net, sv, grid, region_h, most_regions)
    run_fleet = np.array([r.fleet for r in sv.runs], dtype=np.int64)
    hours = np.array([r.hours for r in sv.runs], dtype=float)
    run_end = np.array([r.end for r in sv.runs], dtype=np.int64)
    cycle = hours + ret  # inf where the fleet cannot get back
    occ = np.where(np.isfinite(cycle), grid.lag(np.where(np.isfinite(cycle), cycle, 0.0)),
                   T + 1)
    ok0 = _run_ok(sv, grid, factors, ptr, arcs, off, run_avail) if R else \
        np.zeros((0, T), dtype=bool)

    mv = np.array(sv.moves, dtype=np.int64).reshape(-1, 5)
    mv_com, mv_run, mv_hin, mv_hout, mv_ts = (mv[:, i] for i in range(5))
    shift = (mv_ts >= 0).astype(np.int64)
    transfer = net.nodes.transfer_h[run_end[mv_run]] if len(mv) else np.zeros(0)
    lag = grid.lag(hours[mv_run] + np.where(mv_hout == SINK, 0.0, transfer))

    H = len(sv.holds)
    hold_com = np.array([h[0] for h in sv.holds], dtype=np.int64)
    hold_node = np.array([h[1] for h in sv.holds], dtype=np.int64)
    hold_origin = np.zeros(H, dtype=bool)
    hold_origin[list(sv.origin_holds)] = True
    big = np.iinfo(np.int64).max // 4
    earliest0 = np.full(H, big, dtype=np.int64)
    ready = np.array([grid.step_at(c.ready_day * 24.0) for c in coms], dtype=np.int64)
    earliest0[hold_origin] = ready[hold_com[hold_origin]]
    due = np.array([c.due_day for c in coms], dtype=float)
    if late_slack_days is None:
        cap_com = np.full(len(coms), T, dtype=np.int64)
    else:
        last = np.where(np.isfinite(late_slack_days), due + late_slack_days, np.inf)
        cap_com = np.minimum(T, np.floor(np.minimum(last * 24.0 / grid.step_h + 1e-9, T))
                             ).astype(np.int64)
    cap = cap_com[mv_com] if len(mv) else np.zeros(0, np.int64)
    moves = (mv_run, mv_hin, mv_hout)
    lo, hi, _, _ = _windows(moves, ok0, earliest0, cap, lag, shift, T, move_bounds)
    live0 = (lo <= hi) & (hi >= 0) & (lo < big)
    estimated = int(np.where(live0, hi - lo + 1, 0).sum())
    if g is None:
        g = pick_grid(estimated, budget, grid.steps_per_day, most_days)
    per, wave = shuttles(cycle, run_pool, g * grid.step_h, waves_needed(net, sv, coms))
    hours = hours + wave
    lag = grid.lag(hours[mv_run] + np.where(mv_hout == SINK, 0.0, transfer))
    ok = ok0 & (np.arange(T)[None, :] % g == 0)
    lo, hi, earliest, latest = _windows(moves, ok, earliest0, cap, lag, shift, T, move_bounds)
    keep = (lo <= hi) & (lo < big) & (hi >= 0)
    inner = mv_hout != SINK
    # Holds keep only what live moves touch.
    used_h = np.zeros(H, dtype=bool)
    used_h[mv_hin[keep]] = True
    used_h[mv_hout[keep & inner]] = True
    hold_lo = np.where(earliest < big, earliest, 0)
    hold_hi = np.where(used_h & ~hold_origin, np.maximum(latest, hold_lo), hold_lo - 1)

    # Flow variables: every live move at every grid step of its window it may depart.
    counts = np.where(keep, hi - lo + 1, 0)
    x_move = np.repeat(np.arange(len(mv)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    x_t = lo[x_move] + np.arange(len(x_move)) - starts
    good = ok[mv_run[x_move], x_t] if len(x_move) else np.zeros(0, dtype=bool)
    x_move, x_t = x_move[good], x_t[good]

    carrier_x = run_pool[mv_run[x_move]] >= 0
    key = mv_run[x_move] * T + x_t
    ykeys, inv = np.unique(key[carrier_x], return_inverse=True)
    x_y = np.full(len(x_move), -1, dtype=np.int64)
    x_y[carrier_x] = inv
    y_run, y_t = ykeys // T, ykeys % T

    gp_lo, gp_hi = -(-hold_lo // g), -(-hold_hi // g)
    sizes = np.where(hold_origin | (hold_hi < hold_lo), 0, np.maximum(gp_hi - gp_lo + 1, 0))
    h_off = np.zeros(H + 1, dtype=np.int64)
    np.cumsum(sizes, out=h_off[1:])
    n_points = -(-T // g)
    psize = np.maximum(n_points - (-(-pool_avail // g)), 0)
    idle_off = np.zeros(len(pool_fleet) + 1, dtype=np.int64)
    np.cumsum(psize, out=idle_off[1:])
    return Structure(
        grid=grid, g=int(g), run_fleet=run_fleet,
        run_start=np.array([r.start for r in sv.runs], dtype=np.int64), run_end=run_end,
        run_hours=hours, run_km=np.array([r.km for r in sv.runs], dtype=float),
        run_occ=occ.astype(np.int64), run_per=per, run_wave_h=wave, run_cycle_h=cycle,
        run_return_h=ret, run_pool=run_pool, run_ok=ok,
        run_arc_ptr=ptr, run_arc=arcs, run_arc_off=off,
        run_pos_h=run_pos, pool_fleet=pool_fleet, pool_avail=pool_avail,
        mv_com=mv_com, mv_run=mv_run, mv_hin=mv_hin, mv_hout=mv_hout, mv_ts=mv_ts,
        mv_shift=shift, mv_lag=lag, mv_lo=np.where(keep, lo, 0), mv_hi=np.where(keep, hi, -1),
        hold_com=hold_com, hold_node=hold_node, hold_origin=hold_origin, hold_lo=hold_lo,
        hold_hi=hold_hi,
        x_move=x_move, x_t=x_t, y_run=y_run, y_t=y_t, x_y=x_y, h_off=h_off, idle_off=idle_off,
        estimated_flows=estimated,
    )
