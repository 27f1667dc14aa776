"""Bottlenecks: duals read back onto fleets, links and nodes, ranked, and the top ones
verified by re-solving with one more unit."""

from __future__ import annotations

import pytest
from tests.plan.conftest import planned


def test_fleet_cycle_names_the_low_loaders_and_verifies_one_more() -> None:
    b = planned("fleet-cycle").summary["bottlenecks"]
    top = b[0]
    assert (top["kind"], top["id"], top["resource"]) == ("fleet", "hets", "fleet")
    assert top["utilization"] == pytest.approx(1.0, abs=0.05)
    assert top["verified_by"] == "mip"
    assert top["verified_days"] > 0
    assert top["verified_days"] == pytest.approx(top["predicted_days"], rel=0.05)
    # 56 h -> 44 h with a fifth het (the scenario's hand answer)
    assert top["closure_change_days"]["tanks"] == pytest.approx(0.5, abs=1e-6)
    assert "low-loader" in top["explanation"] and "0.50 days earlier" in top["explanation"]


def test_single_link_names_the_link() -> None:
    top = planned("single-link").summary["bottlenecks"][0]
    assert (top["kind"], top["id"]) == ("link", "rd_depot_camp")
    # 9 departures a day: 48 trips in 5 days and 3 more on day 6 -> day 5.25
    assert top["closure_change_days"]["sup1"] == pytest.approx(0.75, abs=1e-6)


def test_gauge_break_names_the_transshipment_station() -> None:
    top = planned("gauge-break").summary["bottlenecks"][0]
    assert (top["kind"], top["id"], top["resource"]) == ("node", "border", "transshipment")
    assert top["verified_days"] is not None and top["verified_days"] > 0
    assert "transshipment" in top["explanation"]
