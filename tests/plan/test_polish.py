"""Polishing a relax-and-fix plan (``RoundingEngine._polish``): MIPs over neighbourhoods
of trips, each kept only when it is better. On a small synthetic instance where the
rounding loses against the LP bound: the polished plan is never worse than the rounded
one, never better than the bound, has whole trips, and is exactly what the LP with
those trips fixed gives; a big fleet is searched in overlapping windows of time that
cover every trip."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from tests.plan.conftest import plan_model

from corridor.plan import engine as engine_mod
from corridor.plan.constraints import FAMILIES
from corridor.plan.engine import RoundingEngine
from corridor.plan.model import define_all
from corridor.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic import make_synthetic


def _engine(tmp_path: Path) -> RoundingEngine:
    pm = plan_model(load_scenario(make_synthetic(80, seed=3, days=6, out=tmp_path / "s")))
    define_all(pm, list(FAMILIES))
    return RoundingEngine(pm, 0.01, None, blocks=2, polish_seconds=20.0)


def test_polishing_improves_the_rounded_plan_and_stays_whole(tmp_path: Path) -> None:
    e = _engine(tmp_path)
    solved = e.solve(None)
    assert e.lp is not None and e.final is not None
    assert e.final.objective > e.lp.objective + 1e-3  # the rounding lost something
    assert solved.objective < e.final.objective - 1e-3  # and polishing won some back
    assert solved.objective >= e.lp.objective - 1e-6  # never past the LP bound
    pm = e.pm
    y = solved.values[pm.y_var]
    assert np.allclose(y, np.round(y), atol=1e-6)
    assert np.allclose(y, e.trips, atol=1e-6)
    # the plan is the cargo LP with its trips fixed: re-solving it gives the same
    e._fix(np.arange(pm.st.n_y), e.trips)
    again = e.solver.solve_lp(None)
    assert again.objective == pytest.approx(solved.objective, abs=1e-6)


def test_a_big_fleet_is_searched_in_overlapping_windows(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    e = _engine(tmp_path)
    e.solve(None)
    window = 8
    monkeypatch.setattr(engine_mod, "POLISH_WINDOW", window)
    monkeypatch.setattr(engine_mod, "POLISH_CLASSES", 0)
    assert e.final is not None
    hoods = e._neighbourhoods(e.final.values)
    assert hoods
    st = e.pm.st
    by_pool: dict[int, list[np.ndarray]] = {}
    for n in hoods:
        pools = np.unique(st.run_pool[st.y_run[n]])
        assert len(pools) == 1 and pools[0] >= 0  # a fleet at a time
        assert len(n) <= window
        by_pool.setdefault(int(pools[0]), []).append(n)
    split = [p for p, ws in by_pool.items() if len(ws) > 1]
    assert split  # some fleet has more trips than a window
    for p in by_pool:
        ws = by_pool[p]
        every = np.flatnonzero(st.run_pool[st.y_run] == p)
        assert set(np.concatenate(ws)) == set(every)  # every trip is in some window
        for a, b in itertools.pairwise(ws):
            assert len(np.intersect1d(a, b)) == window // 2  # each overlaps the next
            assert st.y_t[a].min() <= st.y_t[b].min()  # in departure order


def test_polishing_cut_by_the_callers_limit_marks_the_plan_time_limit(tmp_path: Path) -> None:
    """A plan whose polishing the caller's --time-limit cut short is the best so far,
    whole, and marked ``time_limit`` (results-format.md), not presented as finished."""
    import time

    e = _engine(tmp_path)
    e.solver.h.setOptionValue("solver", "ipm")
    e.lp = e.solver.solve_lp(None)
    e.solver.h.setOptionValue("solver", "simplex")
    final, e.trips = e._relax_and_fix(e.lp, None)
    assert final.objective > e.lp.objective + 1e-3  # there is something to polish
    out = e._polish(final, time.perf_counter())  # the caller's time is up
    assert e.stopped == "time_limit"
    assert out.objective == final.objective


def test_polishing_stops_by_count_and_gives_the_same_plan_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts, not the clock, stop the polishing: ``polish_mips`` MIPs at most, each at
    ``POLISH_NODES`` nodes; so the same instance gives the same plan again."""
    calls: list[int] = []
    orig = RoundingEngine._polish_mip

    def counted(self: RoundingEngine, *a: object, **k: object) -> object:
        calls.append(1)
        return orig(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(RoundingEngine, "_polish_mip", counted)
    runs = []
    for i in range(2):
        e = _engine(tmp_path / str(i))
        e.polish_mips = 2
        runs.append(e.solve(None))
        assert len(calls) == 2 * (i + 1)
        nodes = e.solver.h.getOptionValue("mip_max_nodes")  # reset after polishing
        nodes = nodes[-1] if isinstance(nodes, tuple) else nodes
        assert int(nodes) > engine_mod.POLISH_NODES
    assert runs[0].objective == runs[1].objective
    assert np.array_equal(runs[0].values, runs[1].values)


def test_a_class_a_kept_mip_strands_is_polished_next(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A neighbourhood MIP may win overall while stranding a class the round did not
    know about (its carriers taken for a bigger gain). That class's own runs are
    searched right after, ahead of the round's other neighbourhoods, not in a next
    round that the MIP budget may never reach (eastern-flank: US14 left unmet)."""
    e = _engine(tmp_path)
    e.solve(None)
    assert e.final is not None
    final = e.final
    a, b = np.array([0, 1]), np.array([2, 3])
    c = 5  # the class the first MIP strands
    assert len(e._runs_of(c))
    monkeypatch.setattr(e, "_neighbourhoods", lambda values, short=None: [a, b])
    n = len(e.pm.coms)
    stranded = np.zeros(n, dtype=bool)
    stranded[c] = True
    calls: list[int] = []

    def short(values: np.ndarray) -> np.ndarray:  # none at first, then class c
        calls.append(1)
        return stranded.copy() if len(calls) > 1 else np.zeros(n, dtype=bool)

    monkeypatch.setattr(e, "_short", short)
    seen: list[list[int]] = []
    better = engine_mod.Outcome("optimal", final.objective - 1.0, 0.0, 0.0, 0.0, final.values)

    def mip(free: np.ndarray, best: object, limit: float) -> object:
        seen.append(free.tolist())
        return better if len(seen) == 1 else None

    monkeypatch.setattr(e, "_polish_mip", mip)
    out = e._polish(final, None)
    assert out is better
    # the round: a (kept), c's runs, then b; a second round (the first won) finds
    # nothing and ends the polishing
    assert seen == [a.tolist(), e._runs_of(c).tolist(), b.tolist(), a.tolist(), b.tolist()]


def test_stranded_classes_are_polished_before_delayed_ones(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """A class left short of closing comes before one that only lost more time to the
    rounding (eastern-flank: NL02, stranded, lost less than six delayed classes and was
    never searched within the 40 MIPs)."""
    e = _engine(tmp_path)
    e.solve(None)
    assert e.final is not None and e.lp is not None
    n = len(e.pm.coms)
    carried = [c for c in range(n) if len(e._runs_of(c))]
    stranded, delayed = carried[0], carried[1]
    lost = np.zeros(n)
    lost[stranded], lost[delayed] = 0.1, 5.0
    base = e._class_cost(e.lp.values)
    monkeypatch.setattr(e, "_class_cost", lambda values: base + lost
                        if values is e.final.values else base)  # type: ignore[union-attr]
    short = np.zeros(n, dtype=bool)
    short[stranded] = True
    monkeypatch.setattr(e, "_short", lambda values: short)
    hoods = e._neighbourhoods(e.final.values)
    assert hoods[0].tolist() == e._runs_of(stranded).tolist()
    assert hoods[1].tolist() == e._runs_of(delayed).tolist()
