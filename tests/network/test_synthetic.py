"""The synthetic scenario generator: valid, deterministic, multimodal, routable."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from corridor.network.graph import GAUGE_BREAK, build_network
from corridor.network.summary import components, movement_routes
from corridor.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic import make_synthetic


def test_valid_deterministic_and_multimodal(tmp_path: Path) -> None:
    a = make_synthetic(300, seed=3, out=tmp_path / "a")
    b = make_synthetic(300, seed=3, out=tmp_path / "b")
    c = make_synthetic(300, seed=4, out=tmp_path / "c")
    for f in ("nodes.csv", "links.csv", "carriers.csv", "movements.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    assert (a / "links.csv").read_bytes() != (c / "links.csv").read_bytes()
    s = load_scenario(a)
    assert len(s.nodes) == 300
    assert set(s.links["mode"]) == {"road", "rail", "sea", "air"}
    net = build_network(s)
    assert (net.arcs.reason == GAUGE_BREAK).any()  # some crossings have no station
    assert (s.nodes["transship_t_per_day"] > 0).any()
    assert (s.links["max_mlc"] == 50).any()
    assert components(net).count == 1
    rows = movement_routes(s, net)
    assert len(rows) and rows["ok"].mean() > 0.9
    assert np.isfinite(rows.loc[rows["ok"] & (rows["cargo"] != "pax (in seats)"),
                                "hours"]).all()
