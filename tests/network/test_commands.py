"""The network, route and export commands, end to end through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.network.conftest import link, node, write_inline
from typer.testing import CliRunner

from corridor.cli import app
from corridor.network.graph import build_network
from corridor.network.summary import gauge_changes
from corridor.scenario import load_scenario

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


def test_network_lists_a_working_gauge_change() -> None:
    """gauge-break: 1435 -> 1520 mm at border, which transships 1,000 t/day. The help
    promises gauge breaks; they used to appear only when a link was unusable."""
    res = runner.invoke(app, ["network", "gauge-break"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "Gauge changes" in res.output
    assert "border PL 1435/1520 1,000 t/day rl_border_city" in flat(res.output)
    assert "no transshipment" not in res.output
    assert "unusable link" not in res.output


def test_gauge_changes_where_the_rule_puts_them(tmp_path: Path) -> None:
    """One end transships: that end; both: both (dual gauge); neither: both ends, with no
    transshipment (the link is a gauge break)."""
    p = write_inline(
        tmp_path / "g.yaml",
        nodes=[node("a", rail_gauge_mm=1435), node("b", lon=11, rail_gauge_mm=1520,
                                                   transship_t_per_day=500),
               node("c", lon=12, rail_gauge_mm=1435, transship_t_per_day=800),
               node("d", lon=13, rail_gauge_mm=1668), node("e", lon=14, rail_gauge_mm=1435)],
        links=[link("ab", "a", "b", mode="rail"), link("bc", "b", "c", mode="rail"),
               link("de", "d", "e", mode="rail"), link("ae", "a", "e", mode="rail"),
               link("ad", "a", "d")],  # a road link joins nodes of two gauges: no change
    )
    net = build_network(load_scenario(p))
    g = gauge_changes(net).set_index("node")
    assert list(g.index) == ["b", "c", "d", "e"]
    assert g.loc["b", ["gauges", "transship_t_per_day", "links"]].tolist() == \
        ["1435/1520", 500.0, "ab, bc"]
    assert g.loc["c", ["gauges", "transship_t_per_day", "links"]].tolist() == \
        ["1435/1520", 800.0, "bc"]
    for v in ("d", "e"):
        assert g.loc[v, ["gauges", "transship_t_per_day", "links"]].tolist() == \
            ["1435/1668", 0.0, "de"]
    res = runner.invoke(app, ["network", str(p)], terminal_width=200)
    text = flat(res.output)
    assert "d 1435/1668 no transshipment de" in text
    assert "b 1435/1520 500 t/day ab, bc" in text
