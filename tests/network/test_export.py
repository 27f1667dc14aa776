"""GeoJSON / GeoPackage export round-trips."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

from corridor.network.export import ExportError, export, write_geojson
from corridor.scenario import Scenario, load_scenario

from .conftest import Make, link, node


def test_geojson_round_trip(tmp_path: Path) -> None:
    s = load_scenario("gauge-break")
    out = tmp_path / "net.geojson"
    n = write_geojson(s, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    feats = doc["features"]
    assert doc["type"] == "FeatureCollection" and n == len(feats) == len(s.nodes) + len(s.links)
    points = [f for f in feats if f["geometry"]["type"] == "Point"]
    lines = [f for f in feats if f["geometry"]["type"] == "LineString"]
    assert len(points) == len(s.nodes) and len(lines) == len(s.links)
    border = next(f for f in points if f["properties"]["id"] == "border")
    assert border["geometry"]["coordinates"] == [s.nodes.at["border", "lon"],
                                                 s.nodes.at["border", "lat"]]
    assert border["properties"]["transship_t_per_day"] == 1000
    assert border["properties"]["handling_t_per_day"] is None  # unlimited -> null
    rl = next(f for f in lines if f["properties"]["id"] == "rl_border_city")
    assert rl["properties"]["rail_gauge_mm"] == 1520 and rl["properties"]["usable"] is True
    a, b = rl["geometry"]["coordinates"]
    assert a == [s.nodes.at["border", "lon"], s.nodes.at["border", "lat"]]
    assert b == [s.nodes.at["city", "lon"], s.nodes.at["city", "lat"]]


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"use \.geojson or \.gpkg"):
        export(load_scenario("single-link"), tmp_path / "x.shp")


def test_gpkg_round_trip(tmp_path: Path) -> None:
    import geopandas as gpd  # the geo extra, which scripts/test.sh installs
    s = load_scenario("bridge-detour")
    out = tmp_path / "net.gpkg"
    export(s, out)
    nodes = gpd.read_file(out, layer="nodes")
    links = gpd.read_file(out, layer="links")
    assert len(nodes) == len(s.nodes) and len(links) == len(s.links)
    assert nodes.crs.to_epsg() == 4326
    assert set(links["id"]) == set(s.links.index)
    assert links.set_index("id").at["rd_bridge", "max_mlc"] == 50
    assert not list(tmp_path.glob(".*"))  # no temp file left behind


def typed_scenario(make: Make) -> Scenario:
    """Every float capacity left unlimited (all null), ints given on some nodes only,
    a rail link and a road link (the derived gauge is 0 off rail)."""
    s, _ = make(
        nodes=[node("a", kind="hospital", rail_gauge_mm=1520, role=2, beds=40, icu_beds=4,
                    surgical_tables=2, population=1200, shelter_capacity=300),
               node("b", lon=10.5, capacity_pax=80), node("c", lon=11.0)],
        links=[link("ab", "a", "b", max_mlc=70),
               link("bc", "b", "c", mode="rail", x_owner="db")],
    )
    return s


FLOATS = {"nodes": ["lat", "lon", "handling_t_per_day", "rail_per_day", "sea_per_day",
                    "air_per_day", "transship_t_per_day", "transfer_h", "storage_t"],
          "links": ["distance_km", "speed_kmh", "capacity_per_day", "flow_per_h"]}
INTS = {"nodes": ["rail_gauge_mm", "role", "beds", "icu_beds", "surgical_tables",
                  "capacity_pax", "population", "shelter_capacity"],
        "links": ["max_mlc", "rail_gauge_mm"]}


def test_gpkg_columns_take_the_schema_type_even_when_all_null(tmp_path: Path,
                                                              make: Make) -> None:
    """An all-unlimited float column used to be TEXT, node ints REAL (1435.0)."""
    import sqlite3

    pytest.importorskip("geopandas")
    out = tmp_path / "typed.gpkg"
    export(typed_scenario(make), out)
    with closing(sqlite3.connect(out)) as db:
        for layer in ("nodes", "links"):
            declared = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({layer})")}
            for col in FLOATS[layer]:
                assert declared[col] == "REAL", (layer, col, declared[col])
            for col in INTS[layer]:
                assert declared[col] == "INTEGER", (layer, col, declared[col])
            assert declared["id"] == "TEXT"
        assert declared["bidirectional"] == declared["usable"] == "BOOLEAN"
        nodes = {r[0]: r[1:] for r in db.execute(
            "SELECT id, rail_gauge_mm, beds, capacity_pax, storage_t FROM nodes")}
        links = {r[0]: r[1:] for r in db.execute(
            "SELECT id, rail_gauge_mm, max_mlc, flow_per_h FROM links")}
    assert nodes["a"] == (1520, 40, None, None)  # unlimited -> null, whatever the type
    assert nodes["b"] == (1435, 0, 80, None)
    assert links["ab"] == (0, 70, None) and links["bc"] == (1435, None, None)


def test_geojson_ints_are_whole_numbers(tmp_path: Path, make: Make) -> None:
    out = tmp_path / "typed.geojson"
    write_geojson(typed_scenario(make), out)
    feats = {f["id"]: f["properties"] for f in
             json.loads(out.read_text(encoding="utf-8"))["features"]}
    a, bc = feats["node:a"], feats["link:bc"]
    for col in INTS["nodes"]:
        if col != "capacity_pax":  # unlimited at a
            assert type(a[col]) is int, (col, a[col])
    assert (a["rail_gauge_mm"], a["beds"], a["population"]) == (1520, 40, 1200)
    assert feats["node:b"]["capacity_pax"] == 80 and a["capacity_pax"] is None
    assert type(bc["rail_gauge_mm"]) is int and bc["max_mlc"] is None
    assert type(a["lat"]) is float and bc["flow_per_h"] is None
    assert bc["x_owner"] == "db"
