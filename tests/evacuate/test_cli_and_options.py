"""``corridor evacuate``: result folder, options, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.evacuate import evacuate, resolve_options
from corridor.scenario import ScenarioError, load_scenario

from .conftest import node, scenario_file

runner = CliRunner()


def tiny(path: Path, **kw: object) -> Path:
    return scenario_file(
        path,
        [node("a", "population_center", population=250), node("s", "shelter",
                                                              shelter_capacity=300)],
        [{"id": "ab", "from": "a", "to": "s", "mode": "road", "distance_km": 1,
          "flow_per_h": 300}],
        **kw,  # type: ignore[arg-type]
    )


def test_cli_writes_a_complete_result_folder(tmp_path: Path) -> None:
    src = tiny(tmp_path / "tiny.yaml")
    out = tmp_path / "out"
    res = runner.invoke(app, ["evacuate", str(src), "--out", str(out), "--method", "exact",
                              "--quiet"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["format"] == "corridor-result/1"
    assert summary["kind"] == "evacuation"
    assert summary["method"] == "exact" and summary["status"] == "optimal"
    # 50 per 10-min step: 5 steps of departures + 2 steps (1 km at 5 km/h)
    assert summary["egress_h"] == pytest.approx(7 / 6)
    assert summary["shelters"] == [{"id": "s", "arrived": 250, "capacity": 300.0}]
    routes = pd.read_parquet(out / "routes.parquet")
    assert list(routes.columns[:8]) == ["group", "origin", "shelter", "size", "route", "links",
                                        "departure_h", "arrival_h"]
    assert routes["size"].sum() == 250
    util = pd.read_parquet(out / "utilisation.parquet")
    assert {"link", "shelter"} <= set(util["element"])
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temp files


def test_cli_prints_egress_and_shelters(tmp_path: Path) -> None:
    res = runner.invoke(app, ["evacuate", str(tiny(tmp_path / "t.yaml")), "--out",
                              str(tmp_path / "o"), "--step-min", "5"])
    assert res.exit_code == 0, res.output
    assert "egress" in res.output and "shelters" in res.output and " s " in res.output


def test_cli_rejects_a_bad_method(tmp_path: Path) -> None:
    res = runner.invoke(app, ["evacuate", str(tiny(tmp_path / "t.yaml")), "--method", "fast"])
    assert res.exit_code == 2
    assert "fast" in res.output


def test_cli_names_a_bad_option_in_scenario_yaml(tmp_path: Path) -> None:
    src = tiny(tmp_path / "t.yaml", evacuation={"step_min": -5, "speeed_kmh": 3})
    res = runner.invoke(app, ["evacuate", str(src), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "evacuation.step_min" in res.output
    assert "speeed_kmh" in res.output
    assert not (tmp_path / "o").exists()


def test_cli_without_shelters_is_an_input_error(tmp_path: Path) -> None:
    src = scenario_file(tmp_path / "t.yaml", [node("a", "population_center", population=5),
                                              node("b")],
                        [{"id": "ab", "from": "a", "to": "b", "mode": "road"}])
    res = runner.invoke(app, ["evacuate", str(src), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "shelter" in res.output


def test_options_defaults_and_overrides(tmp_path: Path) -> None:
    s = load_scenario(tiny(tmp_path / "t.yaml", evacuation={"step_min": 15,
                                                            "method": "heuristic"}))
    o = resolve_options(s)
    assert (o.step_min, o.method, o.speed_kmh, o.modes) == (15, "heuristic", 5.0, ("road",))
    o = resolve_options(s, method="exact", step_min=5)
    assert (o.step_min, o.method) == (5, "exact")
    with pytest.raises(ScenarioError, match="--step-min"):
        resolve_options(s, step_min=0)
    with pytest.raises(ScenarioError, match="modes"):
        resolve_options(load_scenario(tiny(tmp_path / "m.yaml", evacuation={"modes": ["ski"]})))


def test_auto_picks_exact_for_small_models_and_heuristic_past_the_threshold(
        tmp_path: Path) -> None:
    s = load_scenario(tiny(tmp_path / "t.yaml"))
    assert evacuate(s, progress=False).summary["method"] == "exact"
    capped = load_scenario(tiny(tmp_path / "c.yaml", evacuation={"exact_max_variables": 3}))
    assert evacuate(capped, progress=False).summary["method"] == "heuristic"


def test_links_of_other_modes_or_closed_to_people_are_not_used(tmp_path: Path) -> None:
    src = scenario_file(
        tmp_path / "t.yaml",
        [node("a", "population_center", population=100), node("s", "shelter")],
        [{"id": "rail", "from": "a", "to": "s", "mode": "rail", "distance_km": 1},
         {"id": "shut", "from": "a", "to": "s", "mode": "road", "distance_km": 1,
          "flow_per_h": 0}],
    )
    r = evacuate(load_scenario(src), progress=False)
    assert r.summary["arrived"] == 0 and r.summary["status"] == "infeasible"
    assert r.summary["unmet"][0]["reason"].startswith("no route")


def test_builtin_city_evacuation(tmp_path: Path) -> None:
    s = load_scenario("city-evacuation")
    assert (s.nodes["population"] > 0).sum() >= 15
    r = evacuate(s, method="heuristic", progress=False)
    info = r.summary
    assert info["arrived"] == info["evacuees"] == int(s.nodes["population"].sum())
    assert info["egress_h"] >= info["lower_bound_h"] > 0
    for sh in info["shelters"]:
        assert sh["arrived"] <= sh["capacity"]
    r.write(tmp_path / "city")
    assert json.loads((tmp_path / "city" / "summary.json").read_text())["kind"] == "evacuation"
