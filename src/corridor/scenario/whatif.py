"""What-ifs: ``--set table.id.column=value`` edits applied to a loaded scenario."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from corridor.scenario.errors import Issue, ScenarioError
from corridor.scenario.model import Scenario
from corridor.scenario.schema import TABLES

EDITABLE = ("nodes", "links", "carriers", "movements", "equipment", "disruptions")


def apply_sets(scenario: Scenario, sets: Sequence[str]) -> Scenario:
    """Return a copy of ``scenario`` with each ``table.id.column=value`` applied.

    Values are checked against the column spec (type and bounds); every bad
    ``--set`` is reported at once.
    """
    issues: list[Issue] = []
    tables: dict[str, pd.DataFrame] = {}
    for s in sets:
        target, eq, value = s.partition("=")
        parts = target.split(".")
        if not eq or len(parts) != 3:
            issues.append(Issue("--set", f"'{s}' is not table.id.column=value"))
            continue
        table, rid, col = (p.strip() for p in parts)
        if table not in EDITABLE:
            issues.append(Issue("--set", f"'{s}': table must be one of {', '.join(EDITABLE)}"))
            continue
        frame = tables.get(table)
        if frame is None:
            frame = getattr(scenario, table).copy()
        if rid not in frame.index:
            issues.append(Issue("--set", f"'{s}': no {table} row with id '{rid}'"))
            continue
        spec = TABLES[table]
        if col not in spec.names or col == "id":
            issues.append(Issue("--set", f"'{s}': '{col}' is not an editable column of "
                                f"{table}"))
            continue
        c = spec.column(col)
        v: object = value.strip()
        if c.type in ("float", "int"):
            try:
                num = float(str(v)) if str(v).lower() not in ("inf", "unlimited") else float("inf")
            except ValueError:
                issues.append(Issue("--set", f"'{s}': '{v}' is not a number", column=col))
                continue
            if (c.min is not None and num < c.min) or (c.max is not None and num > c.max) \
                    or num != num:
                issues.append(Issue("--set", f"'{s}': {v} is out of range", column=col))
                continue
            if c.type == "int" and num != float("inf") and num != int(num):
                issues.append(Issue("--set", f"'{s}': {v} is not a whole number", column=col))
                continue
            v = int(num) if c.type == "int" and frame[col].dtype.kind == "i" else num
        elif c.type == "bool":
            v = str(v).lower() in ("true", "yes", "1", "y")
        elif c.type == "enum" and v not in c.choices:
            issues.append(Issue("--set", f"'{s}': '{v}' is not one of {', '.join(c.choices)}",
                                column=col))
            continue
        elif c.type == "node" and v not in scenario.nodes.index:
            issues.append(Issue("--set", f"'{s}': unknown node '{v}'", column=col))
            continue
        frame.at[rid, col] = v
        tables[table] = frame
    if issues:
        raise ScenarioError(issues)
    return scenario.with_tables(**tables)
