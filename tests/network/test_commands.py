"""The network, route and export commands, end to end through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.network.conftest import link, node, write_inline
from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()


def flat(text: str) -> str:
    """Table text with borders removed and whitespace collapsed (cells may wrap)."""
    return " ".join(re.sub(r"[│┃║|]", " ", text).split())


def test_network_all_routable_exits_0() -> None:
    res = runner.invoke(app, ["network", "bridge-detour"])
    assert res.exit_code == 0, res.output
    assert "every movement's cargo has a route" in res.output
    assert "road" in res.output


def test_network_reports_unroutable_cargo_and_exits_1(tmp_path: Path) -> None:
    p = write_inline(
        tmp_path / "s.yaml",
        nodes=[node("a"), node("b", lon=11), node("c", lon=12), node("d", lon=13)],
        links=[link("ab", "a", "b", max_mlc=50), link("cd", "c", "d")],
        carriers=[{"id": "het", "type": "het_m1070", "count": 2, "home": "a"}],
        movements=[{"id": "tanks", "origin": "a", "destination": "b", "due_day": 3,
                    "equipment": "leopard2a6:2;hmmwv:4"}],
    )
    res = runner.invoke(app, ["network", str(p)], terminal_width=200)
    assert res.exit_code == 1, res.output
    assert "2 disconnected parts" in res.output
    assert "no road path for leopard2a6 (MLC 70): link ab max_mlc 50" in flat(res.output)
    assert "1 movement(s) carry cargo with no route" in res.output


def test_route_prints_legs_and_totals() -> None:
    res = runner.invoke(app, ["route", "gauge-break", "--from", "hub", "--to", "city",
                              "--item", "bulk"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "trains_1435" in res.output and "trains_1520" in res.output
    assert "at border transships" in res.output
    assert "600.0 km, 18.00 h" in res.output


def test_route_without_route_exits_1_with_reason() -> None:
    res = runner.invoke(app, ["route", "bridge-detour", "--from", "west", "--to", "east",
                              "--item", "m1a2_sepv3"], terminal_width=200)
    assert res.exit_code == 1
    assert "no fleet can carry m1a2_sepv3 (MLC 80)" in flat(res.output)


def test_route_bad_names_exit_2() -> None:
    res = runner.invoke(app, ["route", "single-link", "--from", "depot", "--to", "nowhere"])
    assert res.exit_code == 2
    assert "unknown destination node 'nowhere'" in res.output


def test_route_via_and_alternatives(tmp_path: Path) -> None:
    p = write_inline(
        tmp_path / "s.yaml",
        nodes=[node("a"), node("b", lon=11), node("p", lat=49)],
        links=[link("ab", "a", "b"), link("ap", "a", "p"), link("pb", "p", "b")],
        carriers=[{"id": "het", "type": "het_m1070", "count": 2, "home": "a"}],
    )
    res = runner.invoke(app, ["route", str(p), "--from", "a", "--to", "b", "--via", "p"],
                        terminal_width=200)
    assert res.exit_code == 0 and "200.0 km" in res.output
    res = runner.invoke(app, ["route", str(p), "--from", "a", "--to", "b", "-k", "2"],
                        terminal_width=200)
    assert "Route 1 of 2" in res.output and "Route 2 of 2" in res.output


def test_export_geojson_and_bad_suffix(tmp_path: Path) -> None:
    out = tmp_path / "n.geojson"
    res = runner.invoke(app, ["export", "single-link", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(json.loads(out.read_text())["features"]) == 3
    res = runner.invoke(app, ["export", "single-link", "--out", str(tmp_path / "n.kml")])
    assert res.exit_code == 2 and "use .geojson or .gpkg" in res.output


def test_network_routes_a_casualty_movement_on_litters(tmp_path: Path) -> None:
    """A casualty movement's people are patients: scenario-format.md, "Casualty
    evacuation uses carriers with capacity_litters > 0" (as the planner takes them).
    Ambulances with litters and no seats carry them; no 'no fleet can carry people'."""
    p = write_inline(
        tmp_path / "s.yaml",
        nodes=[node("r2", kind="hospital"), node("r3", lon=11, kind="hospital")],
        links=[link("l", "r2", "r3", km=60)],
        carriers=[{"id": "amb", "type": "ambulance", "count": 5, "home": "r2"}],
        movements=[{"id": "c1", "origin": "r2", "destination": "r3", "due_day": 1,
                    "pax": 20, "kind": "casualty"}],
    )
    res = runner.invoke(app, ["network", str(p)], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "no fleet can carry" not in flat(res.output)
    assert "litter" in res.output
    assert "every movement's cargo has a route" in res.output
