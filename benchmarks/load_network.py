"""Load + validate, network build and routing times, side by side.

    python benchmarks/load_network.py            # eastern-flank, synthetic 1,000 and 10,000
    python benchmarks/load_network.py --sizes 1000 --queries 50 --movements

Cases: the built-in eastern-flank scenario (skipped with a note if absent) and synthetic
scenarios (benchmarks/synthetic.py, seed 1). Columns:

- load: load_scenario (read, parse, validate, resolve), best of --repeat;
- build: build_network, best of --repeat;
- route 1st: the first query (builds the state graph for the item);
- route new origin: a query from an origin not searched before (one Dijkstra);
- route cached: a query from a searched origin (the shortest-path tree is reused);
- movements: every movement's cargo routed, as `corridor network` does (--movements).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from corridor.network.graph import Network, build_network
from corridor.network.routing import NoRoute, Router
from corridor.network.summary import movement_routes
from corridor.scenario import Scenario, library, load_scenario
from synthetic import make_synthetic


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def _timed_route(router: Router, o: str, d: str, item: str) -> float:
    t = time.perf_counter()
    with contextlib.suppress(NoRoute):
        router.route(o, d, item)
    return time.perf_counter() - t


def route_times(s: Scenario, net: Network, queries: int, seed: int = 1) -> dict[str, float]:
    """First, new-origin and cached query times (s) over movements' origin/destination
    pairs, for a heavy item (Leopard 2A6) and bulk."""
    rng = np.random.default_rng(seed)
    pairs = list(zip(s.movements["origin"], s.movements["destination"], strict=True))
    if not pairs:
        ids = list(s.nodes.index)
        pairs = [tuple(rng.choice(ids, 2, replace=False)) for _ in range(queries)]
    pick = [pairs[i] for i in rng.integers(0, len(pairs), queries)]
    out: dict[str, list[float]] = {"first": [], "new": [], "cached": []}
    for item in ("leopard2a6", "bulk"):
        router = Router(net)
        seen: set[str] = set()
        for n, (o, d) in enumerate(pick):
            dt = _timed_route(router, str(o), str(d), item)
            key = "first" if n == 0 else ("cached" if o in seen else "new")
            out[key].append(dt)
            seen.add(str(o))
            if len(seen) >= Router.TREES:  # beyond the tree cache, every origin is new
                seen.clear()
        # warm repeats from the last origin: cached tree
        o, d = pick[-1]
        for _ in range(5):
            out["cached"].append(_timed_route(router, str(o), str(d), item))
    return {k: float(np.mean(v)) if v else float("nan") for k, v in out.items()}


def run_case(label: str, folder: Path, repeat: int, queries: int, movements: bool
             ) -> dict[str, Any]:
    t_load, s = best(lambda: load_scenario(folder), repeat)
    t_build, net = best(lambda: build_network(s), repeat)
    row: dict[str, Any] = {"case": label, "nodes": len(s.nodes), "links": len(s.links),
                           "arcs": len(net.arcs), "fleets": len(net.fleets),
                           "load_s": t_load, "build_s": t_build}
    row.update({f"route_{k}_ms": v * 1000 for k, v in route_times(s, net, queries).items()})
    if movements:
        t = time.perf_counter()
        rows = movement_routes(s, net)
        dt = time.perf_counter() - t
        row.update(movements_s=dt, cargo_lines=len(rows),
                   per_line_ms=1000 * dt / max(1, len(rows)))
    return row


def main() -> None:
    p = argparse.ArgumentParser(description="load/build/route timings")
    p.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--movements", action="store_true",
                   help="also route every movement's cargo (slow on big cases)")
    a = p.parse_args()

    cases: list[tuple[str, Path]] = []
    ef = library.path("eastern-flank")
    if ef is None:
        print("note: eastern-flank is not in the scenario library yet; skipped")
    else:
        cases.append(("eastern-flank", ef))
    tmp = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    for n in a.sizes:
        t = time.perf_counter()
        folder = make_synthetic(n, seed=1, out=tmp / f"synthetic-{n}")
        print(f"generated synthetic-{n} in {time.perf_counter() - t:.2f} s ({folder})")
        cases.append((f"synthetic-{n}", folder))

    rows = [run_case(label, folder, a.repeat, a.queries, a.movements)
            for label, folder in cases]
    cols = ["nodes", "links", "arcs", "fleets", "load_s", "build_s", "route_first_ms",
            "route_new_ms", "route_cached_ms"]
    if a.movements:
        cols += ["movements_s", "cargo_lines", "per_line_ms"]
    width = max(len(c) for c in cols) + 2
    print()
    print("".ljust(width) + "".join(r["case"].rjust(18) for r in rows))
    for c in cols:
        cells = []
        for r in rows:
            v = r[c]
            cells.append((f"{v:,}" if isinstance(v, int) else f"{v:,.3f}").rjust(18))
        print(c.ljust(width) + "".join(cells))
    syn = [r for r in rows if r["case"].startswith("synthetic-")]
    if len(syn) >= 2:
        lo, hi = syn[0], syn[-1]
        print(f"\nratio {hi['case']} / {lo['case']} (nodes x{hi['nodes'] / lo['nodes']:.0f}):")
        for c in ("load_s", "build_s", "route_new_ms", "route_cached_ms"):
            print(f"  {c:<18} x{hi[c] / lo[c]:.1f}")


if __name__ == "__main__":
    main()
