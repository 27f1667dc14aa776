"""Rows added to a solved model and taken away again (what a bottleneck check does when
one more departure a day changes a spacing's windows): the LP reads the added rows'
duals after its own, and after the delete solves exactly as before."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.plan.lp import LPBuilder
from corridor.plan.solve import Solver


def _solver() -> tuple[Solver, np.ndarray]:
    lp = LPBuilder()
    v = lp.variables("v", 2, upper=10.0)
    lp.rows("cap", 1, np.array([0, 0]), v, np.ones(2), "<=", 8.0)  # x + y <= 8
    lp.cost(v, np.array([-1.0, -2.0]))  # max x + 2y
    lp.finish_objective()
    return Solver(lp), v


def test_added_rows_bind_and_deleting_them_restores_the_model() -> None:
    s, v = _solver()
    before = s.solve_lp(None)
    assert before.objective == pytest.approx(-16.0)  # y = 8
    n = s.add_rows(np.array([0]), v[1:], np.ones(1), np.array([3.0]))  # y <= 3
    assert n == 1
    tight = s.solve_lp(None)
    assert tight.objective == pytest.approx(-11.0)  # y = 3, x = 5
    assert tight.duals is not None and len(tight.duals) == s.n_clabels
    assert tight.duals[-1] == pytest.approx(-1.0)  # one more on y <= 3 gains 1
    s.delete_last_rows(n)
    again = s.solve_lp(None)
    assert again.objective == pytest.approx(-16.0)
    assert again.duals is not None and len(again.duals) == s.n_clabels == 1
