"""QA16 F2: the heuristic (CCRP) does not strand people by filling a shelter with
people who could have gone elsewhere.

CCRP sends whoever arrives earliest to the nearest shelter with room. Town A is 1 km
from S1 and 3 km from S2; town B is 3 km from S1 and cannot reach S2 within the
1.5-hour horizon. A's people reach S1 first and filled it, and B's were left behind,
though A -> S2 and B -> S1 shelters everybody (the exact method's plan). Now room
another source can use only there is kept for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from corridor.evacuate import build_network, evacuate, resolve_options
from corridor.evacuate.ccrp import _ccrp, ccrp
from corridor.evacuate.solution import violations
from corridor.scenario import Scenario

from .conftest import node, random_network

Make = Callable[..., Scenario]
WALK = {"step_min": 10, "speed_kmh": 5}  # 1 km = 12 min = 2 steps, 3 km = 4 steps
HORIZON = 1.5 / 24  # 9 steps: B -> S1 -> A -> S2 (7 km, 14 steps) is too far


def two_towns(make: Make, *, a: int = 100, b: int = 100, s1: int = 100,
              s2: int | None = None) -> Scenario:
    s2_kw = {} if s2 is None else {"shelter_capacity": s2}
    return make(
        [node("A", "population_center", population=a),
         node("B", "population_center", lat=50.05, population=b),
         node("S1", "shelter", lat=50.02, shelter_capacity=s1),
         node("S2", "shelter", lat=49.97, **s2_kw)],
        [{"id": "a1", "from": "A", "to": "S1", "mode": "road", "distance_km": 1.0},
         {"id": "a2", "from": "A", "to": "S2", "mode": "road", "distance_km": 3.0},
         {"id": "b1", "from": "B", "to": "S1", "mode": "road", "distance_km": 3.0}],
        evacuation=WALK, horizon_days=HORIZON)


def run(s: Scenario, method: str) -> dict[str, Any]:
    return evacuate(s, method=method, progress=False).summary


def arrived_at(r: dict[str, Any]) -> dict[str, int]:
    return {sh["id"]: sh["arrived"] for sh in r["shelters"]}


def test_greedy_nearest_shelter_would_strand_town_b(make: Make) -> None:
    """The case as the old heuristic saw it (no room kept): B is left behind."""
    s = two_towns(make)
    net = build_network(s, resolve_options(s))
    _, stranded, _ = _ccrp(net, net.horizon, None, None)
    assert stranded == {net.node_ids.index("B"): 100}


def test_heuristic_shelters_everybody_as_the_exact_method_does(make: Make) -> None:
    """A -> S2 (4 steps), B -> S1 (4 steps): everybody in by the end of step 4, 50 min."""
    s = two_towns(make)
    exact, heur = run(s, "exact"), run(s, "heuristic")
    assert exact["arrived"] == 200 and exact["egress_h"] == pytest.approx(5 / 6)
    assert heur["arrived"] == exact["arrived"] == 200
    assert heur["stranded"] == 0 and heur["unmet"] == []
    assert heur["status"] == "optimal" and heur["egress_h"] == pytest.approx(5 / 6)
    assert arrived_at(heur) == {"S1": 100, "S2": 100}
    assert heur["model"]["room_reserved"] >= 1


def test_only_the_room_others_need_is_kept(make: Make) -> None:
    """A (150) may take S1's 120 places but 100 are B's: 20 of A go to S1 (2 steps),
    130 to S2 (4 steps), all of B to S1."""
    s = two_towns(make, a=150, s1=120, s2=200)
    exact, heur = run(s, "exact"), run(s, "heuristic")
    assert heur["arrived"] == exact["arrived"] == 250
    assert arrived_at(heur) == arrived_at(exact) == {"S1": 120, "S2": 130}
    assert heur["egress_h"] == pytest.approx(5 / 6) == exact["egress_h"]
    a = next(o for o in heur["origins"] if o["id"] == "A")
    assert a["mean_evacuation_h"] == pytest.approx((20 * 0.5 + 130 * 5 / 6) / 150)


def test_no_room_is_kept_for_people_who_cannot_use_it(make: Make) -> None:
    """Too few places (S1 100, S2 none) for A and B: the heuristic still fills S1 and
    strands as many as the exact method does, for the reason the room gives."""
    s = two_towns(make, s2=0)
    exact, heur = run(s, "exact"), run(s, "heuristic")
    assert heur["arrived"] == exact["arrived"] == 100
    assert heur["stranded"] == exact["stranded"] == 100
    assert all(u["reason"].startswith("the shelters it can reach are full")
               for u in heur["unmet"])


def test_many_towns_share_the_near_shelter(make: Make) -> None:
    """Five towns near both shelters (1 km to S1, 3 km to S2) and three far ones that only
    reach S1 (3 km): S1's 300 places must go to the far towns."""
    nodes = [node("S1", "shelter", lat=50.02, shelter_capacity=300),
             node("S2", "shelter", lat=49.97)]
    links = []
    for i in range(5):
        nodes.append(node(f"A{i}", "population_center", lon=20 + 0.01 * i, population=80))
        links += [{"id": f"a{i}1", "from": f"A{i}", "to": "S1", "mode": "road",
                   "distance_km": 1.0, "flow_per_h": 600},
                  {"id": f"a{i}2", "from": f"A{i}", "to": "S2", "mode": "road",
                   "distance_km": 3.0, "flow_per_h": 600}]
    for i in range(3):
        nodes.append(node(f"B{i}", "population_center", lat=50.05, lon=20 + 0.01 * i,
                          population=100))
        links.append({"id": f"b{i}", "from": f"B{i}", "to": "S1", "mode": "road",
                      "distance_km": 3.0, "flow_per_h": 600})
    s = make(nodes, links, evacuation=WALK, horizon_days=HORIZON)
    net = build_network(s, resolve_options(s))
    assert sum(_ccrp(net, net.horizon, None, None)[1].values()) > 0  # greedy strands
    exact, heur = run(s, "exact"), run(s, "heuristic")
    assert exact["arrived"] == heur["arrived"] == 700
    assert arrived_at(heur) == {"S1": 300, "S2": 400}


@pytest.mark.parametrize("seed", range(12))
def test_never_fewer_arrive_than_greedily(make: Make, seed: int) -> None:
    """Random networks with tight rooms and a short horizon: a valid plan, at least as
    many sheltered as the plain greedy plan and at most as many as the exact method."""
    rng = np.random.default_rng(1600 + seed)
    nodes, links = random_network(rng, n=9, shelters=3)
    s = make(nodes, links, evacuation=WALK, horizon_days=1.0 / 24)
    net = build_network(s, resolve_options(s))
    groups, stranded, _ = ccrp(net)
    assert violations(net, groups) == []
    greedy = _ccrp(net, net.horizon, None, None)
    moved = sum(g.size for g in groups)
    assert moved >= sum(g.size for g in greedy[0])
    assert moved + sum(stranded.values()) == net.to_move
    assert net.sheltered_in_place.sum() + moved <= run(s, "exact")["arrived"]
