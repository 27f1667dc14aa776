"""Simulator speed, side by side, in one command:

    python benchmarks/sim_speed.py              # full: 1,000 eastern-flank runs
    python benchmarks/sim_speed.py --quick      # smaller, for a smoke test

1. **Kernel vs SimPy** on the same scenario: a rail corridor (12 links with train
   paths per day, terminals with visits per day) worked by a cycling train fleet.
   Corridor's simulator and a SimPy model of the same rules run it deterministic;
   both must close on the same day after the same trips, so they process the same
   model events (a load, an unload, every arc a train enters). Reported: model
   events per second of each and the ratio (target >= 10x).
2. **1,000 runs of eastern-flank** with 2 workers: wall time including compiling
   the scenario (target <= 2 min on the 2-core machine).
3. **Scaling** from 1 to 2 workers on the same runs: efficiency T1 / (2 T2)
   (target >= 80 %).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ARCS = 12
KM = 50.0
SPEED = 50.0
TRAIN_T = 1000.0
LOAD_H = UNLOAD_H = 2.0
PATHS_PER_DAY = 24.0
VISITS_PER_DAY = 30.0


def corridor_yaml(tonnes: float, trains: int, horizon: float) -> str:
    nodes = [f"  - {{id: n{i}, kind: rail_terminal, lat: 50, lon: {10 + 0.7 * i:.2f}"
             + (f", rail_per_day: {VISITS_PER_DAY}" if i in (0, ARCS) else "") + "}"
             for i in range(ARCS + 1)]
    links = [f"  - {{id: r{i}, from: n{i}, to: n{i + 1}, mode: rail, distance_km: {KM}, "
             f"capacity_per_day: {PATHS_PER_DAY}}}" for i in range(ARCS)]
    return "\n".join([
        "format: corridor/1", "name: rail corridor", f"horizon_days: {horizon}", "seed: 1",
        "nodes:", *nodes, "links:", *links,
        "carriers:",
        f"  - {{id: trains, mode: rail, count: {trains}, home: n0, capacity_t: {TRAIN_T}, "
        f"capacity_m2: 760, speed_kmh: {SPEED}, load_h: {LOAD_H}, unload_h: {UNLOAD_H}}}",
        "movements:",
        f"  - {{id: haul, origin: n0, destination: n{ARCS}, due_day: {horizon}, "
        f"supplies_t: {tonnes}, kind: supply}}", ""])


def simpy_corridor(tonnes: float, trains: int) -> tuple[float, int, int, float]:
    """The same corridor in SimPy: (closure day, trips, model events, seconds)."""
    import simpy

    env = simpy.Environment()
    slot_d, visit_d, leg_d = 1 / PATHS_PER_DAY, 1 / VISITS_PER_DAY, KM / SPEED / 24
    fwd = [simpy.Resource(env, 1) for _ in range(ARCS)]
    back = [simpy.Resource(env, 1) for _ in range(ARCS)]
    visit = {0: simpy.Resource(env, 1), ARCS: simpy.Resource(env, 1)}
    state = {"left": tonnes, "closure": 0.0, "trips": 0, "events": 0}

    def hold(res: simpy.Resource, req: simpy.Resource, dt: float):
        yield env.timeout(dt)
        res.release(req)

    def gate(res: simpy.Resource, dt: float):
        req = res.request()
        yield req
        env.process(hold(res, req, dt))

    def train():
        home = True
        while state["left"] > 1e-9:
            q = min(TRAIN_T, state["left"])
            state["left"] -= q
            if not home:
                for a in reversed(range(ARCS)):
                    yield from gate(back[a], slot_d)
                    state["events"] += 1
                    yield env.timeout(leg_d)
            yield from gate(visit[0], visit_d)
            state["events"] += 1
            yield env.timeout(LOAD_H / 24)
            for a in range(ARCS):
                yield from gate(fwd[a], slot_d)
                state["events"] += 1
                yield env.timeout(leg_d)
            yield from gate(visit[ARCS], visit_d)
            yield env.timeout(UNLOAD_H / 24)
            state["events"] += 1
            state["trips"] += 1
            state["closure"] = env.now
            home = False

    for _ in range(trains):
        env.process(train())
    t0 = time.perf_counter()
    env.run()
    return state["closure"], int(state["trips"]), int(state["events"]), \
        time.perf_counter() - t0


def kernel_vs_simpy(tonnes: float, trains: int) -> None:
    from corridor.scenario import load_scenario
    from corridor.sim.engine import Run
    from corridor.sim.model import compile_model
    from corridor.sim.options import options_from

    horizon = tonnes / TRAIN_T / PATHS_PER_DAY * 1.5 + 10
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "corridor.yaml"
        p.write_text(corridor_yaml(tonnes, trains, horizon), encoding="utf-8")
        s = load_scenario(p)
    model = compile_model(s, options_from(s, deterministic=True))
    Run(model, np.random.SeedSequence(0)).run()  # warm the path caches
    best = np.inf
    for _ in range(3):
        r = Run(model, np.random.SeedSequence(0))
        t0 = time.perf_counter()
        r.run()
        best = min(best, time.perf_counter() - t0)
    ours_closure, ours_trips, heap = max(r.st.closure), r.st.trips, r.kernel.events
    sp_closure, sp_trips, events, sp_time = min(
        (simpy_corridor(tonnes, trains) for _ in range(3)), key=lambda x: x[3])
    same = abs(ours_closure - sp_closure) < 1e-6 and ours_trips == sp_trips
    print(f"1. rail corridor ({ARCS} links, {trains} trains, {ours_trips:,} trips, "
          f"{events:,} model events)")
    print(f"   same result: {'yes' if same else 'NO'} (closure day {ours_closure:.4f} vs "
          f"{sp_closure:.4f}; trips {ours_trips} vs {sp_trips})")
    print(f"   {'':22}{'seconds':>10}{'model events/s':>18}")
    print(f"   {'corridor kernel':22}{best:>10.3f}{events / best:>18,.0f}   "
          f"({heap:,} heap events)")
    print(f"   {'SimPy':22}{sp_time:>10.3f}{events / sp_time:>18,.0f}")
    print(f"   ratio {sp_time / best:.1f}x (target >= 10x)")


def monte_carlo(runs: int, workers: int, scaling_runs: int) -> None:
    from corridor.scenario import load_scenario
    from corridor.sim import simulate
    from corridor.sim.model import compile_model
    from corridor.sim.montecarlo import sweep
    from corridor.sim.options import options_from

    s = load_scenario("eastern-flank")
    t0 = time.perf_counter()
    res = simulate(s, runs, s.seed, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    print(f"2. eastern-flank: {runs:,} runs, {workers} workers: {wall:.1f} s wall incl. "
          f"compile (target 1,000 runs <= 120 s), {res.summary['events']:,} events")
    model = compile_model(s, options_from(s))
    times, cpu = {}, {}
    for w in (1, 2):
        t0 = time.perf_counter()
        recs = sweep(model, s.seed, scaling_runs, workers=w, progress=False).records
        times[w] = time.perf_counter() - t0
        cpu[w] = sum(r.cpu_seconds for r in recs) / len(recs)
    eff = times[1] / (2 * times[2])
    print(f"3. scaling, {scaling_runs} runs: 1 worker {times[1]:.1f} s, 2 workers "
          f"{times[2]:.1f} s: speed-up {times[1] / times[2]:.2f}, efficiency "
          f"{100 * eff:.0f} % (target >= 80 %; needs 2 idle cores)")
    print(f"   CPU per run: {1000 * cpu[1]:.0f} ms (1 worker), {1000 * cpu[2]:.0f} ms "
          f"(2 workers): CPU efficiency {100 * cpu[1] / cpu[2]:.0f} %; 1,000 runs on 2 "
          f"idle cores: about {1000 * cpu[2] / 2:.0f} s + compile")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scaling-runs", type=int, default=100)
    args = ap.parse_args()
    if args.quick:
        args.runs, args.scaling_runs = 20, 10
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load:.1f}")
    kernel_vs_simpy(200_000.0 if args.quick else 2_000_000.0, 40)
    monte_carlo(args.runs, args.workers, args.scaling_runs)


if __name__ == "__main__":
    main()
