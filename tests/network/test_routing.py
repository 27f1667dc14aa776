"""Routing: MLC, gauge, fit, transfer and handling times, via, alternatives, reasons."""

from __future__ import annotations

import math

import pytest
from tests.network.conftest import Make, link, node

from corridor.network.routing import NoRoute, Router, k_routes, route

HET = {"id": "het", "mode": "road", "count": 4, "home": "a", "capacity_t": 80,
       "capacity_m2": 45, "max_item_mlc": 80, "speed_kmh": 50, "load_h": 1, "unload_h": 2}


def test_mlc70_avoids_mlc50_bridge_light_vehicle_takes_it(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("d", lat=49)],
        links=[link("bridge", "a", "b", km=100, max_mlc=50),
               link("d1", "a", "d", km=120), link("d2", "d", "b", km=130)],
        carriers=[HET],
    )
    heavy = route(net, "a", "b", "leopard2a6")
    assert [leg.link for leg in heavy.legs] == ["d1", "d2"]
    assert heavy.total_km == 250
    assert heavy.total_h == pytest.approx(1 + 250 / 50 + 2)
    assert math.isinf(heavy.binding_mlc) and heavy.binding_link is None
    light = route(net, "a", "b", "hmmwv")  # drives itself, 600 km/day
    assert [leg.link for leg in light.legs] == ["bridge"]
    assert light.fleets == (None,)
    assert light.total_h == pytest.approx(100 / 600 * 24)
    assert (light.binding_mlc, light.binding_link) == (50, "bridge")


def test_fastest_of_carried_and_self_moving(make: Make) -> None:
    # 300 km: HET 1 + 6 + 2 = 9 h; HMMWV drives 300 / 600 * 24 = 12 h -> carried wins
    _, net = make(nodes=[node("a"), node("b", lon=13)], links=[link("ab", "a", "b", km=300)],
                  carriers=[HET])
    r = route(net, "a", "b", "hmmwv")
    assert r.fleets == ("het",) and r.total_h == pytest.approx(9)


def test_transfer_and_handling_times_at_mode_change(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11, transfer_h=5), node("c", lon=12)],
        links=[link("ab", "a", "b", km=100), link("bc", "b", "c", "rail", km=400)],
        carriers=[HET | {"id": "truck", "capacity_t": 20, "capacity_m2": 20},
                  {"id": "train", "mode": "rail", "count": 1, "home": "b", "capacity_t": 1000,
                   "speed_kmh": 80, "load_h": 3, "unload_h": 4}],
    )
    r = route(net, "a", "c", "bulk")
    assert r.fleets == ("truck", "train")
    expected = (1 + 100 / 50 + 2) + 5 + (3 + 400 / 80 + 4)
    assert r.total_h == pytest.approx(expected)
    (change,) = r.changes
    assert (change.node, change.from_fleet, change.to_fleet) == ("b", "truck", "train")
    assert change.hours == pytest.approx(2 + 5 + 3) and not change.transship
    segs = r.segments
    assert [s.fleet for s in segs] == ["truck", "train"]
    assert segs[1].start_h == pytest.approx(segs[0].start_h + segs[0].hours + 5)
    assert r.legs[-1].end_h + 4 == pytest.approx(r.total_h)


def test_no_transfer_time_at_origin_or_destination(make: Make) -> None:
    _, net = make(
        nodes=[node("a", transfer_h=50), node("b", lon=11, transfer_h=70)],
        links=[link("ab", "a", "b", km=100)], carriers=[HET],
    )
    assert route(net, "a", "b", "bulk").total_h == pytest.approx(1 + 2 + 2)


def test_link_speed_caps_carrier_speed(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)],
                  links=[link("ab", "a", "b", km=100, speed_kmh=20)], carriers=[HET])
    assert route(net, "a", "b", "bulk").legs[0].hours == pytest.approx(5)


def test_via_forces_the_detour(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("p", lat=49)],
        links=[link("ab", "a", "b", km=100), link("ap", "a", "p", km=150),
               link("pb", "p", "b", km=150)],
        carriers=[HET],
    )
    assert route(net, "a", "b", "bulk").total_km == 100
    r = route(net, "a", "b", "bulk", via=["p"])
    assert r.nodes == ("a", "p", "b") and r.total_km == 300
    assert r.changes == () and len(r.segments) == 1  # passing a via node is no transfer


def test_gauge_break_transships_at_station(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("x", lon=11, transship_t_per_day=500, transfer_h=8),
               node("b", lon=12, rail_gauge_mm=1520)],
        links=[link("ax", "a", "x", "rail", km=200), link("xb", "x", "b", "rail", km=300)],
        carriers=[{"id": "t35", "mode": "rail", "count": 1, "home": "a", "capacity_t": 1000,
                   "speed_kmh": 50},
                  {"id": "t20", "mode": "rail", "count": 1, "home": "b", "capacity_t": 1000,
                   "speed_kmh": 50}],
    )
    r = route(net, "a", "b", "bulk")
    assert r.fleets == ("t35", "t20")
    assert [leg.gauge_mm for leg in r.legs] == [1435, 1520]
    (c,) = r.changes
    assert c.node == "x" and c.transship
    assert r.total_h == pytest.approx(200 / 50 + 8 + 300 / 50)


def test_dual_gauge_arc_between_two_stations(make: Make) -> None:
    _, net = make(
        nodes=[node("a", transship_t_per_day=100), node("b", lon=11, rail_gauge_mm=1520,
                                                       transship_t_per_day=100)],
        links=[link("ab", "a", "b", "rail")],
        carriers=[{"id": "t20", "mode": "rail", "count": 1, "home": "b", "capacity_t": 10,
                   "rail_gauge_mm": 1520},
                  {"id": "t35", "mode": "rail", "count": 1, "home": "a", "capacity_t": 10}],
    )
    assert route(net, "a", "b", "bulk").fleets in (("t35",), ("t20",))


def test_k_routes_are_distinct_and_fastest_first(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("p", lat=49), node("q", lat=51)],
        links=[link("ab", "a", "b", km=100), link("ap", "a", "p", km=70),
               link("pb", "p", "b", km=70), link("aq", "a", "q", km=90),
               link("qb", "q", "b", km=90)],
        carriers=[HET],
    )
    rs = k_routes(net, "a", "b", "bulk", k=3)
    assert [r.total_km for r in rs] == [100, 140, 180]
    assert len({r.signature() for r in rs}) == 3
    assert rs[0] == route(net, "a", "b", "bulk")
    assert len(k_routes(net, "a", "b", "bulk", k=10)) == 3  # no more exist


def test_pax_bulk_litter_use_only_fitting_fleets(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11)],
        links=[link("ab", "a", "b", km=120)],
        carriers=[{"id": "bus", "mode": "road", "count": 1, "home": "a", "capacity_pax": 50,
                   "speed_kmh": 60},
                  {"id": "amb", "mode": "road", "count": 1, "home": "a",
                   "capacity_litters": 4, "speed_kmh": 40},
                  {"id": "lorry", "mode": "road", "count": 1, "home": "a", "capacity_t": 10,
                   "capacity_m2": 14, "speed_kmh": 30}],
    )
    assert route(net, "a", "b", "pax").fleets == ("bus",)
    assert route(net, "a", "b", "litter").fleets == ("amb",)
    assert route(net, "a", "b", "bulk").fleets == ("lorry",)


def test_self_move_vs_lorry_picks_faster(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b", km=120)],
                  carriers=[{"id": "lorry", "mode": "road", "count": 1, "home": "a",
                             "capacity_t": 10, "capacity_m2": 14, "speed_kmh": 20}])
    r = route(net, "a", "b", "hmmwv")
    lorry_h, drive_h = 120 / 20, 120 / 600 * 24
    assert r.total_h == pytest.approx(min(lorry_h, drive_h))
    assert r.fleets == ((None,) if drive_h < lorry_h else ("lorry",))


def test_same_origin_and_destination_is_empty_route(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b")],
                  carriers=[HET])
    r = route(net, "a", "a", "bulk")
    assert r.legs == () and r.total_h == 0


def test_unknown_names_are_value_errors(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b")],
                  carriers=[HET])
    with pytest.raises(ValueError, match="unknown item 'tank9000'"):
        route(net, "a", "b", "tank9000")
    with pytest.raises(ValueError, match="unknown destination node 'zz'"):
        route(net, "a", "zz", "bulk")


# ---- NoRoute reasons -------------------------------------------------------------------


def _reason(net: object, *args: object, **kw: object) -> str:
    with pytest.raises(NoRoute) as info:
        route(net, *args, **kw)  # type: ignore[arg-type]
    return info.value.reason


def test_reason_mlc80_item_only_mlc50_bridges(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("c", lat=49)],
        links=[link("br1", "a", "b", max_mlc=50), link("br2", "a", "c", max_mlc=50),
               link("cb", "c", "b")],
        carriers=[HET],
    )
    reason = _reason(net, "a", "b", "m1a2_sepv3")
    assert reason.startswith("no road path for m1a2_sepv3 (MLC 80): link br1 max_mlc 50")
    assert route(net, "a", "b", "hmmwv").legs[0].link == "br1"  # light ones pass


def test_reason_gauge_break_without_transshipment(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("dorohusk", lon=11, rail_gauge_mm=1520),
               node("b", lon=12, rail_gauge_mm=1520)],
        links=[link("r1", "a", "dorohusk", "rail"), link("r2", "dorohusk", "b", "rail")],
        carriers=[{"id": "t35", "mode": "rail", "count": 1, "home": "a", "capacity_t": 1000},
                  {"id": "t20", "mode": "rail", "count": 1, "home": "b", "capacity_t": 1000}],
    )
    reason = _reason(net, "a", "b", "bulk")
    assert "gauge break 1435→1520 at dorohusk" in reason and "no transshipment" in reason


def test_reason_fleet_never_available(make: Make) -> None:
    _, net = make(
        horizon_days=60,
        nodes=[node("dover", kind="airbase"), node("rzeszow", lon=22, kind="airbase")],
        links=[link("air", "dover", "rzeszow", "air", km=7000)],
        carriers=[{"id": "c17", "type": "c17", "count": 10, "home": "dover",
                   "available_day": 90}],
    )
    reason = _reason(net, "dover", "rzeszow", "pax")
    assert "fleet c17 never becomes available before the horizon" in reason


def test_reason_no_fleet_fits(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b")],
        carriers=[{"id": "het_mammut", "type": "het_mammut", "count": 4, "home": "a"}],
    )
    reason = _reason(net, "a", "b", "m1a2_sepv3")
    assert reason.startswith("no fleet can carry m1a2_sepv3 (MLC 80): het_mammut "
                             "max_item_mlc 70")


def test_reason_fleet_cannot_reach_from_home(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("h", lon=14), node("k", lon=15)],
        links=[link("ab", "a", "b", "rail"), link("hk", "h", "k", "rail"),
               link("road", "b", "h", km=300)],
        carriers=[{"id": "tr", "mode": "rail", "count": 2, "home": "h", "capacity_t": 500}],
    )
    assert "fleet tr cannot reach a from its home h" in _reason(net, "a", "b", "bulk")


def test_reason_no_fleet_on_mode(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b", "sea")],
        carriers=[HET],
    )
    assert "no sea fleet can take bulk cargo over link ab" in _reason(net, "a", "b", "bulk")


def test_reason_closed_link(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11)],
        links=[link("ab", "a", "b", capacity_per_day=0)], carriers=[HET],
    )
    assert "link ab is closed (capacity_per_day 0)" in _reason(net, "a", "b", "bulk")


def test_reason_disconnected(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("c", lon=12)],
        links=[link("ab", "a", "b")], carriers=[HET],
    )
    assert "no path from a to c" in _reason(net, "a", "c", "bulk")
    assert "no path from b to c" in _reason(net, "a", "c", "bulk", via=["b"])


def test_reason_one_way_link(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)],
                  links=[link("ab", "a", "b", bidirectional=False)], carriers=[HET])
    assert route(net, "a", "b", "bulk").total_km == 100
    assert "no path from b to a" in _reason(net, "b", "a", "bulk")


def test_two_restrictions_at_once_are_both_named(make: Make) -> None:
    # the only road has an MLC 50 bridge AND the only HET is rated MLC 70: an M1 (MLC 80)
    # needs both relaxed
    _, net = make(
        nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b", max_mlc=50)],
        carriers=[HET | {"max_item_mlc": 70}],
    )
    reason = _reason(net, "a", "b", "m1a2_sepv3")
    assert "link ab max_mlc 50" in reason and "het max_item_mlc 70" in reason


def test_router_reuses_trees_and_agrees_with_fresh_search(make: Make) -> None:
    _, net = make(
        nodes=[node(x, lon=10 + i) for i, x in enumerate("abcd")],
        links=[link("ab", "a", "b"), link("bc", "b", "c"), link("cd", "c", "d"),
               link("ad", "a", "d", km=500)],
        carriers=[HET],
    )
    router = Router(net)
    for dest in "bcd":
        for item in ("bulk", "leopard2a6", "hmmwv"):
            assert router.route("a", dest, item) == route(net, "a", dest, item)
