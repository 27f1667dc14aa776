"""Maximum dynamic flow (Ford & Fulkerson's flows over time): a single bulk movement on a
small network with transit times and per-step capacities must deliver, by the horizon,
exactly the maximum flow of the explicit time-expanded graph — computed here
independently with scipy.sparse.csgraph.maximum_flow.

The instance is a classic textbook shape (three s-t paths sharing arcs, Ford & Fulkerson,
*Flows in Networks*, ch. III): arcs carry ``cap`` tonnes per step and take ``tau`` steps.
A carrier takes 1 t per trip and the fleet is large, so only the arcs bind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from corridor.plan import solve_plan
from corridor.scenario import load_scenario

ARCS = [  # from, to, cap (t per step), tau (steps)
    ("s", "a", 3, 1),
    ("s", "b", 2, 2),
    ("a", "b", 1, 1),
    ("a", "t", 2, 3),
    ("b", "t", 3, 1),
]
SPEED = 60.0  # km/h; a step is one hour


def teg_max_flow(horizon: int) -> int:
    """Max flow from s to t over the time-expanded graph: departures at steps
    0..horizon-1, arrivals by step ``horizon``, waiting allowed anywhere."""
    nodes = ["s", "a", "b", "t"]
    idx = {(v, k): i for i, (v, k) in enumerate((v, k) for v in nodes
                                                for k in range(horizon + 1))}
    src, snk = len(idx), len(idx) + 1
    big = 10**6
    edges: list[tuple[int, int, int]] = []
    for u, v, cap, tau in ARCS:
        for k in range(horizon):
            if k + tau <= horizon:
                edges.append((idx[u, k], idx[v, k + tau], cap))
    for v in nodes:
        for k in range(horizon):
            edges.append((idx[v, k], idx[v, k + 1], big))
    edges.append((src, idx["s", 0], big))
    edges.append((idx["t", horizon], snk, big))
    r, c, w = (np.array(x) for x in zip(*edges, strict=True))
    g = csr_array((w.astype(np.int32), (r, c)), shape=(len(idx) + 2, len(idx) + 2))
    return int(maximum_flow(g, src, snk).flow_value)


def scenario_file(tmp_path: Path, horizon: int) -> Path:
    doc = {
        "format": "corridor/1", "name": "dynamic-flow", "description": "max dynamic flow",
        "start_date": "2025-01-01", "horizon_days": horizon / 24, "seed": 1,
        "planner": {"step_h": 1},
        "nodes": [{"id": v, "kind": "road_hub", "lat": 50.0, "lon": 10.0 + i}
                  for i, v in enumerate("sabt")],
        "links": [{"id": f"{u}{v}", "from": u, "to": v, "mode": "road",
                   "distance_km": tau * SPEED, "capacity_per_day": cap * 24,
                   "bidirectional": False} for u, v, cap, tau in ARCS],
        "carriers": [{"id": "lorries", "mode": "road", "count": 1000, "home": "s",
                      "capacity_t": 1, "speed_kmh": SPEED}],
        "movements": [{"id": "bulk", "origin": "s", "destination": "t", "due_day": 0,
                       "priority": 1, "supplies_t": 1000, "kind": "supply"}],
    }
    p = tmp_path / "dynamic.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize("horizon", [6, 8, 12])
def test_delivered_by_horizon_equals_time_expanded_max_flow(tmp_path: Path,
                                                            horizon: int) -> None:
    s = load_scenario(scenario_file(tmp_path, horizon))
    r = solve_plan(s, progress=False)
    flows = r.flows
    arrived = flows.loc[flows["to"] == "t", "t"].sum()
    expected = teg_max_flow(horizon)
    assert expected > 0
    assert arrived == pytest.approx(expected, abs=1e-6)
    # temporally repeated path flows: 3 paths, 5 t per step once all are running
    assert r.summary["status"] == "optimal"
