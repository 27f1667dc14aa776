"""Network arrays: arcs mirror links, CSR agrees with arcs, the gauge rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.network.conftest import Make, link, node

from corridor.network.graph import GAUGE_BREAK, MODE_CODE, build_network, link_gauges
from corridor.scenario import load_scenario


def test_arcs_mirror_links_bidirectional_twice(make: Make) -> None:
    s, net = make(
        nodes=[node("a"), node("b", lon=11), node("c", lon=12)],
        links=[link("ab", "a", "b", max_mlc=50, capacity_per_day=8, speed_kmh=40),
               link("bc", "b", "c", "rail", km=70, bidirectional=False),
               link("ca", "c", "a", km=250, flow_per_h=100)],
    )
    a = net.arcs
    bidir = s.links["bidirectional"].to_numpy()
    assert len(a) == len(s.links) + bidir.sum()
    for i, lid in enumerate(net.link_ids):
        arcs = np.flatnonzero(a.link == i)
        assert len(arcs) == (2 if bidir[i] else 1)
        row = s.links.loc[lid]
        ends = {(net.nodes.ids[a.src[j]], net.nodes.ids[a.dst[j]]) for j in arcs}
        expected = {(row["from"], row["to"])} | ({(row["to"], row["from"])} if bidir[i]
                                                  else set())
        assert ends == expected
        for j in arcs:  # same limits both ways
            assert a.km[j] == row["distance_km"]
            assert a.max_mlc[j] == row["max_mlc"]
            assert a.capacity_per_day[j] == row["capacity_per_day"]
            assert a.flow_per_h[j] == row["flow_per_h"]
            assert a.speed_kmh[j] == row["speed_kmh"]
            assert a.mode[j] == MODE_CODE[row["mode"]]


def test_out_csr_lists_every_arc_once_under_its_source(make: Make) -> None:
    _, net = make(
        nodes=[node(x, lon=10 + i) for i, x in enumerate("abcde")],
        links=[link(f"l{i}", a, b) for i, (a, b) in enumerate(
            ["ab", "bc", "cd", "de", "ea", "ac", "ac"])],
    )
    a = net.arcs
    seen = []
    for v in range(len(net.nodes)):
        out = a.out_arcs[a.out_ptr[v]:a.out_ptr[v + 1]]
        assert (a.src[out] == v).all()
        seen.extend(out.tolist())
    assert sorted(seen) == list(range(len(a)))


def test_mode_adjacency_matches_arcs_and_keeps_shortest_parallel(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11), node("c", lon=12)],
        links=[link("ab1", "a", "b", km=100), link("ab2", "a", "b", km=80),
               link("bc", "b", "c", "rail", km=70)],
    )
    road = net.adjacency["road"].toarray()
    i = net.nodes.index
    assert road[i["a"], i["b"]] == 80 and road[i["b"], i["a"]] == 80
    assert road[i["b"], i["c"]] == 0  # rail is not in the road graph
    assert net.adjacency["rail"].toarray()[i["b"], i["c"]] == 70
    assert net.adjacency["rail"].nnz == 2 and net.adjacency["road"].nnz == 2


@pytest.mark.parametrize(
    ("gf", "gt", "tf", "tt", "gauge", "alt", "broken"),
    [
        (1435, 1435, False, False, 1435, 1435, False),  # same gauge
        (1435, 1520, True, False, 1520, 1520, False),  # from-end transships: to's gauge
        (1435, 1520, False, True, 1435, 1435, False),  # to-end transships: from's gauge
        (1435, 1520, True, True, 1435, 1520, False),  # both: dual gauge
        (1435, 1520, False, False, 1435, 1435, True),  # gauge break
    ],
)
def test_gauge_rule(gf: int, gt: int, tf: bool, tt: bool, gauge: int, alt: int,
                    broken: bool) -> None:
    g, a, b = link_gauges(np.array([MODE_CODE["rail"]], np.int8), np.array([gf]),
                          np.array([gt]), np.array([tf]), np.array([tt]))
    assert (int(g[0]), int(a[0]), bool(b[0])) == (gauge, alt, broken)


def test_gauge_of_non_rail_is_zero_and_never_broken() -> None:
    g, a, b = link_gauges(np.array([MODE_CODE["road"]], np.int8), np.array([1435]),
                          np.array([1520]), np.array([False]), np.array([False]))
    assert (int(g[0]), int(a[0]), bool(b[0])) == (0, 0, False)


def test_unusable_arcs_carry_reasons(make: Make) -> None:
    _, net = make(
        nodes=[node("a"), node("b", lon=11, rail_gauge_mm=1520), node("c", lon=12)],
        links=[link("ab", "a", "b", "rail"), link("ac", "a", "c", capacity_per_day=0),
               link("cb", "c", "b")],
    )
    ab = net.link_index["ab"]
    assert not net.arcs.usable[ab] and net.arcs.reason[ab] == GAUGE_BREAK
    assert "gauge break 1435→1520" in net.arc_reason(ab)
    ac = net.link_index["ac"]
    assert not net.arcs.usable[ac] and net.arc_reason(ac) == "capacity_per_day 0"
    assert net.arcs.usable[net.link_index["cb"]]


def test_fleet_and_item_arrays(make: Make) -> None:
    s, net = make(
        nodes=[node("a"), node("b", lon=11, rail_gauge_mm=1520)],
        links=[link("ab", "a", "b")],
        carriers=[{"id": "het", "type": "het_mammut", "count": 3, "home": "a"},
                  {"id": "tr", "type": "mil_train", "count": 2, "home": "b"}],
    )
    f = net.fleets
    het, tr = f.index["het"], f.index["tr"]
    assert f.gauge_mm[het] == 0 and f.gauge_mm[tr] == 1520  # rail fleet: home gauge
    assert f.max_item_mlc[het] == s.carriers.loc["het", "max_item_mlc"]
    assert net.nodes.ids[f.home[tr]] == "b"
    i = net.items.index["leopard2a6"]
    assert net.items.mlc[i] == s.equipment.loc["leopard2a6", "mlc"]
    assert math.isinf(net.arcs.max_mlc[0])


def test_builds_every_library_scenario() -> None:
    from corridor.scenario import library

    for name in library.names():
        s = load_scenario(name)
        net = build_network(s)
        assert len(net.nodes) == len(s.nodes)
        assert net.arcs.out_ptr[-1] == len(net.arcs)
