"""Small evacuation scenarios written as single YAML files, and an independent
max-flow over the explicit time-expanded graph (scipy) to check the engine against."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from corridor.evacuate import EvacNetwork
from corridor.scenario import Scenario, load_scenario

# The shared TNTP networks sit beside the checkout (../shared); a clone elsewhere on
# this machine (CI) finds them at /work/shared. They are not copied into the repo
# (shared/data/transport-networks/README.md); where neither exists the tests skip.
SHARED = next((p for p in (Path(__file__).resolve().parents[3] / "shared",
                           Path("/work/shared")) if p.is_dir()),
              Path("/work/shared")) / "data" / "transport-networks"


def scenario_file(
    path: Path,
    nodes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    *,
    evacuation: dict[str, Any] | None = None,
    horizon_days: float = 1.0,
    disruptions: list[dict[str, Any]] | None = None,
) -> Path:
    doc: dict[str, Any] = {
        "format": "corridor/1",
        "name": path.stem,
        "horizon_days": horizon_days,
        "evacuation": evacuation or {"step_min": 10, "speed_kmh": 5},
        "nodes": nodes,
        "links": links,
    }
    if disruptions:
        doc["disruptions"] = disruptions
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def make(tmp_path: Path) -> Callable[..., Scenario]:
    """Write and load a scenario: make(nodes, links, evacuation=..., ...)."""
    counter = {"n": 0}

    def build(nodes: list[dict[str, Any]], links: list[dict[str, Any]],
              **kw: Any) -> Scenario:
        counter["n"] += 1
        return load_scenario(scenario_file(tmp_path / f"s{counter['n']}.yaml", nodes, links,
                                           **kw))

    return build


def node(nid: str, kind: str = "road_hub", lat: float = 50.0, lon: float = 20.0,
         **kw: Any) -> dict[str, Any]:
    return {"id": nid, "kind": kind, "lat": lat, "lon": lon, **kw}


def random_network(rng: np.random.Generator, n: int = 7, *, shelters: int = 2,
                   hold: bool = True, rooms: bool = True) -> tuple[list[dict[str, Any]],
                                                                   list[dict[str, Any]]]:
    """A small connected random road network with people, shelters and limits."""
    nodes = []
    for i in range(n):
        kw: dict[str, Any] = {}
        if i >= n - shelters:
            kw["kind"] = "shelter"
            if rooms and i < n - 1:  # the last shelter has room for all
                kw["shelter_capacity"] = int(rng.integers(150, 600))
        else:
            kw["kind"] = "population_center"
            kw["population"] = int(rng.integers(0, 400))
            if hold and rng.random() < 0.3:
                kw["capacity_pax"] = int(rng.integers(0, 60))
        nodes.append(node(f"v{i}", lat=50.0 + 0.01 * i, lon=20.0 + 0.01 * (i % 3), **kw))
    nodes[0]["population"] = max(nodes[0].get("population", 0), 50)
    links = []
    for i in range(1, n):  # a spanning tree keeps everyone connected
        j = int(rng.integers(0, i))
        links.append((j, i))
    for _ in range(n):
        a, b = (int(x) for x in rng.choice(n, size=2, replace=False))
        links.append((a, b))
    out = []
    for k, (a, b) in enumerate(links):
        out.append({"id": f"l{k}", "from": f"v{a}", "to": f"v{b}", "mode": "road",
                    "distance_km": round(float(rng.uniform(0.3, 3.0)), 2),
                    "flow_per_h": int(rng.choice([150, 300, 450, 900])),
                    "bidirectional": bool(rng.random() < 0.7)})
    return nodes, out


def explicit_max_flow(net: EvacNetwork, steps: int) -> int:
    """Most people in a shelter by the end of step ``steps - 1``: scipy's maximum_flow on
    the time-expanded graph spelled out node by node (independent of the engine's LP)."""
    big = int(net.pop.sum()) + 1
    n, t_count = net.n, steps
    cell = lambda v, t: v * t_count + t  # noqa: E731 - local index helper
    source = n * t_count
    home0 = source + 1  # one "home" node per graph node
    shelter0 = home0 + n
    sink = shelter0 + n
    rows: list[int] = []
    cols: list[int] = []
    caps: list[int] = []

    def edge(a: int, b: int, c: float) -> None:
        c_int = big if math.isinf(c) else int(min(c, big))
        if c_int > 0:
            rows.append(a)
            cols.append(b)
            caps.append(c_int)

    for v in range(n):
        if net.pop[v] > 0:
            edge(source, home0 + v, int(net.pop[v]))
            for t in range(t_count):
                edge(home0 + v, cell(v, t), math.inf)  # waiting at home is free
        for t in range(t_count - 1):
            edge(cell(v, t), cell(v, t + 1), float(net.hold_cap[v]))
        if net.shelter_cap[v] > 0:
            for t in range(t_count):
                edge(cell(v, t), shelter0 + v, math.inf)
            edge(shelter0 + v, sink, float(net.shelter_cap[v]))
    for a in range(net.m):
        tau = int(net.transit[a])
        for t in range(t_count - tau):
            edge(cell(int(net.tail[a]), t), cell(int(net.head[a]), t + tau), net.cap(a, t))
    size = sink + 1
    graph = csr_matrix((np.array(caps, dtype=np.int64), (rows, cols)), shape=(size, size))
    graph.sum_duplicates()
    graph = csr_matrix(graph.astype(np.int32))
    return int(maximum_flow(graph, source, sink).flow_value)
