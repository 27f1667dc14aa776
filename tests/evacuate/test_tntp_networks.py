"""Real research networks (TNTP): SiouxFalls converted to an evacuation, both methods."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.evacuate import build_network, evacuate, resolve_options
from corridor.evacuate.ccrp import ccrp
from corridor.evacuate.solution import violations
from corridor.evacuate.tntp import read_tntp, write_scenario
from corridor.scenario import load_scenario

from .conftest import SHARED

SIOUX = SHARED / "SiouxFalls"
needs_sioux = pytest.mark.skipif(not (SIOUX / "SiouxFalls_net.tntp").exists(),
                                 reason="SiouxFalls TNTP files not present")


@needs_sioux
def test_sioux_falls_reads_as_published() -> None:
    net = read_tntp(SIOUX)
    assert (len(net.nodes), len(net.links), net.zones) == (24, 76, 24)
    assert net.trips is not None and net.trips.sum() == pytest.approx(360_600)


@needs_sioux
def test_sioux_falls_exact_beats_or_ties_ccrp(tmp_path: Path) -> None:
    folder = write_scenario(SIOUX, tmp_path / "sf", population=40_000, shelters=4,
                            step_min=2)
    s = load_scenario(folder)
    assert int(s.nodes["population"].sum()) == 40_000
    assert (s.nodes["kind"] == "shelter").sum() == 4
    net = build_network(s, resolve_options(s))
    # capacity as flow_per_h, free-flow time as transit (minutes, 2-minute steps)
    link = s.links.iloc[0]
    assert link["flow_per_h"] == pytest.approx(25900.2, rel=1e-4)
    assert net.transit[0] == 3  # 6 "minutes" of free-flow time on 2-minute steps
    heur = evacuate(s, method="heuristic", progress=False).summary
    exact = evacuate(s, method="exact", progress=False).summary
    assert heur["arrived"] == exact["arrived"] == 40_000
    assert exact["status"] == "optimal"
    assert exact["lower_bound_h"] == pytest.approx(exact["egress_h"])
    assert heur["lower_bound_h"] <= exact["egress_h"] <= heur["egress_h"]
    groups, stranded, _ = ccrp(net)
    assert not stranded and violations(net, groups) == []


def test_missing_network_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"_net\.tntp"):
        read_tntp(tmp_path)
