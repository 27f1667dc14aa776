"""QA16 finding 7: the no-route reason names the via stop the movement is routed
through, not a gateway it never uses; and a speed cap of 0 built in code is diagnosed
as a closed link without a divide-by-zero warning (finding 5, network side).

The case (sc/sea0 of the report): tanks from O to D via ports P1;P2 by sea. Road fleet
het lives at O and reaches P1 (and airbase AB1); the ship sails P1-P2; from P2 to D
nothing can carry the tanks. An air bridge AB1-AB2 also exists, and AB2 links to D.
With fleet availability relaxed, the fastest route through P1 and P2 ignoring the
gateway rule ticks P1 off by road, flies AB1-AB2, and drives D-P2-D: "het cannot reach
AB2". The engines cross P1-P2 by sea (docs/model.md, "Via stops"), so the place het
cannot reach is P2, as the planner says.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.network.conftest import Make, link, node, write_inline
from tests.network.test_commands import flat, runner

from corridor.cli import app
from corridor.network.graph import build_network
from corridor.network.routing import NoRoute, Router


def sea0() -> dict[str, Any]:
    return dict(
        nodes=[node("O", 52, -1, kind="origin"), node("P1", 51.5, 1, kind="port",
                                                      sea_per_day=1),
               node("AB1", 51.6, 0.5, kind="airbase"), node("AB2", 54, 18, kind="airbase"),
               node("P2", 54.4, 18.6, kind="port", transfer_h=12),
               node("D", 53, 20, kind="staging_area")],
        links=[link("o_p1", "O", "P1", km=150), link("o_ab1", "O", "AB1", km=120),
               link("sea", "P1", "P2", mode="sea", km=1440),
               link("air", "AB1", "AB2", mode="air", km=1300),
               link("p2_d", "P2", "D", km=150), link("ab2_d", "AB2", "D", km=150)],
        equipment=[{"id": "qtank", "mass_t": 60, "footprint_m2": 35, "mlc": 70}],
        carriers=[
            {"id": "ship", "mode": "sea", "count": 1, "home": "P1", "capacity_t": 5000,
             "capacity_m2": 5000, "speed_kmh": 30, "load_h": 12, "unload_h": 12},
            {"id": "c17", "type": "c17", "count": 2, "home": "AB1"},
            {"id": "het", "mode": "road", "count": 20, "home": "O", "capacity_t": 70,
             "capacity_m2": 40, "speed_kmh": 50}],
        movements=[{"id": "arm", "origin": "O", "destination": "D", "via": "P1;P2",
                    "due_day": 6, "equipment": "qtank:20"}],
    )


def test_reason_names_the_via_port_not_another_gateway(make: Make) -> None:
    _, net = make(**sea0())
    with pytest.raises(NoRoute) as info:
        Router(net).route("O", "D", "qtank", ("P1", "P2"))
    assert info.value.reason == "fleet het cannot reach P2 from its home O"
    assert "AB2" not in info.value.reason


def test_network_command_names_the_via_port(tmp_path: Path) -> None:
    p = write_inline(tmp_path / "sea0.yaml", **sea0())
    res = runner.invoke(app, ["network", str(p)])
    assert res.exit_code == 1, res.output
    text = flat(res.output)
    assert "fleet het cannot reach P2 from its home O" in text
    assert "AB2 from" not in text


def test_reason_without_via_is_unchanged(make: Make) -> None:
    # no via stops: no gateway rule, the diagnosis reads the plain relaxed route
    t = sea0()
    t["links"] = [lk for lk in t["links"] if lk["id"] != "air"]
    _, net = make(**t)
    with pytest.raises(NoRoute) as info:
        Router(net).route("O", "D", "qtank")
    assert info.value.reason == "fleet het cannot reach P2 from its home O"


def test_zero_speed_built_in_code_is_a_closed_link_without_a_warning(make: Make) -> None:
    # the loader refuses speed_kmh 0; a network built from tables changed in code still
    # treats the arc as unusable and names it, with no numpy divide-by-zero warning
    s, _ = make(nodes=[node("a"), node("b", lon=11)],
                links=[link("ab", "a", "b", km=100), link("ba0", "b", "a", km=0)],
                carriers=[{"id": "trk", "mode": "road", "count": 1, "home": "a",
                           "capacity_t": 20, "speed_kmh": 50}])
    links = s.links.copy()
    links["speed_kmh"] = 0.0
    net = build_network(dataclasses.replace(s, links=links))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(NoRoute) as info:
            Router(net).route("a", "b", "bulk")
    # ba0 (0 km, so 0 / 0 before) is the quicker of the two relaxed ways
    assert info.value.reason == "link ba0 is closed (speed_kmh 0)"
    assert info.value.relaxed == ("closed",)
