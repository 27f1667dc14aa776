"""Cargo classes: people, bulk, and items grouped by links, march and fitting fleets."""

from __future__ import annotations

import pytest
from tests.network.conftest import Make, link, node

from corridor.network.cargo import cargo_classes, cargo_of
from corridor.network.routing import route

FLEETS = [
    {"id": "het", "type": "het_m1070", "count": 2, "home": "a"},  # MLC 80
    {"id": "truck", "type": "truck", "count": 9, "home": "a"},  # 15 t, 16 m2
    {"id": "bus", "type": "coach_bus", "count": 2, "home": "a"},
]


def test_classes_group_items_and_keep_totals(make: Make) -> None:
    s, net = make(
        nodes=[node("a"), node("b", lon=11)],
        links=[link("ab", "a", "b", max_mlc=60), link("ab2", "a", "b", km=300, max_mlc=40),
               link("ab3", "a", "b", km=500)],
        carriers=FLEETS,
        movements=[{"id": "m1", "origin": "a", "destination": "b", "due_day": 5, "pax": 100,
                    "supplies_t": 250,
                    "equipment": "leopard2a6:4;leopard2a7:2;m1a2_sepv3:1;hmmwv:10;jltv:5;"
                                 "m1083_fmtv:3;teu_container:6"}],
    )
    cls = cargo_classes(s, "m1", net)
    by = {c.key: c for c in cls}
    assert cls[0].kind == "pax" and cls[0].pax == 100
    assert cls[1].kind == "bulk" and cls[1].mass_t == 250 and cls[1].fleets == ("het", "truck")
    items = [c for c in cls if c.kind == "item"]
    # every item counted once, masses add up
    eq = s.movements.at["m1", "equipment"]
    assert sum(sum(c.items.values()) for c in items) == sum(eq.values())
    total = sum(n * s.equipment.at[t, "mass_t"] for t, n in eq.items())
    assert sum(c.mass_t for c in items) == pytest.approx(total)
    # Leopard 2A6 and 2A7 (both MLC 70, carried, het only) share a class; the M1 (MLC 80)
    # exceeds no more link limits than MLC 70 does (60 and 40 both < 70), so it joins too
    heavy = next(c for c in items if "leopard2a6" in c.items)
    assert set(heavy.items) == {"leopard2a6", "leopard2a7", "m1a2_sepv3"}
    assert heavy.fleets == ("het",) and heavy.mlc == 80 and not heavy.self_moving
    # HMMWV and JLTV both march 600 km/day and fit the same fleets: one class; the FMTV
    # marches 500 km/day (and is too big for the truck): another
    hm = next(c for c in items if "hmmwv" in c.items)
    fm = next(c for c in items if "m1083_fmtv" in c.items)
    assert set(hm.items) == {"hmmwv", "jltv"} and hm.self_moving
    assert hm.march_km_per_day == 600 and fm.march_km_per_day == 500
    assert fm.fleets == ("het",) and hm.fleets == ("het", "truck")
    assert hm.seats == sum(n * s.equipment.at[t, "seats"] for t, n in hm.items.items())
    assert by["pax"].seats == sum(c.seats for c in items)
    # a class routes exactly like each of its items
    for c in items:
        for t in c.items:
            assert route(net, "a", "b", c).total_h == pytest.approx(
                route(net, "a", "b", t).total_h)


def test_mlc_band_splits_classes_only_at_link_limits(make: Make) -> None:
    s, net = make(
        nodes=[node("a"), node("b", lon=11)],
        links=[link("ab", "a", "b", max_mlc=50)],
        carriers=[FLEETS[0]],
        movements=[{"id": "m1", "origin": "a", "destination": "b", "due_day": 5,
                    "equipment": "leopard2a6:1;k9_thunder:1;krab:1;puma_ifv:1"}],
    )
    cls = [c for c in cargo_classes(s, "m1", net) if c.kind == "item"]
    # k9 and krab are MLC 50 (pass the bridge), puma 45: one class; leopard 70 another
    assert sorted(sorted(c.items) for c in cls) == [["k9_thunder", "krab", "puma_ifv"],
                                                    ["leopard2a6"]]


def test_unknown_movement() -> None:
    from corridor.scenario import load_scenario

    with pytest.raises(ValueError, match="unknown movement 'zz'"):
        cargo_classes(load_scenario("single-link"), "zz")


def test_cargo_of_special_kinds(make: Make) -> None:
    _, net = make(nodes=[node("a"), node("b", lon=11)], links=[link("ab", "a", "b")])
    assert cargo_of(net, "pax").describe() == "people (pax)"
    assert cargo_of(net, "leopard2a6").describe() == "leopard2a6 (MLC 70)"
