"""Cross-check routing against an independent brute-force Bellman-Ford on small random
scenarios. The brute force reads the scenario tables directly and applies docs/model.md
with plain Python loops: nothing is shared with the router but the loaded Scenario."""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.network.conftest import write_inline

from corridor.network.graph import build_network
from corridor.network.routing import NoRoute, Router
from corridor.scenario import Scenario, load_scenario

HORIZON = 30
FLEETS: list[dict[str, Any]] = [
    {"id": "truck", "mode": "road", "count": 5, "capacity_t": 20, "capacity_m2": 20,
     "speed_kmh": 60, "load_h": 1, "unload_h": 1},
    {"id": "het", "mode": "road", "count": 2, "capacity_t": 80, "capacity_m2": 45,
     "max_item_mlc": 70, "speed_kmh": 50, "load_h": 2, "unload_h": 2},
    {"id": "train35", "mode": "rail", "count": 1, "capacity_t": 1000, "capacity_m2": 800,
     "speed_kmh": 50, "load_h": 3, "unload_h": 3, "rail_gauge_mm": 1435},
    {"id": "train20", "mode": "rail", "count": 1, "capacity_t": 1000, "capacity_m2": 800,
     "speed_kmh": 40, "load_h": 4, "unload_h": 2, "rail_gauge_mm": 1520},
]
ITEMS = ("bulk", "leopard2a6", "hmmwv", "m1083_fmtv")


def random_scenario(rng: np.random.Generator, path: Path) -> Scenario:
    n = int(rng.integers(4, 8))
    nodes = [{"id": f"v{i}", "kind": "road_hub", "lat": 50 + float(rng.random()),
              "lon": 10 + float(rng.random()),
              "rail_gauge_mm": int(rng.choice([1435, 1520])),
              "transship_t_per_day": float(rng.choice([0, 0, 500])),
              "transfer_h": float(rng.integers(0, 6))} for i in range(n)]
    links = []
    for j in range(int(rng.integers(n, 2 * n + 2))):
        a, b = rng.choice(n, 2, replace=False)
        links.append({
            "id": f"l{j}", "from": f"v{a}", "to": f"v{b}",
            "mode": str(rng.choice(["road", "road", "rail"])),
            "distance_km": float(rng.integers(50, 400)),
            "max_mlc": float(rng.choice([math.inf, 50, 70, 100])),
            "speed_kmh": float(rng.choice([math.inf, math.inf, 40])),
            "capacity_per_day": float(rng.choice([math.inf] * 6 + [0])),
            "bidirectional": bool(rng.random() < 0.8),
        })
    fleets = [f | {"home": f"v{int(rng.integers(n))}",
                   "available_day": float(rng.choice([0, 0, 0, 99]))} for f in FLEETS]
    for rec in links:  # YAML has no inf literal the loader reads as a number: use text
        for k in ("max_mlc", "speed_kmh", "capacity_per_day"):
            if math.isinf(rec[k]):
                rec[k] = "inf"
    return load_scenario(write_inline(path, HORIZON, nodes=nodes, links=links,
                                      carriers=fleets))


def brute_force(s: Scenario, origin: str, dest: str, item: str) -> float:
    nodes, links, carriers = s.nodes, s.links, s.carriers
    if item == "bulk":
        mlc, march = 0.0, 0.0

        def fits(f: Any) -> bool:
            return bool(f.capacity_t > 0)
    else:
        e = s.equipment.loc[item]
        mlc, march = float(e["mlc"]), float(e["road_march_km_per_day"])

        def fits(f: Any) -> bool:
            return bool(e["mlc"] <= f.max_item_mlc and e["mass_t"] <= f.capacity_t
                        and e["footprint_m2"] <= f.capacity_m2)

    def gauges(lk: Any) -> set[int] | None:  # None: not rail
        if lk.mode != "rail":
            return None
        a, b = lk._asdict()["_2"], lk.to  # from is column 2 of itertuples
        ga, gb = int(nodes.at[a, "rail_gauge_mm"]), int(nodes.at[b, "rail_gauge_mm"])
        ta = nodes.at[a, "transship_t_per_day"] > 0
        tb = nodes.at[b, "transship_t_per_day"] > 0
        if ga == gb:
            return {ga}
        if ta and tb:
            return {ga, gb}
        if ta:
            return {gb}
        if tb:
            return {ga}
        return set()

    arcs = []  # (u, v, mode, km, max_mlc, speed, gauges)
    for lk in links.itertuples():
        u = lk._asdict()["_2"]
        if lk.capacity_per_day <= 0 or lk.speed_kmh <= 0:
            continue
        g = gauges(lk)
        if g is not None and not g:
            continue
        pairs = [(u, lk.to)] + ([(lk.to, u)] if lk.bidirectional else [])
        for a, b in pairs:
            arcs.append((a, b, lk.mode, lk.distance_km, lk.max_mlc, lk.speed_kmh, g))

    edges: list[tuple[tuple[str, str], tuple[str, str], float]] = []
    ends: list[tuple[tuple[str, str], float]] = [(("ground", dest), 0.0)]
    for f in carriers.itertuples():
        if f.count <= 0 or f.available_day >= HORIZON or not fits(f):
            continue
        mine = [a for a in arcs if a[2] == f.mode and (a[6] is None or f.rail_gauge_mm in a[6])]
        reach, todo = {f.home}, deque([f.home])
        while todo:
            x = todo.popleft()
            for a in mine:
                if a[0] == x and a[1] not in reach:
                    reach.add(a[1])
                    todo.append(a[1])
        for a in mine:
            if a[0] in reach and mlc <= a[4]:
                edges.append(((f.Index, a[0]), (f.Index, a[1]), a[3] / min(f.speed_kmh, a[5])))
        for v in reach:
            edges.append(((f.Index, v), ("ground", v),
                          f.unload_h + nodes.at[v, "transfer_h"]))
            edges.append((("ground", v), (f.Index, v), f.load_h))
        ends.append(((f.Index, dest), f.unload_h))
    if march > 0:
        for a in arcs:
            if a[2] == "road" and mlc <= a[4]:
                edges.append((("self", a[0]), ("self", a[1]), a[3] / march * 24))
        for v in nodes.index:
            edges.append((("self", v), ("ground", v), nodes.at[v, "transfer_h"]))
            edges.append((("ground", v), ("self", v), 0.0))
        ends.append((("self", dest), 0.0))

    dist: dict[tuple[str, str], float] = {("ground", origin): 0.0}
    for _ in range(len(edges) + 1):  # Bellman-Ford: relax until nothing changes
        changed = False
        for a, b, w in edges:
            if a in dist and dist[a] + w < dist.get(b, math.inf) - 1e-12:
                dist[b] = dist[a] + w
                changed = True
        if not changed:
            break
    return min(dist.get(st, math.inf) + w for st, w in ends)


@pytest.mark.parametrize("seed", range(30))
def test_router_matches_bellman_ford(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    s = random_scenario(rng, tmp_path / "r.yaml")
    net = build_network(s)
    router = Router(net)
    ids = list(s.nodes.index)
    for _ in range(4):
        o, d = (str(x) for x in rng.choice(ids, 2, replace=False))
        item = str(rng.choice(ITEMS))
        expected = brute_force(s, o, d, item)
        if math.isinf(expected):
            with pytest.raises(NoRoute):
                router.route(o, d, item)
            continue
        r = router.route(o, d, item)
        assert r.total_h == pytest.approx(expected, abs=1e-6), (o, d, item)
        assert r.legs[0].from_node == o and r.legs[-1].to_node == d
        mlc = 0.0 if item == "bulk" else float(s.equipment.at[item, "mlc"])
        for leg in r.legs:
            lk = s.links.loc[leg.link]
            assert mlc <= lk["max_mlc"] and leg.mode == lk["mode"]
            if leg.fleet is not None:
                assert s.carriers.at[leg.fleet, "mode"] == leg.mode
