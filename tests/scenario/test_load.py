"""A valid scenario loads with every default and derived value filled in."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from corridor.scenario import ScenarioError, library, load_scenario

from .conftest import ScenarioFolder

# the spec's figures, restated so that a changed constant in schema.py is noticed
CIRCUITY = {"road": 1.25, "rail": 1.3, "sea": 1.15, "air": 1.05, "inland_water": 1.3}
MODE_SPEED = {"road": 60.0, "rail": 50.0, "sea": 30.0, "air": 750.0, "inland_water": 12.0}


def catalog(name: str) -> dict[str, dict[str, str]]:
    """A built-in catalog read independently of the loader, by id."""
    text = resources.files("corridor.scenario").joinpath("catalog", name).read_text("utf-8")
    return {r["id"]: r for r in csv.DictReader(text.splitlines())}


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Spherical law of cosines (a different formula from the loader's haversine)."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def test_link_distance_defaults_to_great_circle_times_circuity(folder: ScenarioFolder) -> None:
    s = folder.load()
    nodes = s.nodes
    for lid, link in s.links.iterrows():
        a, b = nodes.loc[link["from"]], nodes.loc[link["to"]]
        expected = great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"]) * CIRCUITY[
            link["mode"]
        ]
        if lid == "h2":
            assert link["distance_km"] == 300.0  # given, not derived
        else:
            assert link["distance_km"] == pytest.approx(expected, rel=0.01), lid
    # the same endpoints by rail and by road differ only by circuity
    assert s.links.at["r1", "distance_km"] / s.links.at["h1", "distance_km"] == pytest.approx(
        1.3 / 1.25
    )


def test_column_defaults_filled(folder: ScenarioFolder) -> None:
    folder.set("nodes.csv", 3, "name", "")
    s = folder.load()
    n = s.nodes
    assert n.at["depot", "name"] == "depot"  # name defaults to the id
    assert n.at["hub", "transship_t_per_day"] == 5000
    assert n.at["bremerhaven", "transship_t_per_day"] == 0.0
    assert math.isinf(n.at["hub", "handling_t_per_day"])
    assert math.isinf(n.at["depot", "storage_t"])
    assert n.at["hospital", "beds"] == 50 and n.at["front", "beds"] == 0
    links = s.links
    assert math.isinf(links.at["h1", "capacity_per_day"])
    assert math.isinf(links.at["h2", "capacity_per_day"])  # "inf" written out
    assert links.at["r1", "capacity_per_day"] == 10
    assert math.isinf(links.at["r1", "max_mlc"]) and links.at["h1", "max_mlc"] == 80
    assert list(links["bidirectional"]) == [True, True, True, False, True]
    m = s.movements
    assert m.at["m2", "priority"] == 3 and m.at["m2", "kind"] == "force"
    assert m.at["m1", "via"] == ("hub",) and m.at["m3", "via"] == ("depot",)
    assert m.at["m2", "via"] == ()
    assert list(s.supply["end_day"]) == [s.horizon_days, 25.0]  # empty end = horizon
    assert s.start_date.isoformat() == "2025-01-15" and s.step_h == 6


def test_carrier_figures_come_from_type(folder: ScenarioFolder) -> None:
    types = catalog("carrier_types.csv")
    c = folder.load().carriers
    for fleet, type_id in (("het", "het_mammut"), ("trains", "mil_train"), ("amb", "ambulance")):
        t = types[type_id]
        assert c.at[fleet, "mode"] == t["mode"]
        for col in ("capacity_t", "capacity_m2", "capacity_pax", "capacity_litters", "load_h",
                    "unload_h", "cost_per_km"):
            assert c.at[fleet, col] == float(t[col] or 0), (fleet, col)
        assert c.at[fleet, "speed_kmh"] == float(t["speed_kmh"] or MODE_SPEED[t["mode"]])
        want_mlc = float(t["max_item_mlc"]) if t["max_item_mlc"] else math.inf
        assert c.at[fleet, "max_item_mlc"] == want_mlc
    # a fleet without a type keeps its own figures and the defaults
    assert c.at["trucks", "capacity_t"] == 15 and c.at["trucks", "speed_kmh"] == 70
    assert c.at["trucks", "capacity_pax"] == 0 and math.isinf(c.at["trucks", "max_item_mlc"])
    # rail gauge of a fleet defaults to its home node's
    assert c.at["trains", "rail_gauge_mm"] == 1435 and c.at["amb", "rail_gauge_mm"] == 1520


def test_own_value_overrides_type(folder: ScenarioFolder) -> None:
    folder.set("carriers.csv", 1, "capacity_t", "55.5")
    c = folder.load().carriers
    assert c.at["het", "capacity_t"] == 55.5
    assert c.at["het", "capacity_m2"] == float(catalog("carrier_types.csv")["het_mammut"][
        "capacity_m2"])


def test_unlimited_item_mlc_overrides_the_type(folder: ScenarioFolder) -> None:
    # The default is "from type, else unlimited", so unlimited may be written (the format's
    # conventions): it lifts the type's limit, and the network carries it as inf.
    from corridor.network.graph import build_network

    for i, text in enumerate(("unlimited", "inf", "Infinity"), 1):
        folder.set("carriers.csv", 1, "max_item_mlc", text)
        folder.set("carriers.csv", 2, "max_item_mlc", "30" if i == 1 else "")
        s = folder.load()
        assert math.isinf(s.carriers.at["het", "max_item_mlc"]), text
        assert s.carriers.at["trucks", "max_item_mlc"] == (30 if i == 1 else math.inf)
        fleets = build_network(s).fleets
        assert math.isinf(fleets.max_item_mlc[list(fleets.ids).index("het")])


def test_unit_template_expansion(folder: ScenarioFolder) -> None:
    eq = catalog("equipment.csv")
    units = catalog("units.csv")
    s = folder.load()
    m = s.movements
    # own template x count
    assert m.at["m2", "pax"] == 2 * 120
    assert m.at["m2", "equipment"] == {"dingo_x": 20, "hx2_truck": 8}
    assert m.at["m2", "supplies_t"] == 2 * 5
    assert m.at["m2", "mass_t"] == pytest.approx(
        20 * 12.5 + 8 * float(eq["hx2_truck"]["mass_t"]) + 10
    )
    assert m.at["m2", "footprint_m2"] == pytest.approx(
        20 * 17 + 8 * float(eq["hx2_truck"]["footprint_m2"])
    )
    # built-in template
    efp = units["efp_bg"]
    items = {k: int(v) for k, v in (p.split(":") for p in efp["equipment"].split(";"))}
    assert m.at["m1", "pax"] == int(efp["pax"])
    assert m.at["m1", "equipment"] == items
    assert m.at["m1", "mass_t"] == pytest.approx(
        float(efp["supplies_t"]) + sum(float(eq[k]["mass_t"]) * n for k, n in items.items())
    )
    # explicit lists win over any template
    assert m.at["m3", "pax"] == 40
    assert m.at["m3", "equipment"] == {"leopard2a6": 4, "dingo_x": 2}
    assert s.units.at["recon", "_row"] == 1 and s.units.at["abct", "_row"] == -1


def test_template_count_scales_everything(folder: ScenarioFolder) -> None:
    folder.set("movements.csv", 2, "count", "5")
    m = folder.load().movements
    assert m.at["m2", "pax"] == 600 and m.at["m2", "equipment"] == {"dingo_x": 50,
                                                                     "hx2_truck": 20}


def test_disruption_kinds_and_capacity_defaults(folder: ScenarioFolder) -> None:
    d = folder.load().disruptions
    assert list(d["kind"]) == ["window", "standing", "random", "standing"]
    assert list(d["target_kind"]) == ["link", "mode", "country", "node"]
    assert list(d["capacity_factor"]) == [0.0, 1.0, 0.5, 1.0]
    assert list(d["loss_prob"]) == [0.0, 0.05, 0.0, 0.0]


def test_rows_are_numbered_from_one(folder: ScenarioFolder) -> None:
    s = folder.load()
    assert list(s.links["_row"]) == [1, 2, 3, 4, 5]
    assert s.movements.at["m3", "_row"] == 3


def test_single_yaml_file_with_inline_tables(inline_file: Callable[..., Path]) -> None:
    s = load_scenario(inline_file())
    assert list(s.nodes.index) == ["a", "b"]
    ab = s.links.loc["ab"]
    assert ab["distance_km"] == pytest.approx(great_circle_km(54, 10, 54.5, 20) * 1.25,
                                              rel=0.01)
    assert s.files["nodes"] == "tiny.yaml:nodes"
    assert s.carriers.at["het", "count"] == 5


def test_inline_records_may_use_lists_and_mappings(inline_file: Callable[..., Path]) -> None:
    body = """\
nodes:
  - {id: a, kind: port, lat: 54.0, lon: 10.0}
  - {id: h, kind: road_hub, lat: 54.2, lon: 15.0}
  - {id: b, kind: front, lat: 54.5, lon: 20.0}
links:
  - {id: ah, from: a, to: h, mode: road, max_mlc: .inf}
  - {id: hb, from: h, to: b, mode: road, bidirectional: false}
movements:
  - {id: m1, origin: a, destination: b, due_day: 4, via: [h], equipment: {leopard2a6: 3}}
"""
    s = load_scenario(inline_file(body))
    assert s.movements.at["m1", "via"] == ("h",)
    assert s.movements.at["m1", "equipment"] == {"leopard2a6": 3}
    assert math.isinf(s.links.at["ah", "max_mlc"])
    assert not s.links.at["hb", "bidirectional"]


def test_tables_override_file_names(folder: ScenarioFolder) -> None:
    (folder.root / "supply.csv").rename(folder.root / "sustainment.csv")
    folder.set_yaml(tables={"supply": "sustainment.csv"})
    s = folder.load()
    assert len(s.supply) == 2 and s.files["supply"] == "sustainment.csv"


def test_optional_tables_may_be_absent(folder: ScenarioFolder) -> None:
    for name in ("supply.csv", "disruptions.csv", "equipment.csv", "units.csv"):
        (folder.root / name).unlink()
    folder.set("movements.csv", 2, "unit", "efp_bg")
    folder.set("movements.csv", 3, "equipment", "leopard2a6:4")
    s = folder.load()
    assert len(s.supply) == 0 and len(s.disruptions) == 0
    assert "leopard2a6" in s.equipment.index  # the built-in catalog still applies


OPTIONAL_FILES = ("supply.csv", "disruptions.csv", "equipment.csv", "units.csv",
                  "carriers.csv", "movements.csv")


@pytest.mark.parametrize(
    "content",
    [b"", b"\r\n\n  \n", b"\xef\xbb\xbf", "header"],
    ids=["0 bytes", "blank lines", "BOM only", "header only"],
)
def test_optional_tables_may_be_empty(folder: ScenarioFolder, content: bytes | str) -> None:
    """An empty optional file (a spreadsheet saved with no rows) is an empty table."""
    for name in OPTIONAL_FILES:
        header = ",".join(folder.tables[name][0]) + "\n"
        folder.write(name, header if content == "header" else content)
    s = folder.load()  # supply and medical still give work
    for table in (s.supply, s.disruptions, s.carriers, s.movements):
        assert len(table) == 0
    # equipment and units are the built-in catalogs with no rows of the scenario's own
    assert "leopard2a6" in s.equipment.index and (s.equipment["_row"] > 0).sum() == 0
    assert "efp_bg" in s.units.index and (s.units["_row"] > 0).sum() == 0


def test_empty_optional_file_named_in_tables(folder: ScenarioFolder) -> None:
    (folder.root / "supply.csv").unlink()
    folder.write("sustainment.csv", b"")
    folder.set_yaml(tables={"supply": "sustainment.csv"})
    assert len(folder.load().supply) == 0


@pytest.mark.parametrize("name", ["nodes.csv", "links.csv"])
def test_empty_required_file_is_named(folder: ScenarioFolder, name: str) -> None:
    folder.write(name, b"")
    [issue] = folder.issues()
    assert (issue.file, issue.row, issue.column) == (name, None, None)
    assert issue.message.startswith(f"file is empty; the {name[:-4]} table is required")


def test_scenario_with_no_work_is_refused(folder: ScenarioFolder) -> None:
    folder.write("movements.csv", "id,origin,destination,due_day\n")
    (folder.root / "supply.csv").unlink()
    folder.set_yaml(medical=...)
    [issue] = folder.issues()
    assert issue.file == "scenario.yaml" and "gives no work" in issue.message


def test_built_in_scenario_by_name() -> None:
    assert library.path(library.DEFAULT) is not None, library.names()
    s = load_scenario(library.DEFAULT)
    assert len(s.nodes) > 0 and len(s.links) > 0
    assert s.source == library.path(library.DEFAULT)


def test_every_built_in_scenario_is_valid() -> None:
    names = library.names()
    assert names, "the built-in scenario library is empty"
    for name in names:
        load_scenario(name)


def test_unknown_name_lists_the_library(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tmp_path / "missing"))
    assert "no built-in scenario of that name" in info.value.issues[0].message


def test_unnamed_scenario_takes_the_folder_name(folder: ScenarioFolder,
                                                 inline_file: Callable[..., Path]) -> None:
    folder.set_yaml(name=...)
    assert folder.load().name == "scn"
    assert load_scenario(inline_file()).name == "tiny"


def test_the_current_folder_is_named_and_located(folder: ScenarioFolder,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``corridor plan .`` names the scenario after the folder (not "") and records
    where it is, so results made there are found from anywhere."""
    folder.set_yaml(name=...)
    s = folder.load()
    monkeypatch.chdir(s.source)
    here = load_scenario(".")
    assert here.name == "scn" and here.source == s.source and here.source.is_absolute()
