"""``--set table.id.column=value`` what-ifs: applied when valid, all reported when not."""

from __future__ import annotations

import math

import pytest

from corridor.scenario import ScenarioError
from corridor.scenario.whatif import apply_sets

from .conftest import ScenarioFolder


def test_valid_sets_apply_to_a_copy(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(s, [
        "links.h2.capacity_per_day=12",
        "carriers.het.count=25",
        "nodes.hub.handling_t_per_day=unlimited",
        "links.h3.bidirectional=true",
        "links.r1.mode=road",
        "carriers.trucks.home=depot",
        "movements.m1.via=hub;depot",
        "disruptions.d1.capacity_factor=0.25",
    ])
    assert t.links.at["h2", "capacity_per_day"] == 12
    assert t.carriers.at["het", "count"] == 25
    assert math.isinf(t.nodes.at["hub", "handling_t_per_day"])
    assert t.links.at["h3", "bidirectional"]
    assert t.links.at["r1", "mode"] == "road"
    assert t.carriers.at["trucks", "home"] == "depot"
    assert t.movements.at["m1", "via"] == ("hub", "depot")
    assert t.disruptions.at["d1", "capacity_factor"] == 0.25
    # the original is untouched
    assert math.isinf(s.links.at["h2", "capacity_per_day"])
    assert s.carriers.at["het", "count"] == 20 and not s.links.at["h3", "bidirectional"]


def test_equipment_edit_updates_movement_loads(folder: ScenarioFolder) -> None:
    s = folder.load()
    t = apply_sets(s, ["movements.m3.equipment=leopard2a6:2", "movements.m3.supplies_t=0"])
    mass = s.equipment.at["leopard2a6", "mass_t"]
    assert t.movements.at["m3", "equipment"] == {"leopard2a6": 2}
    assert t.movements.at["m3", "mass_t"] == pytest.approx(2 * mass)
    u = apply_sets(s, ["equipment.dingo_x.mass_t=20"])
    # m2 carries 20 dingo_x: 7.5 t more each
    assert u.movements.at["m2", "mass_t"] - s.movements.at["m2", "mass_t"] == pytest.approx(
        20 * 7.5
    )


def test_ids_may_contain_dots(folder: ScenarioFolder) -> None:
    folder.add_row("nodes.csv", id="pl.gdansk", kind="port", lat="54.35", lon="18.65",
                   country="PL")
    t = apply_sets(folder.load(), ["nodes.pl.gdansk.beds=10"])
    assert t.nodes.at["pl.gdansk", "beds"] == 10


BAD = [
    ("links.h2.capacity_per_day", "no '=' at all"),
    ("supply.x.t_per_day=1", "table must be one of"),
    ("links.h9.capacity_per_day=1", "no links row with id 'h9'"),
    ("links.h2.capacity=1", "'capacity' is not an editable column"),
    ("links.h2.id=h7", "'id' is not an editable column"),
    ("links.h2.capacity_per_day=lots", "'lots' is not a number"),
    ("nodes.hub.lat=100", "out of range"),
    ("carriers.het.count=2.5", "not a whole number"),
    ("carriers.het.count=inf", "cannot be unlimited"),
    ("nodes.hub.beds=unlimited", "cannot be unlimited"),
    ("disruptions.d1.loss_prob=nan", "out of range"),
    ("links.h3.bidirectional=ture", "'ture' is not true/false"),
    ("links.h3.mode=hovercraft", "not one of"),
    ("carriers.het.home=atlantis", "unknown node 'atlantis'"),
    ("movements.m1.via=hub;atlantis", "unknown node 'atlantis'"),
    ("movements.m1.equipment=leopard9:1", "unknown equipment type 'leopard9'"),
    ("movements.m1.equipment=leopard2a6", "not type:count"),
]


def test_invalid_sets_are_all_reported(folder: ScenarioFolder) -> None:
    s = folder.load()
    sets = [b for b, _ in BAD]
    sets[0] = "links.h2.capacity_per_day"
    with pytest.raises(ScenarioError) as info:
        apply_sets(s, [*sets, "links.h2.capacity_per_day=7"])  # a good one among them
    issues = info.value.issues
    assert len(issues) == len(BAD)
    for issue, (text, says) in zip(issues, BAD, strict=True):
        assert issue.file == "--set"
        assert text in issue.message and (says in issue.message or says.startswith("no '"))


@pytest.mark.parametrize("text,says", BAD[1:], ids=[b for b, _ in BAD[1:]])
def test_each_invalid_set(folder: ScenarioFolder, text: str, says: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_sets(folder.load(), [text])
    [issue] = info.value.issues
    assert says in issue.message
