"""QA round 18b, finding 5: supply.csv's ``class`` is a NATO supply class (spec: "class
is a NATO supply class (`I` food/water, `III` fuel, `V` ammunition, …)"). Any text used
to pass, so a typo became a class of its own, drawn from stock and reported unnoticed."""

from __future__ import annotations

import pytest
from tests.scenario.conftest import ScenarioFolder


@pytest.mark.parametrize("value, hint", [
    ("banana", ""),
    ("XIV", " (did you mean 'IV'?)"),  # no class XIV
    ("iii", " (did you mean 'III'?)"),  # classes are written in capitals
    ("Class V", ""),
])
def test_a_supply_class_that_is_not_one_is_named(folder: ScenarioFolder, value: str,
                                                 hint: str) -> None:
    folder.set("supply.csv", 1, "class", value)
    issue = folder.issue()
    assert (issue.file, issue.row, issue.column) == ("supply.csv", 1, "class")
    assert issue.message.startswith(f"'{value}' is not a supply class: one of I, II, III")
    assert issue.message.endswith("such as III(B) or IIIB" + hint)


@pytest.mark.parametrize("value", ["I", "III", "V", "IX", "X", "IIIB", "III(B)", "III-P"])
def test_supply_classes_and_sub_classes_are_accepted(folder: ScenarioFolder,
                                                     value: str) -> None:
    folder.set("supply.csv", 1, "class", value)
    assert folder.load().supply["class"].iloc[0] == value
