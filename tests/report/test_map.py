"""The network map: loads on links, theatre split, outlines, and no layer that
would make plotly.js fetch its topojson from the internet."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from corridor.report.network_map import link_loads, network_map, split_theatre
from corridor.report.outlines import REGION, attribution, load_outlines
from corridor.scenario import Scenario


def test_link_loads_sum_flows_and_measure_peak_against_capacity(scenario: Scenario) -> None:
    flows = pd.DataFrame({
        "link": ["rl_hannover_poznan"] * 4 + ["rd_fort_beaumont"],
        "from": ["hannover", "hannover", "hannover", "poznan", "fort"],
        "carrier": ["trains"] * 4 + ["het"],
        "depart_day": [1.2, 1.7, 1.7, 1.5, 0.0],
        "trips": [1.0, 2.0, 2.0, 3.0, 5.0],  # rows 2 and 3: two cargo classes, one run
        "t": [100.0, 200.0, 50.0, 300.0, 50.0],
    })
    load = link_loads(scenario, flows, []).frame
    assert load.loc["rl_hannover_poznan", "t"] == 650.0
    assert load.loc["rl_hannover_poznan", "trips"] == 6.0
    assert load.loc["rd_fort_beaumont", "trips"] == 5.0
    # capacity_per_day 4 each direction; busiest direction-day has 3 departures.
    assert load.loc["rl_hannover_poznan", "utilization"] == pytest.approx(0.75)
    assert pd.isna(load.loc["rd_fort_beaumont", "utilization"])  # unlimited link
    # The planner's figure, when it reports the link, wins.
    ranked = [{"kind": "link", "id": "rl_hannover_poznan", "utilization": 0.99}]
    assert link_loads(scenario, flows, ranked).frame.loc["rl_hannover_poznan",
                                                         "utilization"] == 0.99


def test_theatre_is_the_european_side(scenario: Scenario) -> None:
    theatre = split_theatre(scenario)
    assert theatre is not None
    lon = scenario.nodes["lon"]
    assert set(theatre) == set(lon[lon > 0].index)


def test_map_fetches_nothing(scenario: Scenario) -> None:
    fig = network_map(scenario, None, [{"kind": "node", "id": "sestokai"}], title="t")
    geo = fig.layout.geo
    for layer in ("land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits"):
        assert getattr(geo, f"show{layer}") is False, layer
    for tr in fig.data:
        assert tr.type == "scattergeo"
        assert tr.locationmode is None and tr.locations is None and tr.geojson is None
    names = {tr.name for tr in fig.data}
    assert {"countries", "node", "port", "airbase", "bottleneck node", "rail", "sea"} <= names


def test_outlines_cover_the_theatres() -> None:
    countries = {c.name: c for c in load_outlines()}
    for name in ("Poland", "Lithuania", "Germany", "United States of America", "Canada",
                 "Norway", "Ukraine"):
        assert name in countries
    lon0, lat0, lon1, lat1 = REGION
    for c in countries.values():
        for ring in c.rings:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(lon0 <= x <= lon1 and lat0 <= y <= lat1 for x, y in ring)
    # Warsaw lies inside Poland's outline (ray casting).
    assert any(_inside((21.0, 52.2), r) for r in countries["Poland"].rings)
    assert not any(_inside((21.0, 52.2), r) for r in countries["Germany"].rings)
    assert "Natural Earth" in attribution()


def _inside(p: tuple[float, float], ring: tuple[tuple[float, float], ...]) -> bool:
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
