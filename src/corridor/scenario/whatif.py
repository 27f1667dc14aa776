"""What-ifs: ``--set table.id.column=value`` edits applied to a loaded scenario.

An edit lands on the table as parsed from its file (:class:`Inputs`), and the
scenario is resolved again, so an edited value gets every derived column
(template loads, link distances, disruption kinds, ...) and every cross-field
check that the same value written in the file would get.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from corridor.scenario import catalogs
from corridor.scenario.errors import Issue, ScenarioError
from corridor.scenario.load import build
from corridor.scenario.model import Inputs, Scenario
from corridor.scenario.parse import (
    FALSE,
    MAX_COUNT,
    ROW,
    TRUE,
    UNLIMITED,
    parse_items,
    parse_number,
)
from corridor.scenario.schema import TABLES

# Every table keyed by an id (an edit names its row by id); supply.csv has none.
EDITABLE = tuple(name for name, spec in TABLES.items() if "id" in spec.names)
UNKEYED = tuple(name for name in TABLES if name not in EDITABLE)
# Tables merged with a built-in catalog: an edit of a built-in row becomes the
# scenario's own override of it.
CATALOG = {"equipment": catalogs.equipment, "units": catalogs.units}


def apply_sets(scenario: Scenario, sets: Sequence[str]) -> Scenario:
    """Return a copy of ``scenario`` with each ``table.id.column=value`` applied.

    Values are checked against the column spec (type and bounds), then the
    edited tables are resolved and checked as a loaded scenario is; every bad
    ``--set`` is reported at once, by its text.
    """
    inputs = scenario.inputs
    if inputs is None:
        raise ValueError("apply_sets needs a scenario from load_scenario whose tables were "
                         "not changed in code beyond dropping rows")
    frames = _current(scenario, inputs)
    issues: list[Issue] = []
    edited: dict[tuple[str, int], list[str]] = {}  # (table, _row) -> the sets editing it
    for s in sets:
        target, eq, value = s.partition("=")
        # ids may hold dots: the table is before the first one, the column after the last
        table, _, rest = target.partition(".")
        rid, dot, col = rest.rpartition(".")
        if not eq or not dot or not rid:
            issues.append(Issue("--set", f"'{s}' is not table.id.column=value"))
            continue
        table, rid, col = table.strip(), rid.strip(), col.strip()
        if table not in EDITABLE:
            why = (f" ({table} has no id column to name a row by: edit "
                   f"{TABLES[table].file})") if table in UNKEYED else ""
            issues.append(Issue("--set", f"'{s}': table must be one of "
                                f"{', '.join(EDITABLE)}{why}"))
            continue
        if rid not in getattr(scenario, table).index:
            issues.append(Issue("--set", f"'{s}': no {table} row with id '{rid}'"))
            continue
        spec = TABLES[table]
        if col not in spec.names or col == "id":
            issues.append(Issue("--set", f"'{s}': '{col}' is not an editable column of "
                                f"{table}"))
            continue
        v = _value(s, col, value.strip(), scenario, issues)
        if v is None:
            continue
        frame = frames[table]
        at = frame.index[frame["id"] == rid]
        if len(at):
            pos = at[0]
        else:  # a built-in catalog row: the edit becomes the scenario's own override
            frame, pos = _add_row(frame, CATALOG[table]().loc[[rid]].iloc[0])
        frame.at[pos, col] = v  # type: ignore[assignment]  # dicts/tuples in object columns
        frames[table] = frame
        edited.setdefault((table, int(frame[ROW][pos])), []).append(s)
    if issues:
        raise ScenarioError(issues)
    try:
        return build(_meta(scenario), dataclasses.replace(inputs, frames=frames),
                     source=scenario.source, files=scenario.files)
    except ScenarioError as e:
        raise ScenarioError([_blame(i, edited, inputs, sets) for i in e.issues]) from None


def _value(s: str, col: str, v: str, scenario: Scenario, issues: list[Issue]) -> Any:
    """The typed value ``v`` stands for in column ``col`` (as parsed from a file), or None
    with the problem added to ``issues``."""
    table = s.partition(".")[0].strip()
    c = TABLES[table].column(col)

    def bad(message: str) -> None:
        issues.append(Issue("--set", f"'{s}': {message}", column=col))

    if c.type in ("float", "int"):
        # the same numbers a file cell may hold (no 1_000), bounds and unlimited rule
        parsed = math.inf if v.lower() in UNLIMITED else parse_number(v)
        if parsed is None:
            return bad(f"'{v}' is not a number")
        num = parsed
        if num == math.inf and not c.accepts_unlimited:
            return bad(f"{col} cannot be unlimited")
        if num != num or num == -math.inf or not c.in_bounds(num):
            bounds = f" ({col} must be {c.bounds})" if c.bounds and num == num else ""
            return bad(f"{v} is out of range{bounds}")
        if c.type == "int" and math.isfinite(num) and (num != int(num) or abs(num) > MAX_COUNT):
            return bad(f"{v} is not a whole number")
        return num  # parsed tables hold int columns as floats too
    if c.type == "bool":
        if v.lower() not in TRUE | FALSE:
            return bad(f"'{v}' is not true/false")
        return v.lower() in TRUE
    if c.type == "enum" and v not in c.choices:
        return bad(f"'{v}' is not one of {', '.join(c.choices)}")
    if c.type == "node" and v not in scenario.nodes.index:
        return bad(f"unknown node '{v}'")
    if c.type == "nodes":
        ids = tuple(x.strip() for x in v.split(";") if x.strip())
        unknown = [x for x in ids if x not in scenario.nodes.index]
        if unknown:
            return bad(f"unknown node '{unknown[0]}'")
        return ids
    if c.type == "items":
        items = parse_items(v)
        if isinstance(items, str):
            return bad(items)
        unknown = [t for t in items if t not in scenario.equipment.index]
        if unknown:
            return bad(f"unknown equipment type '{unknown[0]}'")
        return items
    return v


def _current(scenario: Scenario, inputs: Inputs) -> dict[str, pd.DataFrame]:
    """The parsed tables, less rows dropped from the scenario since (a test's subset)."""
    frames = {}
    for name, frame in inputs.frames.items():
        keep = frame[ROW].isin(getattr(scenario, name)[ROW])
        frames[name] = frame.copy() if keep.all() else frame.loc[keep].copy()
    return frames


def _add_row(frame: pd.DataFrame, row: pd.Series) -> tuple[pd.DataFrame, Any]:
    """``frame`` with ``row`` appended, as if the user had copied it into the file."""
    pos = int(frame.index.max()) + 1 if len(frame) else 0
    cells = {c: row[c] if c in row.index else "" for c in frame.columns}  # x_* notes empty
    cells.update({c: row[c] for c in row.index if str(c).startswith("x_")})  # its own notes
    cells[ROW] = int(frame[ROW].max()) + 1 if len(frame) else 1
    added = pd.DataFrame([cells], index=[pos])
    # an empty table's columns have no real types: the row's own values set them
    return (pd.concat([frame, added]) if len(frame) else added), pos


def _meta(scenario: Scenario) -> dict[str, Any]:
    """The scenario.yaml settings as the scenario now holds them."""
    keys = ("name", "description", "start_date", "horizon_days", "seed", "planner",
            "simulation", "evacuation", "medical")
    return {k: getattr(scenario, k) for k in keys}


def _blame(issue: Issue, edited: dict[tuple[str, int], list[str]], inputs: Inputs,
           sets: Sequence[str]) -> Issue:
    """An issue of the edited scenario, told as the ``--set`` that caused it.

    The scenario was valid before, so every issue comes from the edits: one on an
    edited row names the sets of that row; any other names them all, and where.
    """
    for (table, row), texts in edited.items():
        inline = inputs.inline.get(table, False)
        if (issue.row == row and issue.file == inputs.labels.get(table, TABLES[table].file)
                and issue.table == (table if inline else None)):
            # of several edits to the row, the ones whose column the problem names
            named = [t for t in texts if _column(t) == issue.column
                     or _column(t) in issue.message] or texts
            # each set names its own column; another one here would only mislead
            column = issue.column if any(_column(t) == issue.column for t in named) else None
            return Issue("--set", f"{_quoted(named)}: {issue.message}", column=column)
    return Issue("--set", f"after {_quoted(sets)}: {issue}")


def _column(text: str) -> str:
    return text.partition("=")[0].rpartition(".")[2].strip()


def _quoted(sets: Sequence[str]) -> str:
    return ", ".join(f"'{s}'" for s in sets)
