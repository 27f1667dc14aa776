"""Figures carry the numbers they claim (summed from their inputs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor.report import palette
from corridor.report.figures import carrier_departures, gantt, medical_timeline


def test_departures_sum_per_mode_and_day() -> None:
    trips = pd.DataFrame({"fleet": ["het", "het", "trains", "lmsr"],
                          "mode": ["road", "road", "rail", "sea"],
                          "depart_day": [0.2, 0.9, 1.5, 1.0], "trips": [3, 4, 2, 1]})
    fig = carrier_departures(trips, 10)
    bars = {tr.name: dict(zip(tr.x, tr.y, strict=True)) for tr in fig.data}
    assert bars == {"road": {0.0: 7, 1.0: 0}, "rail": {0.0: 0, 1.0: 2},
                    "sea": {0.0: 0, 1.0: 1}}
    road = next(tr for tr in fig.data if tr.name == "road")
    assert road.hovertext[0] == "het: 7"


def test_gantt_marks_late_and_never_closing() -> None:
    m = pd.DataFrame({"movement": ["A", "B", "C"], "ready_day": [0.0, 1.0, 2.0],
                      "due_day": [5.0, 5.0, 5.0], "plan_closure_day": [4.0, 6.0, np.nan]})
    fig = gantt(m, 30.0)
    late = next(tr for tr in fig.data if tr.marker.color == palette.LATE)
    ok = next(tr for tr in fig.data if tr.marker.color == palette.ON_TIME)
    assert sorted(late.y) == ["B", "C"] and list(ok.y) == ["A"]
    ends = dict(zip(late.y, np.add(late.base, late.x), strict=True))
    assert ends == {"B": 6.0, "C": 30.0}  # never closes: drawn to the horizon, hatched
    assert dict(zip(late.y, late.marker.pattern.shape, strict=True)) == {"B": "", "C": "/"}


@pytest.mark.parametrize("long", [False, True])
def test_medical_timeline_reads_wide_and_long(long: bool) -> None:
    wide = pd.DataFrame({"run": [0, 0, 1, 1], "day": [0.0, 1.0, 0.0, 1.0],
                         "patients": [1.0, 3.0, 3.0, 5.0],
                         "beds_role2": [2.0, 4.0, 4.0, 6.0]})
    frame = wide
    if long:
        frame = wide.melt(id_vars=["run", "day"], value_vars=["beds_role2"],
                          var_name="role", value_name="beds_occupied")
        frame["role"] = "role2"
    fig = medical_timeline(frame)
    assert fig is not None
    means = {tr.name: list(tr.y) for tr in fig.data if tr.showlegend is not False}
    assert means["role2"] == [3.0, 5.0]
    if not long:
        assert means["patients"] == [2.0, 4.0]
