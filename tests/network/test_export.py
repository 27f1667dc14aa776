"""GeoJSON / GeoPackage export round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor.network.export import ExportError, export, write_geojson
from corridor.scenario import load_scenario


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
