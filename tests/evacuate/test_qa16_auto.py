"""QA16 F1: ``method: auto`` chooses by the size of the exact model, and says so.

Until 2026-12-05 auto solved exactly up to 400,000 variables: a 900-node grid
(about 240,000-360,000 variables over the heuristic's egress) went to the exact LP,
which took 40 s per LP on this 30 x 30 grid and did not finish in 400 s on a busier
one. Now the limit is 100,000 variables of the first LP, counted before it is built,
and the summary's ``method_choice`` says which method ran and why.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli import app
from corridor.evacuate import build_network, evacuate, resolve_options
from corridor.evacuate.exact import count_variables, expand
from corridor.evacuate.options import EXACT_MAX_VARIABLES
from corridor.evacuate.tntp import write_scenario
from corridor.scenario import Scenario, load_scenario

from .conftest import SHARED

SIOUX = SHARED / "SiouxFalls"


def grid(path: Path, k: int, *, pop: int = 200, flow: float = 600.0,
         evacuation: dict[str, Any] | None = None) -> Path:
    """A k x k road grid (1 km links, ``flow`` people/h), ``pop`` people at every node
    but the shelters, every (k // 3)-th boundary node a shelter without a room limit."""
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for r in range(k):
        for c in range(k):
            nid = f"g{r}_{c}"
            shelter = r in (0, k - 1) or c in (0, k - 1)
            shelter = shelter and (r + c) % max(1, k // 3) == 0
            node: dict[str, Any] = {"id": nid, "lat": 50 + 0.01 * r, "lon": 20 + 0.015 * c,
                                    "kind": "shelter" if shelter else "population_center"}
            if not shelter:
                node["population"] = pop
            nodes.append(node)
            for dr, dc, tag in ((0, 1, "h"), (1, 0, "v")):
                if r + dr < k and c + dc < k:
                    links.append({"id": f"{tag}{r}_{c}", "from": nid,
                                  "to": f"g{r + dr}_{c + dc}", "mode": "road",
                                  "distance_km": 1.0, "flow_per_h": flow})
    doc = {"format": "corridor/1", "name": path.stem, "horizon_days": 1.0,
           "evacuation": evacuation or {"step_min": 10, "speed_kmh": 5},
           "nodes": nodes, "links": links}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(grid(tmp_path_factory.mktemp("grid") / "grid900.yaml", 30))


def test_the_default_limit_is_what_the_exact_method_solves_in_seconds() -> None:
    assert EXACT_MAX_VARIABLES == 100_000


def test_the_count_is_the_size_of_the_lp_it_would_build(tmp_path: Path) -> None:
    """Counted without building: exactly the variables expand() gives (no link here has
    a step without capacity), at several horizons."""
    s = load_scenario(grid(tmp_path / "g.yaml", 12))
    net = build_network(s, resolve_options(s))
    for steps in (5, 15, 40):
        assert count_variables(net, steps) == expand(net, steps).size


def test_auto_sends_a_900_node_grid_to_the_heuristic_and_says_why(big: Scenario) -> None:
    start = time.perf_counter()
    r = evacuate(big, progress=False).summary
    took = time.perf_counter() - start
    assert r["method"] == "heuristic"
    shelters = int((big.nodes["kind"] == "shelter").sum())
    assert r["arrived"] == r["evacuees"] == 200 * (900 - shelters)
    assert r["status"] in ("optimal", "feasible") and r["egress_h"] is not None
    choice = r["method_choice"]
    assert choice["requested"] == "auto" and choice["method"] == "heuristic"
    assert choice["exact_max_variables"] == 100_000
    # the first LP, over the heuristic's egress (10-minute steps), is well past the limit
    assert choice["steps"] == round(r["egress_h"] * 6)
    assert choice["variables"] > 200_000
    assert choice["reason"].startswith("heuristic (CCRP)")
    assert f"{choice['variables']:,} variables" in choice["reason"]
    # the exact LP alone took 40 s here (the whole heuristic run, bounds included, 7 s)
    assert took < 90


def test_auto_keeps_the_exact_method_for_a_small_grid(tmp_path: Path) -> None:
    s = load_scenario(grid(tmp_path / "small.yaml", 12))
    r = evacuate(s, progress=False).summary
    assert r["method"] == "exact" and r["status"] == "optimal"
    choice = r["method_choice"]
    assert choice["method"] == "exact" and choice["reason"].startswith("exact:")
    # the count is the first LP's size (the largest: the heuristic's horizon)
    assert choice["variables"] == r["model"]["variables"] < 100_000


def test_builtin_city_stays_exact_under_auto() -> None:
    r = evacuate(load_scenario("city-evacuation"), progress=False).summary
    assert r["method"] == "exact" and r["method_choice"]["requested"] == "auto"
    assert r["egress_h"] == pytest.approx(6 + 2 / 3)


@pytest.mark.skipif(not (SIOUX / "SiouxFalls_net.tntp").exists(),
                    reason="SiouxFalls TNTP files not present")
def test_sioux_falls_stays_exact_under_auto(tmp_path: Path) -> None:
    """As benchmarks/evacuate_scale.py builds it: 3,163 variables over 31 steps."""
    s = load_scenario(write_scenario(SIOUX, tmp_path / "sf", population=40_000,
                                     shelters=4, step_min=2))
    r = evacuate(s, progress=False).summary
    assert r["method"] == "exact" and r["status"] == "optimal"
    assert r["method_choice"]["variables"] == 3163
    assert r["egress_h"] == pytest.approx(31 / 30)


def test_the_limit_is_the_scenarios_to_change(tmp_path: Path) -> None:
    """exact_max_variables moves the line either way."""
    src = grid(tmp_path / "g.yaml", 12, evacuation={"step_min": 10, "speed_kmh": 5,
                                                    "exact_max_variables": 1000})
    r = evacuate(load_scenario(src), progress=False).summary
    assert r["method"] == "heuristic" and r["method_choice"]["exact_max_variables"] == 1000


def test_an_explicit_method_is_what_was_asked_for(tmp_path: Path) -> None:
    s = load_scenario(grid(tmp_path / "g.yaml", 6))
    for method in ("exact", "heuristic"):
        choice = evacuate(s, method=method, progress=False).summary["method_choice"]
        assert choice == {"requested": method, "method": method,
                          "reason": f"{method} was asked for"}


def test_the_command_prints_the_choice(tmp_path: Path) -> None:
    src = grid(tmp_path / "g.yaml", 6)
    res = CliRunner().invoke(app, ["evacuate", str(src), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "method auto: exact: its time-expanded LP has" in " ".join(res.output.split())
