"""The planner: a time-expanded optimization of a deployment (docs/planner.md).

    from corridor.plan import solve_plan
    result = solve_plan(load_scenario("eastern-flank"), time_limit=60)
    result.summary["movements"], result.flows, result.arrivals
    result.write("results/eastern-flank-plan")
"""

from corridor.plan.pipeline import PlanError, PlanOptions, solve_plan
from corridor.plan.result import PlanResult

__all__ = ["PlanError", "PlanOptions", "PlanResult", "solve_plan"]
