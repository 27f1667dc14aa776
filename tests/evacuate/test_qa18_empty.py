"""QA18c findings on ``corridor evacuate`` when nobody, or not everybody, arrives.

1. When nobody reaches a shelter, ``mean_evacuation_h`` and ``last_arrival_h`` are null
   (were 0.0, "arrivals at 0 h"), as ``egress_h`` and the per-origin figures are; the
   console and the report say that nobody reaches a shelter instead of quoting 0 h.
2. ``routes.parquet`` and ``utilisation.parquet`` have the same columns and types with
   or without rows (empty ones had columns of type null).
3. A horizon that whole steps cut short is told as such, hours to two decimals:
   "2.33 h, the end of the last whole 10-min step in the scenario's 2.4 h" (was
   "2.33333 h").
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.evacuate import evacuate
from corridor.evacuate.commands import _slowest
from corridor.evacuate.result import ROUTE_COLUMNS, UTIL_COLUMNS
from corridor.report.evacuation import _cards, summary_cards
from corridor.report.inputs import load_inputs
from corridor.scenario import Scenario

from .conftest import node, scenario_file

Make = Callable[..., Scenario]
METHODS = ("exact", "heuristic")
runner = CliRunner()

# 1,000 people at A; the only road runs one way from the shelter S to A
NODES = [node("A", "population_center", population=1000), node("S", "shelter", lat=50.03)]
WRONG_WAY = [{"id": "r1", "from": "S", "to": "A", "mode": "road", "distance_km": 5,
              "flow_per_h": 600, "bidirectional": False}]
RIGHT_WAY = [dict(WRONG_WAY[0], **{"from": "A", "to": "S"})]


def _text(cards: list[str]) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", " ".join(cards))).split())


# ------------------------------------------------ 1: nobody arrives, no time to state


@pytest.mark.parametrize("method", METHODS)
def test_nobody_arrives_has_no_arrival_times(make: Make, tmp_path: Path,
                                             method: str) -> None:
    s = make(NODES, WRONG_WAY)
    result = evacuate(s, method=method, progress=False)
    info = json.loads((result.write(tmp_path / "out") / "summary.json").read_text("utf-8"))
    assert info["arrived"] == 0 and info["stranded"] == 1000
    assert info["status"] == "infeasible"
    assert info["egress_h"] is None
    assert info["mean_evacuation_h"] is None  # was 0.0
    assert info["last_arrival_h"] is None  # was 0.0
    assert info["origins"] == [{"id": "A", "population": 1000, "arrived": 0,
                                "last_arrival_h": None, "mean_evacuation_h": None}]
    assert info.get("heuristic", {}).get("egress_h") is None
    assert info["unmet"] == [{"node": "A", "people": 1000,
                              "reason": "no route to a shelter with room"}]


@pytest.mark.parametrize("method", METHODS)
def test_some_arrive_still_have_their_times(make: Make, method: str) -> None:
    """The road the right way: everybody in, the times are numbers as before."""
    info = evacuate(make(NODES, RIGHT_WAY), method=method, progress=False).summary
    assert info["arrived"] == 1000
    assert info["egress_h"] == info["last_arrival_h"] > 0
    assert 0 < info["mean_evacuation_h"] <= info["egress_h"]


def test_everybody_sheltered_in_place_arrives_at_0_h(make: Make) -> None:
    """People living at a shelter are in it at 0 h: a real 0, not a missing time."""
    s = make([node("S", "shelter", population=50), node("T", "shelter", lat=50.1)],
             [{"id": "st", "from": "S", "to": "T", "mode": "road", "distance_km": 1}])
    info = evacuate(s, method="heuristic", progress=False).summary
    assert info["arrived"] == 50 and info["sheltered_in_place"] == 50
    assert info["egress_h"] == info["last_arrival_h"] == info["mean_evacuation_h"] == 0.0


@pytest.mark.parametrize("method", METHODS)
def test_console_says_nobody_reaches_a_shelter(tmp_path: Path, method: str) -> None:
    src = scenario_file(tmp_path / "wrong.yaml", NODES, WRONG_WAY)
    res = runner.invoke(app, ["evacuate", str(src), "--out", str(tmp_path / "o"),
                              "--method", method], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "nobody reaches a shelter" in out
    assert "mean 0.00 h" not in out and "mean" not in out.split("shelters")[0]
    assert "left behind 1,000 at A: no route to a shelter with room" in out


def test_report_cards_say_nobody_reaches_a_shelter(make: Make) -> None:
    info = evacuate(make(NODES, WRONG_WAY), method="exact", progress=False).summary
    text = _text(_cards(info))
    assert "clearance: nobody reaches a shelter (1,000 left behind)" in text
    assert "0.00 h" not in text and "mean time to a shelter" not in text
    assert "1,000 people left behind" in text


def test_report_reads_an_older_summary_that_said_0_h(make: Make) -> None:
    """Results written before this fix: arrived 0 with mean and last arrival 0.0."""
    info = evacuate(make(NODES, WRONG_WAY), method="heuristic", progress=False).summary
    old = dict(info, mean_evacuation_h=0.0, last_arrival_h=0.0)
    text = _text(_cards(old))
    assert "nobody reaches a shelter" in text and "0.00 h" not in text


@pytest.mark.parametrize("method", METHODS)
def test_report_builds_on_an_evacuation_nobody_completes(make: Make, tmp_path: Path,
                                                         method: str) -> None:
    """The whole section, with its empty tables, from the folder as written."""
    from corridor.report.build import build_report

    folder = evacuate(make(NODES, WRONG_WAY), method=method,
                      progress=False).write(tmp_path / "out")
    page = build_report([folder], tmp_path / "report.html", images=False)
    body = page.read_text("utf-8")
    start = body.index("<section id='evacuation'>")
    part = re.sub(r"<script.*?</script>", " ", body[start:body.index("</section>", start)],
                  flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())
    assert "nobody reaches a shelter" in text
    assert "arrive at 0.00 h" not in text and "0.00 h mean" not in text
    summary = summary_cards(load_inputs([folder]))
    assert "nobody reaches a shelter" in _text(summary)


# ------------------------------------- 2: the same parquet schema with or without rows


def _schema(path: Path) -> list[tuple[str, str]]:
    s = pq.read_schema(path)
    return [(name, str(t)) for name, t in zip(s.names, s.types, strict=True)]


@pytest.mark.parametrize("method", METHODS)
def test_tables_without_rows_keep_their_types(make: Make, tmp_path: Path,
                                              method: str) -> None:
    empty = evacuate(make(NODES, WRONG_WAY), method=method,
                     progress=False).write(tmp_path / "empty")
    full = evacuate(make(NODES, RIGHT_WAY), method=method,
                    progress=False).write(tmp_path / "full")
    for name, columns in (("routes", ROUTE_COLUMNS), ("utilisation", UTIL_COLUMNS)):
        assert pq.read_metadata(empty / f"{name}.parquet").num_rows == 0
        assert pq.read_metadata(full / f"{name}.parquet").num_rows > 0
        got = _schema(empty / f"{name}.parquet")
        assert got == _schema(full / f"{name}.parquet"), name
        assert [c for c, _ in got] == columns
        assert not any(pa.types.is_null(t) for t in
                       pq.read_schema(empty / f"{name}.parquet").types), got
    assert dict(_schema(empty / "routes.parquet")) == {
        "group": "int64", "origin": "large_string", "shelter": "large_string",
        "size": "int64", "route": "large_string", "links": "large_string",
        "departure_h": "double", "arrival_h": "double"}
    assert dict(_schema(empty / "utilisation.parquet")) == {
        "element": "large_string", "id": "large_string", "from": "large_string",
        "to": "large_string", "time_h": "double", "load": "int64", "capacity": "double",
        "utilisation": "double"}


# ----------------------------------------- 3: a horizon cut to whole steps, in words


@pytest.mark.parametrize("method", METHODS)
def test_a_horizon_cut_to_whole_steps_is_told_as_such(make: Make, method: str) -> None:
    """horizon_days 0.1 is 2.4 h; 10-min steps keep 14 of them, 2.33 h. A road of
    600/h (100 a step) 5 km long (6 steps): 8 steps of departures, 800 arrive."""
    s = make(NODES, RIGHT_WAY, horizon_days=0.1)
    info = evacuate(s, method=method, progress=False).summary
    assert info["arrived"] == 800 and info["stranded"] == 200
    assert info["horizon_h"] == pytest.approx(14 / 6)
    assert info["scenario_horizon_h"] == pytest.approx(2.4)
    (u,) = info["unmet"]
    assert u["reason"].startswith("not in a shelter within the horizon (2.33 h, the end of "
                                  "the last whole 10-min step in the scenario's 2.4 h)")
    assert "2.33333" not in u["reason"]
    text = _text(_cards(info))
    assert "2.33 h horizon: nobody arrives later (the end of the last whole 10-min step " \
           "in the scenario's 2.4 h; no target set: evacuation.target_h)" in text
    assert "2.33333" not in text


def test_a_far_shelter_is_told_in_hours_to_two_decimals(make: Make) -> None:
    """7-min steps: a day is 205 whole steps (23.92 h); 200 km at 5 km/h is 343 steps
    (40.02 h, was 40.0167 h)."""
    s = make([node("A", "population_center", population=100),
              node("S", "shelter", lat=51.5)],
             [{"id": "far", "from": "A", "to": "S", "mode": "road", "distance_km": 200}],
             evacuation={"step_min": 7, "speed_kmh": 5})
    info = evacuate(s, method="heuristic", progress=False).summary
    assert info["unmet"] == [{"node": "A", "people": 100, "reason":
                              "not in a shelter within the horizon (23.92 h, the end of "
                              "the last whole 7-min step in the scenario's 24 h): the "
                              "nearest shelter is 40.02 h away"}]


def test_a_horizon_of_whole_steps_is_told_as_before(make: Make) -> None:
    s = make([node("A", "population_center", population=100),
              node("S", "shelter", lat=51.5)],
             [{"id": "far", "from": "A", "to": "S", "mode": "road", "distance_km": 200}])
    info = evacuate(s, method="heuristic", progress=False).summary
    assert info["unmet"][0]["reason"] == ("not in a shelter within the horizon (24 h): the "
                                          "nearest shelter is 40 h away")
    assert info["scenario_horizon_h"] == info["horizon_h"] == 24
    assert "24 h horizon: nobody arrives later (no target set" in _text(_cards(info))


# -------------------------------------------------- console: slowest origins first


def test_console_lists_origins_left_behind_first_and_0_h_last() -> None:
    def origin(oid: str, arrived: int, last: float | None) -> dict[str, Any]:
        return {"id": oid, "population": 10, "arrived": arrived, "last_arrival_h": last,
                "mean_evacuation_h": last}

    origins = [origin("home", 10, 0.0), origin("late", 10, 3.0), origin("none", 0, None),
               origin("some", 5, 1.0)]
    assert [o["id"] for o in sorted(origins, key=_slowest)] == ["none", "some", "late",
                                                                "home"]
