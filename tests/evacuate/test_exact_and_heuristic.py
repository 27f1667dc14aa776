"""Both methods against hand-derived answers, an independent max-flow and each other."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from corridor.evacuate import build_network, evacuate, resolve_options
from corridor.evacuate.bounds import coarse_bound, combinatorial_bounds, dynamic_flow_bound
from corridor.evacuate.ccrp import ccrp
from corridor.evacuate.exact import max_arrivals
from corridor.evacuate.solution import violations
from corridor.scenario import Scenario

from .conftest import explicit_max_flow, node, random_network

Make = Callable[..., Scenario]


def one_link(make: Make, people: int, flow: float, km: float, step_min: float = 10,
             speed: float = 5) -> Scenario:
    return make(
        [node("home", "population_center", population=people), node("safe", "shelter")],
        [{"id": "road", "from": "home", "to": "safe", "mode": "road", "distance_km": km,
          "flow_per_h": flow}],
        evacuation={"step_min": step_min, "speed_kmh": speed},
    )


@pytest.mark.parametrize(
    ("people", "flow", "km", "step_min"),
    [
        (1000, 600, 2.5, 10),  # 100 per step, transit 0.5 h = 3 steps
        (1000, 100, 1.0, 10),  # 16.67 per step (cumulative rounding), transit 2 steps
        (77, 1000, 0.4, 5),  # one step of departures, transit 0.08 h -> 1 step
        (5000, 2400, 10.0, 15),  # 600 per step, transit 2 h = 8 steps exactly
    ],
)
@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_single_link_closure_is_transit_plus_departure_steps(
    make: Make, method: str, people: int, flow: float, km: float, step_min: float
) -> None:
    step_h = step_min / 60
    tau = math.ceil(km / 5 / step_h - 1e-9)
    per_step = flow * step_h
    expected_steps = tau + math.ceil(people / per_step - 1e-9)
    r = evacuate(one_link(make, people, flow, km, step_min), method=method, progress=False)
    s = r.summary
    assert s["status"] == "optimal"  # the source's own cut proves it for the heuristic too
    assert s["arrived"] == people
    assert s["egress_h"] == pytest.approx(expected_steps * step_h)
    assert s["lower_bound_h"] == pytest.approx(expected_steps * step_h)
    assert r.routes["size"].sum() == people
    links = r.utilisation[r.utilisation["element"] == "link"]
    assert (links["load"] <= links["capacity"]).all()
    # whatever order, the k-th batch leaves in step k: the mean is the batches' mean
    arrivals = np.repeat(r.routes["arrival_h"].to_numpy(), r.routes["size"].to_numpy())
    assert s["mean_evacuation_h"] == pytest.approx(arrivals.mean())


def test_single_link_disruption_window_delays_by_its_length(make: Make) -> None:
    nodes = [node("home", "population_center", population=600), node("safe", "shelter")]
    links = [{"id": "road", "from": "home", "to": "safe", "mode": "road", "distance_km": 1.0,
              "flow_per_h": 600}]
    closed = [{"id": "d1", "target": "road", "start_day": 0, "end_day": 0.5 / 24}]  # 30 min
    base = evacuate(make(nodes, links), method="exact", progress=False).summary
    late = make(nodes, links, disruptions=closed)
    for method in ("exact", "heuristic"):
        s = evacuate(late, method=method, progress=False).summary
        # 100 per step for 6 steps + 2 steps transit; the closure adds 3 steps
        assert base["egress_h"] == pytest.approx(8 / 6)
        assert s["egress_h"] == pytest.approx(base["egress_h"] + 0.5)


@pytest.mark.parametrize("seed", range(6))
def test_exact_arrivals_match_independent_max_flow(make: Make, seed: int) -> None:
    rng = np.random.default_rng(seed)
    nodes, links = random_network(rng, n=6)
    s = make(nodes, links, evacuation={"step_min": 10, "speed_kmh": 5})
    net = build_network(s, resolve_options(s))
    r = evacuate(s, method="exact", progress=False)
    egress = round(r.summary["egress_h"] / net.step_h)
    need = net.to_move
    # egress is the first horizon in which everybody fits through the explicit graph
    assert explicit_max_flow(net, egress) == need
    assert explicit_max_flow(net, egress - 1) < need
    for steps in sorted({1, egress // 3, egress // 2, egress - 1, egress}):
        if steps > 0:
            assert max_arrivals(net, steps) == explicit_max_flow(net, steps)


@pytest.mark.parametrize("seed", range(3))
def test_exact_plan_is_earliest_arrival_with_one_unlimited_shelter(make: Make,
                                                                   seed: int) -> None:
    """One sink, no room limits: min total time gives the most arrived at every step."""
    rng = np.random.default_rng(100 + seed)
    nodes, links = random_network(rng, n=6, shelters=1, hold=False, rooms=False)
    s = make(nodes, links)
    net = build_network(s, resolve_options(s))
    r = evacuate(s, method="exact", progress=False)
    arrived_at = r.routes.groupby("arrival_h")["size"].sum().sort_index().cumsum()
    for hours, cumulative in arrived_at.items():
        steps = round(hours / net.step_h)
        assert cumulative == explicit_max_flow(net, steps)


@pytest.mark.parametrize("seed", range(8))
def test_heuristic_at_least_exact_at_least_lower_bound(make: Make, seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    nodes, links = random_network(rng, n=8, shelters=2)
    s = make(nodes, links, evacuation={"step_min": 5, "speed_kmh": 5})
    heur = evacuate(s, method="heuristic", progress=False).summary
    exact = evacuate(s, method="exact", progress=False).summary
    assert heur["arrived"] == exact["arrived"] == exact["evacuees"]
    assert exact["status"] == "optimal"
    assert exact["lower_bound_h"] == pytest.approx(exact["egress_h"])
    assert heur["egress_h"] >= exact["egress_h"] - 1e-9
    assert exact["egress_h"] >= heur["lower_bound_h"] - 1e-9
    for name, bound in heur["bounds_h"].items():  # each bound on its own is a bound
        assert bound <= exact["egress_h"] + 1e-9, name
    assert exact["mean_evacuation_h"] <= exact["egress_h"] + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_plans_respect_every_limit(make: Make, seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    nodes, links = random_network(rng, n=8, shelters=3)
    s = make(nodes, links)
    net = build_network(s, resolve_options(s))
    groups, _, _ = ccrp(net)
    assert violations(net, groups) == []
    for method in ("exact", "heuristic"):
        r = evacuate(s, method=method, progress=False)
        for sh in r.summary["shelters"]:
            assert sh["capacity"] is None or sh["arrived"] <= sh["capacity"]
        u = r.utilisation
        limited = u[u["capacity"].notna()]
        assert (limited["load"] <= limited["capacity"] + 1e-9).all()
        held = u[u["element"] == "node"]
        for _, row in held.iterrows():
            assert row["load"] <= net.hold_cap[net.node_ids.index(row["id"])]


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_people_are_conserved_when_not_all_can_go(make: Make, method: str) -> None:
    nodes = [
        node("a", "population_center", population=700),
        node("b", "population_center", population=300),
        node("island", "population_center", population=40),  # no road at all
        node("s1", "shelter", shelter_capacity=400),
        node("s2", "shelter", shelter_capacity=350),
    ]
    links = [
        {"id": "a1", "from": "a", "to": "s1", "mode": "road", "distance_km": 1, "flow_per_h": 900},
        {"id": "ab", "from": "a", "to": "b", "mode": "road", "distance_km": 1, "flow_per_h": 300},
        {"id": "b2", "from": "b", "to": "s2", "mode": "road", "distance_km": 2, "flow_per_h": 600},
    ]
    r = evacuate(make(nodes, links), method=method, progress=False)
    s = r.summary
    assert s["status"] == "infeasible"
    assert s["evacuees"] == 1040
    assert s["arrived"] == 750  # every place is taken
    assert s["arrived"] + s["stranded"] == s["evacuees"]
    assert sum(u["people"] for u in s["unmet"]) == s["stranded"]
    assert any(u["node"] == "island" and "no route" in u["reason"] for u in s["unmet"])
    assert s["egress_h"] is None and s["last_arrival_h"] > 0
    assert r.routes["size"].sum() == s["arrived"]
    by_origin = {o["id"]: o for o in s["origins"]}
    assert by_origin["island"]["arrived"] == 0


def test_people_at_a_shelter_stay_there(make: Make) -> None:
    nodes = [node("hall", "shelter", population=120, shelter_capacity=100),
             node("far", "shelter", lat=50.05)]
    links = [{"id": "x", "from": "hall", "to": "far", "mode": "road", "distance_km": 1,
              "flow_per_h": 60}]
    for method in ("exact", "heuristic"):
        r = evacuate(make(nodes, links), method=method, progress=False)
        s = r.summary
        assert s["sheltered_in_place"] == 100
        assert s["arrived"] == 120
        stay = r.routes[r.routes["route"] == "hall"]
        assert stay["size"].sum() == 100 and (stay["arrival_h"] == 0).all()
        # 20 more on a 10-per-step link: 2 steps to leave + 2 steps (1 km at 5 km/h) transit
        assert s["egress_h"] == pytest.approx(4 / 6)


def test_nobody_has_to_move_when_all_are_in_shelters(make: Make) -> None:
    nodes = [node("hall", "shelter", population=80), node("b", "shelter", lat=50.1)]
    links = [{"id": "x", "from": "hall", "to": "b", "mode": "road", "flow_per_h": 10}]
    s = evacuate(make(nodes, links), method="exact", progress=False).summary
    assert (s["method"], s["status"], s["arrived"], s["egress_h"]) == ("exact", "optimal", 80,
                                                                        0.0)


def test_holding_capacity_limits_waiting_not_the_answer(make: Make) -> None:
    """A fast feeder into a slow exit: people wait at home, not at the junction."""
    nodes = [node("a", "population_center", population=600),
             node("j", capacity_pax=20), node("s", "shelter")]
    links = [
        {"id": "aj", "from": "a", "to": "j", "mode": "road", "distance_km": 0.5,
         "flow_per_h": 6000},
        {"id": "js", "from": "j", "to": "s", "mode": "road", "distance_km": 0.5,
         "flow_per_h": 600},
    ]
    s = make(nodes, links)
    net = build_network(s, resolve_options(s))
    for method in ("exact", "heuristic"):
        r = evacuate(s, method=method, progress=False)
        assert r.summary["egress_h"] == pytest.approx((1 + 1 + 6) / 6)  # 2 transit + 6 batches
        held = r.utilisation[r.utilisation["element"] == "node"]
        assert (held["load"] <= 20).all()
    bounds = combinatorial_bounds(net)
    assert max(bounds.values()) == 8


@pytest.mark.parametrize("seed", range(3))
def test_relaxed_bounds_never_exceed_the_optimum(make: Make, seed: int) -> None:
    """Longer steps (transit rounded down) and single sources' flows over time."""
    rng = np.random.default_rng(3000 + seed)
    nodes, links = random_network(rng, n=8, shelters=2)
    s = make(nodes, links, evacuation={"step_min": 5, "speed_kmh": 5})
    net = build_network(s, resolve_options(s))
    exact = evacuate(s, method="exact", progress=False).summary
    optimum = round(exact["egress_h"] / net.step_h)
    upper = round(evacuate(s, method="heuristic", progress=False).summary["egress_h"]
                  / net.step_h)
    for size in (10**6, 400, 150):  # factor 1, then coarser
        bound, factor = coarse_bound(net, upper, max_variables=size)
        assert bound <= optimum, (factor, bound, optimum)
    for i in np.flatnonzero(net.pop > 0).tolist():
        assert dynamic_flow_bound(net, upper, among=np.array([i])) <= optimum
