"""A relax-and-fix block whose rounding costs more than ``RETRY_JUMP`` is rounded again,
up wherever a carrier is free (``RoundingEngine._round_up_instead``), and the better of
the two roundings is kept: never worse than the first, whole trips, and the solver left
holding exactly the trips it returns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from corridor.plan import engine as engine_mod
from corridor.plan.constraints import FAMILIES
from corridor.plan.engine import RoundingEngine
from corridor.plan.model import define_all
from corridor.plan.rounding import carriers_fit
from corridor.plan.solve import Outcome
from corridor.scenario import load_scenario

from .conftest import plan_model
from .test_polish import _engine, make_synthetic

F = NDArray[np.float64]
B = NDArray[np.bool_]


def test_every_block_retried_keeps_the_better_rounding(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # an instance where rounding up wins in the third of four blocks (and loses in the rest)
    pm = plan_model(load_scenario(make_synthetic(60, seed=1, days=6, out=tmp_path / "s")))
    define_all(pm, list(FAMILIES))
    e = RoundingEngine(pm, 0.01, None, blocks=4, polish_seconds=20.0)
    monkeypatch.setattr(engine_mod, "RETRY_JUMP", -np.inf)  # every block
    seen: list[tuple[float, float]] = []
    original = RoundingEngine._round_up_instead

    def spy(self: RoundingEngine, last: Outcome, out: Outcome, blk: B, before: F,
            trips: F, deadline: float | None) -> tuple[Outcome, F]:
        kept, kept_trips = original(self, last, out, blk, before, trips, deadline)
        seen.append((out.objective, kept.objective))
        assert kept.objective <= out.objective + 1e-9
        assert np.allclose(kept_trips, np.round(kept_trips))
        assert np.array_equal(kept_trips[~blk], before[~blk])  # only this block changed
        assert carriers_fit(self.pm, kept_trips, self.counts)
        # the solver holds the kept trips: the LP gives the kept plan again
        again = self.solver.solve_lp(None)
        assert again.objective == pytest.approx(kept.objective, abs=1e-6)
        return kept, kept_trips

    monkeypatch.setattr(RoundingEngine, "_round_up_instead", spy)
    solved = e.solve(None)
    assert len(seen) == e.blocks
    assert any(k < o - 1e-6 for o, k in seen), "rounding up wins somewhere here"
    assert any(abs(k - o) < 1e-9 for o, k in seen), "and loses somewhere (first kept)"
    y = solved.values[e.pm.y_var]
    assert np.allclose(y, e.trips, atol=1e-6)


def test_a_cheap_block_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = _engine(tmp_path)
    monkeypatch.setattr(engine_mod, "RETRY_JUMP", np.inf)
    calls: list[int] = []
    monkeypatch.setattr(RoundingEngine, "_round_up_instead",
                        lambda *a: calls.append(1))  # would fail if called
    e.solve(None)
    assert calls == []
