"""Planner scaling, side by side with an earliest-due-date greedy dispatcher, in one command:

    python benchmarks/plan_scale.py            # eastern-flank + synthetic 100 .. 10,000 nodes
    python benchmarks/plan_scale.py --quick    # eastern-flank + the two smallest
    python benchmarks/plan_scale.py --sizes 2000:30   # one instance (nodes:days)

For every instance (each in its own process, so peak memory is its own): model size
(variables, constraints, integer trips), build and solve time, wall time, peak resident
memory, the plan's status and gap — and, on the same instance, the plan's total days
late and movements that cannot close next to those of the EDD greedy dispatcher
(corridor.plan.greedy: the router's fastest route and carriers, earliest-due-date
order, no waiting and no look-ahead). Days late are summed over movements; one that
does not close inside the horizon counts as closing at the horizon (a lower bound) and
is also counted under "unmet".

Targets (2-core machine): eastern-flank at 6 h steps in <= 30 s with the model build
<= 20 % of it; a 2,000-node, 30-day instance in <= 5 min and <= 8 GiB.
Synthetic instances: benchmarks/synthetic.py (seeded); the 10,000-node one keeps 100
movements so that it measures network size, not demand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FULL = ((100, 7), (500, 14), (2000, 30), (10000, 60))
QUICK = ((100, 7), (500, 14))
MOVEMENTS_CAP = 100


def run_one(source: str, nodes: int, days: float, seed: int, time_limit: float) -> dict[str, Any]:
    """Plan one instance and dispatch it greedily (in this process)."""
    sys.path.insert(0, str(HERE))
    from corridor.plan import solve_plan
    from corridor.plan.greedy import dispatch
    from corridor.scenario import load_scenario

    if source == "synthetic":
        from synthetic import make_synthetic

        n_mov = min(MOVEMENTS_CAP, max(5, nodes // 20))
        scenario = load_scenario(make_synthetic(nodes, seed=seed, days=days,
                                                n_movements=n_mov))
    else:
        scenario = load_scenario(source)
    info = scenario.summary()
    t0 = time.perf_counter()
    plan = solve_plan(scenario, time_limit=time_limit, progress=False)
    wall = time.perf_counter() - t0
    sm = plan.summary
    greedy = dispatch(scenario)
    rows = sm["movements"]
    horizon = scenario.horizon_days

    def late(closure: float | None, due: float) -> float:
        """Days late; a movement that never closes counts as closing at the horizon (a
        lower bound), and is also counted in 'unmet'."""
        return max(0.0, (horizon if closure is None else closure) - due)

    plan_late = [late(m["closure_day"], m["due_day"]) for m in rows]
    edd_late = [late(greedy.closure[m["id"]], m["due_day"]) for m in rows]
    prio = [m["priority"] for m in rows]
    return {
        "instance": source if source != "synthetic" else f"synthetic-{nodes}",
        "nodes": info["nodes"], "links": info["links"], "movements": info["movements"],
        "days": scenario.horizon_days, "variables": sm["model"]["variables"],
        "constraints": sm["model"]["constraints"], "integers": sm["model"]["integers"],
        "method": sm["model"]["method"], "decision_h": sm["model"]["decision_step_h"],
        "build_s": sm["build_seconds"], "solve_s": sm["solve_seconds"], "wall_s": wall,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "status": sm["status"], "gap": sm["gap"],
        "plan_late": sum(plan_late),
        "plan_weighted": sum(x / p for x, p in zip(plan_late, prio, strict=True)),
        "plan_unmet": sum(m["closure_day"] is None for m in rows),
        "edd_late": sum(edd_late),
        "edd_weighted": sum(x / p for x, p in zip(edd_late, prio, strict=True)),
        "edd_unmet": greedy.unmet, "edd_s": greedy.seconds,
    }


def child(source: str, nodes: int, days: float, seed: int, time_limit: float
          ) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", source, str(nodes),
           str(days), str(seed), str(time_limit)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return {"instance": source if source != "synthetic" else f"synthetic-{nodes}",
                "nodes": nodes, "days": days, "error": " | ".join(tail)}
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def show(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Planner scaling (plan vs earliest-due-date greedy, same instance)")
    cols = ["instance", "nodes", "days", "movements", "variables", "constraints", "integers",
            "method", "build s", "solve s", "wall s", "build %", "peak MB", "status", "gap",
            "late d plan", "late d EDD", "unmet plan", "unmet EDD", "weighted late plan/EDD"]
    for c in cols:
        t.add_column(c, justify="left" if c in ("instance", "method", "status") else "right")
    for r in rows:
        if "error" in r:
            t.add_row(r["instance"], str(r["nodes"]), f"{r['days']:g}", *[""] * 10,
                      "error: " + r["error"][:60], *[""] * 6)
            continue
        ratio = r["plan_weighted"] / r["edd_weighted"] if r["edd_weighted"] > 0 else float("nan")
        t.add_row(
            r["instance"], f"{r['nodes']:,}", f"{r['days']:g}", str(r["movements"]),
            f"{r['variables']:,}", f"{r['constraints']:,}", f"{r['integers']:,}", r["method"],
            f"{r['build_s']:.1f}", f"{r['solve_s']:.1f}", f"{r['wall_s']:.1f}",
            f"{100 * r['build_s'] / max(r['wall_s'], 1e-9):.0f}", f"{r['peak_mb']:,.0f}",
            r["status"], "—" if r["gap"] is None else f"{r['gap']:.1%}",
            f"{r['plan_late']:.1f}", f"{r['edd_late']:.1f}", str(r["plan_unmet"]),
            str(r["edd_unmet"]), f"{ratio:.2f}")
    Console(width=260).print(t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="eastern-flank and the two smallest")
    p.add_argument("--sizes", default="", help="nodes:days,... (default: the full grid)")
    p.add_argument("--no-eastern-flank", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time-limit", type=float, default=600.0, help="per instance, seconds")
    p.add_argument("--one", nargs=5, metavar=("SOURCE", "NODES", "DAYS", "SEED", "LIMIT"),
                   help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one:
        src, n, d, seed, lim = a.one
        print(json.dumps(run_one(src, int(n), float(d), int(seed), float(lim))))
        return
    sizes = QUICK if a.quick else FULL
    if a.sizes:
        sizes = tuple((int(x.split(":")[0]), int(x.split(":")[1])) for x in a.sizes.split(","))
    rows = []
    jobs = ([("eastern-flank", 0, 60.0)] if not a.no_eastern_flank else []) + \
        [("synthetic", n, float(d)) for n, d in sizes]
    for src, n, d in jobs:
        print(f"running {src if src != 'synthetic' else f'synthetic {n} nodes'}, {d:g} days "
              "...", file=sys.stderr, flush=True)
        rows.append(child(src, n, d, a.seed, a.time_limit))
    show(rows)


if __name__ == "__main__":
    main()
