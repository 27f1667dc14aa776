"""How numbers read on the page (the CSVs keep full precision)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from corridor.report.build import build_report
from corridor.report.tables import Table, _fmt, to_html
from corridor.results.folder import FORMAT, write_json


@pytest.mark.parametrize("value, shown", [
    (-0.003, "-0.003"), (0.0012, "0.0012"), (0.0015, "0.0015"), (-0.0, "0"), (0.0, "0"),
    (-0.0004, "-0.0004"), (0.004999, "0.005"), (0.12345, "0.12"), (-0.126, "-0.13"),
    (5.0, "5"), (-5.0, "-5"), (1234.5, "1,234"), (1e-9, "1e-09"), (math.inf, "unlimited"),
    (math.nan, "–"),
])
def test_small_values_keep_two_significant_digits_and_never_minus_zero(
        value: float, shown: str) -> None:
    assert _fmt(value) == shown


def test_no_cell_reads_minus_zero() -> None:
    for v in (-1e-12, -0.0049, -0.00001, -1e-300):
        assert _fmt(v).lstrip("-").strip("0.") != "", v
    html = to_html(Table("t", "t", pd.DataFrame({"delay": [-0.003, -0.0]})))
    assert ">-0<" not in html and ">-0.003<" in html


def test_medical_modelled_flag_is_not_a_statistic_row(tmp_path: Path) -> None:
    sim = tmp_path / "sim"
    write_json(sim / "summary.json", {
        "format": FORMAT, "kind": "simulation", "scenario": "s", "runs": 2, "seed": 1,
        "movements": [], "medical": {"modelled": True, "casualties": {"mean": 10.0},
                                     "died_of_wounds": {"mean": 0.5}}})
    build_report([sim], tmp_path / "r.html", images=False)
    medical = pd.read_csv(tmp_path / "r_tables" / "medical.csv")
    assert "modelled" not in set(medical["measure"])
    assert len(medical) == 2


def test_shadow_price_and_verified_days_show_small_values(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    write_json(plan / "summary.json", {
        "format": FORMAT, "kind": "plan", "scenario": "s", "status": "optimal",
        "closure_day": 6.0, "movements": [], "unmet": [],
        "bottlenecks": [{"kind": "link", "id": "ab", "utilization": 1.0,
                         "shadow_price": 0.0012, "verified_days": 0.0015,
                         "explanation": "x"}]})
    text = build_report([plan], tmp_path / "r.html", images=False).read_text("utf-8")
    table = text[text.index("id='table-bottlenecks'"):]
    table = table[:table.index("</figure>")]
    assert ">0.0012<" in table and ">0.0015<" in table
