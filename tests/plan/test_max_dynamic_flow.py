"""Maximum dynamic flow: the planner against an independent max-flow on the explicit
time-expanded graph (Ford & Fulkerson's construction, scipy's maximum_flow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

STEP_H = 6
SPEED = 60.0  # km/h: one step of travel is 360 km
# (from, to, capacity per step, transit in steps): three s-t paths of different shape
ARCS = [("s", "a", 3, 1), ("s", "b", 2, 2), ("a", "t", 2, 2), ("b", "t", 3, 1), ("a", "b", 1, 1)]
NODES = ["s", "a", "b", "t"]


def _scenario(tmp_path: Path, steps: int, supplies: float) -> Path:
    lines = ["id,kind,lat,lon"] + [f"{n},road_hub,{50 + i * 0.5},{10 + i}"
                                     for i, n in enumerate(NODES)]
    (tmp_path / "nodes.csv").write_text("\n".join(lines) + "\n")
    rows = ["id,from,to,mode,distance_km,capacity_per_day,bidirectional"]
    for a, b, cap, tau in ARCS:
        rows.append(f"{a}{b},{a},{b},road,{tau * STEP_H * SPEED},{cap * 24 // STEP_H},false")
    (tmp_path / "links.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "carriers.csv").write_text(
        "id,mode,count,home,capacity_t,speed_kmh\ntrucks,road,10000,s,1,60\n")
    horizon = steps * STEP_H / 24
    (tmp_path / "movements.csv").write_text(
        "id,origin,destination,due_day,supplies_t,kind\n"
        f"flow,s,t,{horizon},{supplies},supply\n")
    (tmp_path / "scenario.yaml").write_text(
        f"format: corridor/1\nname: dynflow\nhorizon_days: {horizon}\n"
        f"planner: {{step_h: {STEP_H}}}\n")
    return tmp_path


def _max_dynamic_flow(steps: int) -> float:
    """Max flow from s to t arriving by ``steps`` on the explicit time-expanded graph."""
    n = len(NODES)
    idx = {(v, t): i for i, (v, t) in enumerate((v, t) for t in range(steps + 1) for v in NODES)}
    src, sink = len(idx), len(idx) + 1
    big = 10**6
    rows, cols, caps = [], [], []

    def add(u: int, v: int, c: int) -> None:
        rows.append(u)
        cols.append(v)
        caps.append(c)

    for t in range(steps + 1):
        add(src, idx["s", t], big)
        add(idx["t", t], sink, big)
        if t < steps:  # holding
            for v in NODES:
                add(idx[v, t], idx[v, t + 1], big)
        for a, b, cap, tau in ARCS:
            if t + tau <= steps:
                add(idx[a, t], idx[b, t + tau], cap)
    del n
    g = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return float(maximum_flow(g, src, sink).flow_value)


@pytest.mark.parametrize("steps", [5, 8])
def test_plan_moves_the_maximum_dynamic_flow(tmp_path: Path, steps: int) -> None:
    expected = _max_dynamic_flow(steps)
    supplies = 1000.0  # far more than can arrive: the plan ships the maximum
    s = load_scenario(_scenario(tmp_path, steps, supplies))
    result = solve_plan(s, progress=False)
    row = result.summary["movements"][0]
    arrived = row["share_arrived"] * supplies
    assert arrived == pytest.approx(expected, abs=1e-6)
