"""QA18: a movement sent through a port of embarkation and one of debarkation crosses
between them by sea, not by a road that also joins the two ports (docs/model.md, "Via
stops"). The gateway rule steered the router only off the other gateway modes (air,
inland water), so any land link between the ports won: the planner, the simulator's
dispatch and ``corridor route`` all drove v1 from pe to pd on rb.

The case (/tmp/qa18a/s15_via of the report): o -> pe 120 km by road; pe and pd joined
by a 300 km sea link s1 (one 1,000 t ship at pe, 30 km/h, 4 h to load and to unload)
and by a 300 km road rb; pd -> d 120 km by road. Trucks (20 t, 60 km/h) at o and at
pd; transfers 4 h at pe, 2 h at pd. v1 goes o -> d via pe;pd, v2 the same way without
via, 100 t each.

- v2 (no via): the fastest route, all road: 2 + 5 + 2 = 9 h.
- v1 by the rule: o-pe 2 h, change 8 h, sail 10 h, change 6 h, pd-d 2 h = 28 h.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.network.conftest import Make, link, node, write_inline
from tests.network.test_commands import flat, runner

from corridor.cli import app
from corridor.network.gateways import gateway_mode, gateway_routes
from corridor.network.graph import build_network
from corridor.network.routing import Router
from corridor.plan import solve_plan
from corridor.plan.commodities import commodities
from corridor.plan.services import build_services
from corridor.scenario import load_scenario
from corridor.sim.dispatch import choose_routes

VIA = ("pe", "pd")


def s15_via() -> dict[str, Any]:
    return dict(
        planner={"step_h": 2},
        nodes=[node("o", 50, 8, kind="origin"), node("pe", 54, 9, kind="port", transfer_h=4),
               node("pd", 55, 13, kind="port", transfer_h=2),
               node("d", 55, 14, kind="staging_area")],
        links=[link("r1", "o", "pe", km=120), link("s1", "pe", "pd", mode="sea", km=300),
               link("rb", "pe", "pd", km=300), link("r2", "pd", "d", km=120)],
        carriers=[
            {"id": "trkA", "mode": "road", "count": 5, "home": "o", "capacity_t": 20,
             "speed_kmh": 60},
            {"id": "ship", "mode": "sea", "count": 1, "home": "pe", "capacity_t": 1000,
             "speed_kmh": 30, "load_h": 4, "unload_h": 4},
            {"id": "trkB", "mode": "road", "count": 5, "home": "pd", "capacity_t": 20,
             "speed_kmh": 60}],
        movements=[
            {"id": "v1", "unit": "cargo", "origin": "o", "destination": "d", "via": "pe;pd",
             "ready_day": 0, "due_day": 2, "supplies_t": 100},
            {"id": "v2", "unit": "cargo", "origin": "o", "destination": "d",
             "ready_day": 0, "due_day": 2, "supplies_t": 100}],
    )


def links_of(r: Any) -> list[str]:
    return [leg.link for leg in r.legs]


def test_via_ports_joined_by_sea_and_road_cross_by_sea(make: Make) -> None:
    _, net = make(**s15_via())
    router = Router(net)
    assert gateway_mode(net, "pe", "pd") == "sea"
    # the premise: ignoring the rule the road is faster
    assert links_of(router.route("o", "d", "bulk", VIA)) == ["r1", "rb", "r2"]
    [r] = gateway_routes(router, "o", "d", "bulk", VIA)
    assert links_of(r) == ["r1", "s1", "r2"]
    assert [leg.mode for leg in r.legs] == ["road", "sea", "road"]
    assert r.total_h == pytest.approx(28)
    # every alternative crosses by sea too
    alts = gateway_routes(router, "o", "d", "bulk", VIA, k=3)
    assert alts and all("s1" in links_of(a) and "rb" not in links_of(a) for a in alts)


def test_without_via_the_cheapest_route_is_kept(make: Make) -> None:
    _, net = make(**s15_via())
    [r] = gateway_routes(Router(net), "o", "d", "bulk")
    assert links_of(r) == ["r1", "rb", "r2"] and r.total_h == pytest.approx(9)


def test_route_command_sails_between_the_via_ports(tmp_path: Path) -> None:
    p = write_inline(tmp_path / "s15.yaml", **s15_via())
    res = runner.invoke(app, ["route", str(p), "--from", "o", "--to", "d",
                              "--via", "pe", "--via", "pd"])
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert " s1 " in out and " rb " not in out
    assert "540.0 km, 28.00 h" in out
    res = runner.invoke(app, ["route", str(p), "--from", "o", "--to", "d"])
    assert res.exit_code == 0, res.output
    assert " rb " in flat(res.output) and "540.0 km, 9.00 h" in flat(res.output)


def test_planner_services_cross_the_via_leg_by_sea(tmp_path: Path) -> None:
    s = load_scenario(write_inline(tmp_path / "s15.yaml", **s15_via()))
    net = build_network(s)
    coms, _ = commodities(s, net)
    sv = build_services(net, coms, 3, Router(net))
    [v1] = [c for c in coms if c.group == "v1"]
    [legs] = sv.routes[v1.index]
    assert len(legs) == 3  # o -> pe, pe -> pd, pd -> d
    assert legs[1] and all(links_of(r) == ["s1"] for r in legs[1])
    [v2] = [c for c in coms if c.group == "v2"]
    [legs2] = sv.routes[v2.index]
    assert links_of(legs2[0][0]) == ["r1", "rb", "r2"]  # no via: the fastest first


def test_plan_sails_v1_and_drives_v2(tmp_path: Path) -> None:
    s = load_scenario(write_inline(tmp_path / "s15.yaml", **s15_via()))
    f = solve_plan(s, progress=False).flows
    v1, v2 = f[f["movement"] == "v1"], f[f["movement"] == "v2"]
    assert set(v1["link"]) == {"r1", "s1", "r2"}
    assert set(v1.loc[v1["link"] == "s1", "carrier"]) == {"ship"}
    assert set(v2["link"]) == {"r1", "rb", "r2"}  # no via: unchanged


def test_simulator_dispatch_sails_v1(make: Make) -> None:
    s, net = make(**s15_via())
    plan = choose_routes(s, net)
    [(r1, _)] = plan.routes[("v1", "bulk")]
    [(r2, _)] = plan.routes[("v2", "bulk")]
    assert links_of(r1) == ["r1", "s1", "r2"]
    assert links_of(r2) == ["r1", "rb", "r2"]


def test_a_drive_to_the_quay_the_ship_uses_still_counts(make: Make) -> None:
    """Land to reach the mode's links keeps working: the tanks are too heavy for pe's
    own berth (s1, MLC 30), so they drive 5 km to the quay q and sail from there,
    not 300 km on rb."""
    t = s15_via()
    t["nodes"].append(node("q", 54.02, 9.02, kind="port"))
    t["links"] = [link("r1", "o", "pe", km=120),
                  link("s1", "pe", "pd", mode="sea", km=300, max_mlc=30),
                  link("pq", "pe", "q", km=5), link("s2", "q", "pd", mode="sea", km=290),
                  link("rb", "pe", "pd", km=300), link("r2", "pd", "d", km=120)]
    t["equipment"] = [{"id": "qtank", "mass_t": 60, "footprint_m2": 35, "mlc": 70}]
    t["carriers"] = [
        {"id": "het", "mode": "road", "count": 10, "home": "o", "capacity_t": 70,
         "capacity_m2": 40, "speed_kmh": 60},
        {"id": "ship", "mode": "sea", "count": 1, "home": "q", "capacity_t": 1000,
         "capacity_m2": 5000, "speed_kmh": 30, "load_h": 4, "unload_h": 4},
        {"id": "het_eu", "mode": "road", "count": 10, "home": "pd", "capacity_t": 70,
         "capacity_m2": 40, "speed_kmh": 60}]
    t["movements"] = [{"id": "arm", "origin": "o", "destination": "d", "via": "pe;pd",
                       "due_day": 5, "equipment": "qtank:4"}]
    _, net = make(**t)
    router = Router(net)
    assert links_of(router.route("o", "d", "qtank", VIA)) == ["r1", "rb", "r2"]
    [r] = gateway_routes(router, "o", "d", "qtank", VIA)
    assert links_of(r) == ["r1", "pq", "s2", "r2"]


@pytest.mark.parametrize("case", ["sea link closed", "no ship"])
def test_without_a_way_by_sea_the_leg_is_routed_freely(make: Make, case: str) -> None:
    """Docs: where the ports share no usable sea link, or no fleet of the mode takes
    the cargo, the stretch is routed freely: v1 still gets its route, by road."""
    t = s15_via()
    if case == "sea link closed":
        t["links"][1]["capacity_per_day"] = 0
    else:
        t["carriers"] = [c for c in t["carriers"] if c["id"] != "ship"]
    s, net = make(**t)
    assert gateway_mode(net, "pe", "pd") == (None if case == "sea link closed" else "sea")
    [r] = gateway_routes(Router(net), "o", "d", "bulk", VIA)
    assert links_of(r) == ["r1", "rb", "r2"]
    plan = choose_routes(s, net)
    assert links_of(plan.routes[("v1", "bulk")][0][0]) == ["r1", "rb", "r2"]
    coms, _ = commodities(s, net)
    sv = build_services(net, coms, 3, Router(net))
    [v1] = [c for c in coms if c.group == "v1"]
    [legs] = sv.routes[v1.index]
    assert links_of(legs[1][0]) == ["rb"]
