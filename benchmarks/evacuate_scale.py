"""Exact (time-expanded LP) vs heuristic (CCRP) evacuation on real research networks.

    python benchmarks/evacuate_scale.py                    # city, SiouxFalls, Chicago
    python benchmarks/evacuate_scale.py --philadelphia     # + Philadelphia, heuristic only

The built-in city-evacuation scenario, then each TNTP network
(../shared/data/transport-networks, skipped when absent) turned into an
evacuation: people in the zones in proportion to the trips they send, shelters at
the outermost node of each sector, link capacity as flow_per_h and the free-flow time
as transit. Prints one row per network: egress time of both methods, their ratio,
the heuristic's proven lower bound, and solve times side by side (the heuristic's
time includes its lower bounds; the exact method's includes the heuristic run it
starts from).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = ROOT.parent / "shared" / "data" / "transport-networks"

CASES: dict[str, dict[str, Any]] = {
    "city-evacuation": {"builtin": True, "step_min": 10.0},  # the built-in Rzeszów case
    "SiouxFalls": {"population": 40_000, "shelters": 4, "step_min": 2.0},
    "Chicago-Sketch": {"population": 300_000, "shelters": 8, "step_min": 10.0},
    # daily capacities; two people per car
    "Philadelphia": {"population": 100_000, "shelters": 12, "step_min": 10.0,
                     "capacity_per": "day", "vehicles_per_person": 0.5, "exact": False},
}


def run_case(name: str, spec: dict[str, Any], work: Path, time_limit: float | None,
             exact: bool) -> dict[str, Any]:
    from corridor.evacuate import build_network, evacuate, resolve_options
    from corridor.evacuate.tntp import write_scenario
    from corridor.scenario import load_scenario

    if spec.get("builtin"):
        scenario = load_scenario(name)
    else:
        params = {k: v for k, v in spec.items() if k != "exact"}
        scenario = load_scenario(write_scenario(NETWORKS / name, work / name, **params))
    net = build_network(scenario, resolve_options(scenario))
    row: dict[str, Any] = {"network": name, "nodes": net.n, "arcs": net.m,
                           "people": net.evacuees, "step_min": spec["step_min"]}
    t = time.perf_counter()
    heur = evacuate(scenario, method="heuristic", progress=False).summary
    row["heur_s"] = time.perf_counter() - t
    row["heur_h"] = heur["egress_h"]
    row["bound_h"] = heur["lower_bound_h"]
    row["routes"] = heur["model"]["routes"]
    if exact and spec.get("exact", True):
        t = time.perf_counter()
        ex = evacuate(scenario, method="exact", time_limit=time_limit, progress=False).summary
        row["exact_s"] = time.perf_counter() - t
        row["exact_h"] = ex["egress_h"]
        row["exact_status"] = ex["status"]
        row["variables"] = ex["model"].get("variables", 0)
        row["lp_solves"] = ex["model"].get("lp_solves", 0)
        row["exact_mean_h"] = ex["mean_evacuation_h"]
    row["heur_mean_h"] = heur["mean_evacuation_h"]
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--philadelphia", action="store_true", help="add Philadelphia (heuristic)")
    ap.add_argument("--no-exact", action="store_true", help="heuristic only")
    ap.add_argument("--only", nargs="*", help="network folder names to run")
    ap.add_argument("--time-limit", type=float, default=1800.0,
                    help="seconds for the exact LPs per network")
    args = ap.parse_args()
    import linopy  # noqa: F401 - imported once before any timing
    from rich.console import Console
    from rich.table import Table

    names = args.only or [n for n in CASES if n != "Philadelphia" or args.philadelphia]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if not CASES[name].get("builtin") and not (NETWORKS / name).is_dir():
                print(f"skip {name}: {NETWORKS / name} absent")
                continue
            print(f"{name} ...", flush=True)
            rows.append(run_case(name, CASES[name], Path(tmp), args.time_limit,
                                 not args.no_exact))
    table = Table(title="evacuation: exact (LP) vs heuristic (CCRP)")
    cols = ["network", "nodes", "arcs", "people", "step", "exact egress", "CCRP egress",
            "egress ratio", "CCRP bound", "exact mean", "CCRP mean", "exact s", "CCRP s",
            "time ratio", "LP vars"]
    for c in cols:
        table.add_column(c, justify="left" if c == "network" else "right")
    for r in rows:
        ex_h, he_h = r.get("exact_h"), r["heur_h"]
        table.add_row(
            r["network"], f"{r['nodes']:,}", f"{r['arcs']:,}", f"{r['people']:,}",
            f"{r['step_min']:g} min",
            f"{ex_h:.2f} h" if ex_h is not None else "-",
            f"{he_h:.2f} h" if he_h is not None else "-",
            f"{he_h / ex_h:.3f}" if ex_h and he_h else "-",
            f"{r['bound_h']:.2f} h",
            f"{r['exact_mean_h']:.2f} h" if "exact_mean_h" in r else "-",
            f"{r['heur_mean_h']:.2f} h",
            f"{r['exact_s']:.1f}" if "exact_s" in r else "-",
            f"{r['heur_s']:.1f}",
            f"{r['exact_s'] / r['heur_s']:.1f}x" if "exact_s" in r else "-",
            f"{r.get('variables', 0):,}" if "variables" in r else "-",
        )
    Console(width=220).print(table)
    for r in rows:  # the raw figures, one line each, for logs and reports
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
