"""Lower bounds under time-varying capacity (disruption windows, cumulative rounding):
each reported bound must stay at or below the optimal egress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from corridor.evacuate import EvacNetwork, build_network, evacuate, resolve_options
from corridor.evacuate.bounds import combinatorial_bounds
from corridor.scenario import Scenario

from .conftest import explicit_max_flow, node

Make = Callable[..., Scenario]


def optimal_egress(net: EvacNetwork) -> int:
    """Fewest steps in which everybody fits through the explicit time-expanded graph."""
    need = net.to_move
    lo, hi = 1, net.horizon
    assert explicit_max_flow(net, hi) == need
    while lo < hi:
        mid = (lo + hi) // 2
        if explicit_max_flow(net, mid) == need:
            hi = mid
        else:
            lo = mid + 1
    return lo


def two_towns(make: Make, end_day: float) -> Scenario:
    """QA's case: 600 + 400 people, 3 steps to junction j, then 6 steps to shelter s at
    100 people per 10-minute step, j→s closed from the start until ``end_day``."""
    nodes = [node("p1", "population_center", population=600),
             node("p2", "population_center", lon=20.2, population=400),
             node("j", lat=50.1, lon=20.1),
             node("s", "shelter", lat=50.3, lon=20.1, shelter_capacity=2000)]
    links = [{"id": "p1j", "from": "p1", "to": "j", "mode": "road", "distance_km": 15},
             {"id": "p2j", "from": "p2", "to": "j", "mode": "road", "distance_km": 15},
             {"id": "js", "from": "j", "to": "s", "mode": "road", "distance_km": 30,
              "flow_per_h": 600}]
    closed = [{"id": "w", "target": "js", "start_day": 0, "end_day": end_day}]
    return make(nodes, links, evacuation={"step_min": 10, "speed_kmh": 30},
                disruptions=closed)


@pytest.mark.parametrize(("end_day", "steps"), [(0.041666, 22), (0.0416667, 23)])
@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_shelter_cut_counts_only_steps_flow_can_use(make: Make, method: str, end_day: float,
                                                    steps: int) -> None:
    """j→s is closed in steps 0-5 (0-6 when the window ends just after 1 h); people reach
    j from step 3, so they enter j→s in steps 6-15 and the last arrive at the end of step
    21: 22 steps = 3.667 h. The shelter cut used to count j→s capacity from step 0 to
    e-10, skipping open steps that flow can use, and claimed 25 steps."""
    s = evacuate(two_towns(make, end_day), method=method, progress=False).summary
    if method == "exact":
        assert s["egress_h"] == pytest.approx(steps / 6)
    assert s["egress_h"] >= steps / 6 - 1e-9
    assert s["lower_bound_h"] <= s["egress_h"] + 1e-9
    for name, bound in s["bounds_h"].items():
        assert bound <= steps / 6 + 1e-9, name
    assert s["lower_bound_h"] == pytest.approx(steps / 6)  # still tight here


def test_shelter_cut_counts_the_capacity_of_the_entry_steps(make: Make) -> None:
    """Constant but fractional capacity: 100/h is 16.67 people per 10-minute step, and
    cumulative rounding lets 17 enter in step 1 (floor(33.3) - floor(16.7)), the first step
    anyone reaches the junction. 17 people: egress 3 steps, not floor(16.7) < 17 -> 4."""
    nodes = [node("a", "population_center", population=17), node("j", lat=50.01),
             node("s", "shelter", lat=50.02)]
    links = [{"id": "aj", "from": "a", "to": "j", "mode": "road", "distance_km": 0.5},
             {"id": "js", "from": "j", "to": "s", "mode": "road", "distance_km": 0.5,
              "flow_per_h": 100}]
    s = make(nodes, links, evacuation={"step_min": 10, "speed_kmh": 5})
    net = build_network(s, resolve_options(s))
    assert optimal_egress(net) == 3
    assert max(combinatorial_bounds(net).values()) == 3
    r = evacuate(s, method="exact", progress=False).summary
    assert r["egress_h"] == pytest.approx(0.5)
    assert r["lower_bound_h"] == pytest.approx(0.5)


def funnel(rng: np.random.Generator) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                            list[dict[str, Any]]]:
    """Towns feeding junctions feeding shelters, the links into the shelters the narrow
    part (where the shelter cut looks), with closures and slowdowns in the first hours
    (mostly on those links, from the start), sometimes on a node or a feeder."""
    towns, junctions, shelters = int(rng.integers(1, 4)), int(rng.integers(1, 3)), 2
    nodes = [node(f"t{i}", "population_center", lon=20.0 + 0.01 * i,
                  population=int(rng.integers(20, 300))) for i in range(towns)]
    nodes += [node(f"j{i}", lat=50.02, lon=20.0 + 0.01 * i) for i in range(junctions)]
    nodes += [node(f"s{i}", "shelter", lat=50.04, lon=20.0 + 0.01 * i) for i in range(shelters)]
    nodes[-2]["shelter_capacity"] = int(rng.integers(50, 400))
    links: list[dict[str, Any]] = []

    def link(a: str, b: str, flow: float | None) -> None:
        row: dict[str, Any] = {"id": f"l{len(links)}", "from": a, "to": b, "mode": "road",
                               "distance_km": round(float(rng.uniform(0.3, 2.5)), 2),
                               "bidirectional": bool(rng.random() < 0.3)}
        if flow is not None:
            row["flow_per_h"] = flow
        links.append(row)

    for i in range(towns):
        link(f"t{i}", f"j{int(rng.integers(junctions))}", None)
    for i in range(junctions):
        for z in range(shelters):
            if z == shelters - 1 or rng.random() < 0.5:  # the open shelter is always reached
                link(f"j{i}", f"s{z}", float(rng.choice([100, 150, 250, 400])))
    if rng.random() < 0.5:  # a town straight to a shelter
        link(f"t{int(rng.integers(towns))}", f"s{int(rng.integers(shelters))}",
             float(rng.choice([50, 100])))
    last = [str(k["id"]) for k in links if str(k["to"]).startswith("s")]
    windows = []
    for k in range(int(rng.integers(1, 4))):
        pick = rng.random()
        if pick < 0.7:
            target = last[int(rng.integers(len(last)))]
        elif pick < 0.9:
            target = str(links[int(rng.integers(len(links)))]["id"])
        else:
            target = str(nodes[int(rng.integers(len(nodes)))]["id"])
        start = float(rng.choice([0.0, 0.0, 0.25, 0.5]))
        length = float(rng.choice([0.25, 0.5, 1.0, 2.0]))
        windows.append({"id": f"d{k}", "target": target, "start_day": start / 24,
                        "end_day": (start + length) / 24,
                        "capacity_factor": float(rng.choice([0.0, 0.0, 0.3, 0.5]))})
    return nodes, links, windows


@pytest.mark.parametrize("seed", range(12))
def test_every_bound_at_most_the_optimum_with_disruption_windows(make: Make,
                                                                 seed: int) -> None:
    """Random small funnels with windows; the optimum from an independent max-flow over
    the explicit time-expanded graph. 5-minute steps make some rates fractional."""
    rng = np.random.default_rng(5000 + seed)
    nodes, links, windows = funnel(rng)
    s = make(nodes, links, evacuation={"step_min": 5, "speed_kmh": 5}, disruptions=windows)
    net = build_network(s, resolve_options(s))
    optimum = optimal_egress(net)
    for name, bound in combinatorial_bounds(net).items():
        assert bound <= optimum, (name, bound, optimum)
    heur = evacuate(s, method="heuristic", progress=False).summary  # adds flow/coarse bounds
    for name, hours in heur["bounds_h"].items():
        assert round(hours / net.step_h) <= optimum, (name, hours, optimum)
    assert round(heur["lower_bound_h"] / net.step_h) <= optimum
    exact = evacuate(s, method="exact", progress=False).summary
    assert round(exact["egress_h"] / net.step_h) == optimum
    assert exact["lower_bound_h"] == pytest.approx(exact["egress_h"])
