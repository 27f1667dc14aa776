"""Closure arithmetic against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor.report.closure import (
    arrival_band,
    cumulative_arrivals,
    movement_table,
    plan_overall_curve,
    required_curve,
    run_closure_band,
)


def test_incremental_and_cumulative_arrivals_give_the_same_curve() -> None:
    cum = pd.DataFrame({"movement": "A", "day": [1.0, 2.0, 3.0], "share": [0.2, 0.5, 1.0]})
    inc = cum.assign(share=[0.2, 0.3, 0.5])
    np.testing.assert_allclose(cumulative_arrivals(inc)["share"], [0.2, 0.5, 1.0])
    np.testing.assert_allclose(cumulative_arrivals(cum)["share"], [0.2, 0.5, 1.0])
    # Unsorted input is sorted by day first.
    np.testing.assert_allclose(cumulative_arrivals(cum.iloc[::-1])["share"], [0.2, 0.5, 1.0])


def test_cumulative_per_run_and_movement() -> None:
    # Run 0 wrote increments, run 1 a cumulative curve that never completes.
    arr = pd.DataFrame({"run": [0, 0, 1, 1], "movement": "A", "day": [1.0, 2.0, 1.0, 2.0],
                        "share": [0.6, 0.4, 0.3, 0.5]})
    cum = cumulative_arrivals(arr, ("run", "movement"))
    np.testing.assert_allclose(cum["share"], [0.6, 1.0, 0.3, 0.5])
    band = arrival_band(cum, np.array([0.0, 1.5, 3.0]))
    np.testing.assert_allclose(band["p50"], [0.0, 0.45, 0.75])


def test_run_band_hand_computed() -> None:
    # Two movements of 3 t and 1 t; five runs. Run r closes A on day r+1, B on day 2.
    runs = pd.DataFrame([(r, m, (r + 1.0) if m == "A" else 2.0)
                         for r in range(5) for m in ("A", "B")],
                        columns=["run", "movement", "closure_day"])
    w = pd.Series({"A": 3.0, "B": 1.0})
    band = run_closure_band(runs, w, np.array([0.5, 2.0, 3.5, 10.0])).set_index("day")
    # Day 2: runs 0,1 have A and B (share 1), runs 2-4 only B (0.25) -> quantiles over
    # [1, 1, .25, .25, .25]: p10 .25, p50 .25, p90 1.
    assert band.loc[2.0].tolist() == pytest.approx([0.25, 0.25, 1.0])
    # Day 3.5: runs 0-2 complete -> [1, 1, 1, .25, .25]: p10 .25, p50 1, p90 1.
    assert band.loc[3.5].tolist() == pytest.approx([0.25, 1.0, 1.0])
    assert band.loc[0.5].tolist() == pytest.approx([0.0, 0.0, 0.0])
    assert band.loc[10.0].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_never_closed_counts_as_not_arrived() -> None:
    runs = pd.DataFrame({"run": [0, 1], "movement": ["A", "A"], "closure_day": [1.0, np.nan]})
    band = run_closure_band(runs, None, np.array([100.0]))
    assert band["p10"].iloc[0] == pytest.approx(0.1)  # quantile of [0, 1] at 0.1
    assert band["p90"].iloc[0] == pytest.approx(0.9)


def test_arrival_band_quantiles_of_curves() -> None:
    # Run r delivers everything on day r (r = 0..10).
    arr = pd.DataFrame({"run": range(11), "day": np.arange(11.0), "share": 1.0})
    band = arrival_band(arr, np.array([4.5])).iloc[0]
    # 5 of 11 runs have arrived by day 4.5: quantiles of five ones and six zeros.
    expected = np.quantile([1] * 5 + [0] * 6, [0.1, 0.5, 0.9])
    assert [band.p10, band.p50, band.p90] == pytest.approx(expected)


def test_plan_curve_and_required_curve_weighted() -> None:
    arr = pd.DataFrame({"movement": ["A", "A", "B"], "day": [1.0, 3.0, 2.0],
                        "share": [0.5, 1.0, 1.0]})
    w = pd.Series({"A": 2.0, "B": 6.0})
    days = np.array([0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(plan_overall_curve(arr, w, days),
                               [0.0, 1 / 8, 7 / 8, 1.0])
    due = pd.Series({"A": 2.0, "B": 3.0})
    np.testing.assert_allclose(required_curve(due, w, days), [0.0, 0.0, 0.25, 1.0])


def test_movement_table_merges_plan_and_simulation() -> None:
    plan = {"movements": [{"id": "A", "due_day": 5.0, "closure_day": 6.0, "late_days": 1.0},
                          {"id": "B", "due_day": 2.0, "closure_day": None, "late_days": None}]}
    sim = {"movements": [{"id": "A", "due_day": 5.0, "p_on_time": 0.25,
                          "closure_day": {"mean": 6.5, "p10": 5.5, "p50": 6.4, "p90": 8.0}}]}
    t = movement_table(plan, sim, None).set_index("movement")
    assert list(t.index) == ["B", "A"]  # by due day
    assert t.loc["A", "sim_closure_p90"] == 8.0 and t.loc["A", "p_on_time"] == 0.25
    assert np.isnan(t.loc["B", "plan_closure_day"]) and np.isnan(t.loc["B", "sim_closure_p50"])
