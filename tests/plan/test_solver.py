"""The solver wrapper: a time limit is what each solve gets, however long the HiGHS
instance has already run (HiGHS's LP clock keeps counting over re-solves)."""

from __future__ import annotations

import numpy as np

from corridor.plan.lp import LPBuilder
from corridor.plan.solve import Solver

N = 2000


def _chain_lp() -> LPBuilder:
    """min sum x s.t. x_i + x_{i+1} >= 1: a few hundred simplex pivots per solve."""
    lp = LPBuilder()
    x = lp.variables("x", N)
    i = np.arange(N - 1)
    lp.rows("pairs", N - 1, np.concatenate([i, i]), np.concatenate([x[i], x[i + 1]]),
            np.ones(2 * (N - 1)), ">=", 1.0)
    lp.cost(x, np.linspace(1.0, 2.0, N))
    lp.finish_objective()
    return lp


def test_lp_resolves_get_their_own_time_limit() -> None:
    s = Solver(_chain_lp())
    s.h.setOptionValue("solver", "simplex")
    s.h.setOptionValue("presolve", "off")
    first = s.solve_lp(None)
    assert first.status == "optimal"
    spent = s.h.getRunTime()
    assert spent > 0
    # Each later solve gets less than the clock already shows; each must still run.
    for k in range(3):
        s.h.changeColBounds(k, 0.5, np.inf)  # a change, so HiGHS has to re-solve
        again = s.solve_lp(spent / 2)
        assert again.status == "optimal", k
    assert s.h.getRunTime() > spent
