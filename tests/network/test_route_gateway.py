"""QA14 F3 and F7: ``corridor route --via`` and ``corridor network`` route as the planner
and simulator do — the gateway rule between via ports (docs/model.md, "Via stops") —
and no trip starts before its fleet's ``available_day``.

The case (atlantic in small): origin o, port of embarkation p1 (100 km by road), port of
debarkation p2 5,000 km by sea, destination d 100 km beyond. An airfield a1 (50 km from
p1) flies 5,000 km to a2, 100 km from p2. Trucks 50 km/h, ship 25 km/h (available day
2), aircraft 500 km/h; trucks at o and at p2; no loading times or transfers.

- Fastest through p1 and p2, ignoring the rule: o-p1 2 h, p1-a1 1 h, fly 10 h, a2-p2
  2 h, p2-d 2 h: 17 h over 5,350 km.
- By the rule (p1 and p2 share the sea): o-p1 2 h, sail 200 h, p2-d 2 h: 204 h over
  5,200 km; the ship has no carrier before day 2 (48 h), so it sails at 48 h: 250 h.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.network.conftest import Make, link, node, write_inline
from tests.network.test_commands import flat, runner

from corridor.cli import app
from corridor.network.gateways import gateway_routes
from corridor.network.routing import Router, when_available
from corridor.network.summary import movement_routes


def tables() -> dict[str, list[dict[str, Any]]]:
    return dict(
        nodes=[node("o"), node("p1", kind="port", lon=11), node("a1", kind="airbase", lon=12),
               node("p2", kind="port", lat=40, lon=-60), node("a2", kind="airbase", lat=40,
                                                              lon=-61),
               node("d", lat=40, lon=-62)],
        links=[link("o_p1", "o", "p1"), link("p1_a1", "p1", "a1", km=50),
               link("sea", "p1", "p2", mode="sea", km=5000),
               link("air", "a1", "a2", mode="air", km=5000),
               link("a2_p2", "a2", "p2"), link("p2_d", "p2", "d")],
        carriers=[
            {"id": "trucks", "mode": "road", "count": 5, "home": "o", "capacity_t": 20,
             "capacity_m2": 30, "speed_kmh": 50},
            {"id": "trucks_eu", "mode": "road", "count": 5, "home": "p2", "capacity_t": 20,
             "capacity_m2": 30, "speed_kmh": 50},
            {"id": "ship", "mode": "sea", "count": 1, "home": "p1", "capacity_t": 10000,
             "capacity_m2": 5000, "speed_kmh": 25, "available_day": 2},
            {"id": "plane", "mode": "air", "count": 1, "home": "a1", "capacity_t": 50,
             "capacity_m2": 100, "speed_kmh": 500}],
        movements=[{"id": "m", "origin": "o", "destination": "d", "via": "p1;p2",
                    "due_day": 20, "supplies_t": 100}],
    )


def test_via_ports_sharing_the_sea_cross_by_sea(make: Make) -> None:
    _, net = make(**tables())
    router = Router(net)
    fastest = router.route("o", "d", "bulk", ["p1", "p2"])  # the rule not applied
    assert "air" in fastest.modes and fastest.total_km == pytest.approx(5350)
    [r] = gateway_routes(router, "o", "d", "bulk", ["p1", "p2"])
    assert [leg.link for leg in r.legs] == ["o_p1", "sea", "p2_d"]
    assert r.total_km == pytest.approx(5200) and r.total_h == pytest.approx(204)


def test_a_trip_waits_for_its_fleets_available_day(make: Make) -> None:
    _, net = make(**tables())
    [r] = gateway_routes(Router(net), "o", "d", "bulk", ["p1", "p2"])
    w = when_available(net, r)
    assert w.total_h == pytest.approx(250)
    [wait] = w.waits
    assert (wait.fleet, wait.node, wait.hours) == ("ship", "p1", pytest.approx(46))
    assert [leg.start_h for leg in w.legs] == pytest.approx([0, 48, 248])
    assert when_available(net, r, 3 * 24.0).total_h == pytest.approx(204)  # ready day 3


def test_network_lists_the_route_the_engines_take(make: Make) -> None:
    s, net = make(**tables())
    row = movement_routes(s, net).iloc[0]
    assert row["ok"] and row["modes"] == "road+sea"
    assert row["km"] == pytest.approx(5200) and row["hours"] == pytest.approx(250)


def test_route_command_follows_the_rule_and_says_it_waits(tmp_path: Path) -> None:
    p = write_inline(tmp_path / "gw.yaml", **tables())
    res = runner.invoke(app, ["route", str(p), "--from", "o", "--to", "d",
                              "--via", "p1;p2"])
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert "air" not in out and "sea" in out
    assert "waits 46.00 h for fleet ship, available from day 2 (48 h)" in out
    assert "5,200.0 km, 250.00 h" in out
    res = runner.invoke(app, ["route", str(p), "--from", "o", "--to", "d",
                              "--via", "p1;p2", "--ready-day", "3"])
    assert res.exit_code == 0 and "waits" not in res.output
    assert "5,200.0 km, 204.00 h" in flat(res.output)
