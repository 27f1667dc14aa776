"""Scenario format ``corridor/1``: schemas, loading, validation, catalogs and library."""

from corridor.scenario.errors import Issue, ScenarioError
from corridor.scenario.load import load_scenario, locate
from corridor.scenario.model import Scenario

__all__ = ["Issue", "Scenario", "ScenarioError", "load_scenario", "locate"]
