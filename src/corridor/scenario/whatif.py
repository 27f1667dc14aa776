"""What-ifs: ``--set table.id.column=value`` edits applied to a loaded scenario."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from corridor.scenario.errors import Issue, ScenarioError
from corridor.scenario.model import Scenario
from corridor.scenario.parse import FALSE, MAX_COUNT, TRUE, UNLIMITED, parse_items
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
        # ids may hold dots: the table is before the first one, the column after the last
        table, _, rest = target.partition(".")
        rid, dot, col = rest.rpartition(".")
        if not eq or not dot or not rid:
            issues.append(Issue("--set", f"'{s}' is not table.id.column=value"))
            continue
        table, rid, col = table.strip(), rid.strip(), col.strip()
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
            text = str(v).lower()
            try:
                num = math.inf if text in UNLIMITED else float(text)
            except ValueError:
                issues.append(Issue("--set", f"'{s}': '{v}' is not a number", column=col))
                continue
            if math.isinf(num) and c.default != math.inf:
                issues.append(Issue("--set", f"'{s}': {col} cannot be unlimited", column=col))
                continue
            if (c.min is not None and num < c.min) or (c.max is not None and num > c.max) \
                    or num != num:
                issues.append(Issue("--set", f"'{s}': {v} is out of range", column=col))
                continue
            if c.type == "int" and math.isfinite(num) and (num != int(num) or abs(num) > MAX_COUNT):
                issues.append(Issue("--set", f"'{s}': {v} is not a whole number", column=col))
                continue
            v = int(num) if c.type == "int" and frame[col].dtype.kind == "i" else num
        elif c.type == "bool":
            text = str(v).lower()
            if text not in TRUE | FALSE:
                issues.append(Issue("--set", f"'{s}': '{v}' is not true/false", column=col))
                continue
            v = text in TRUE
        elif c.type == "enum" and v not in c.choices:
            issues.append(Issue("--set", f"'{s}': '{v}' is not one of {', '.join(c.choices)}",
                                column=col))
            continue
        elif c.type == "node" and v not in scenario.nodes.index:
            issues.append(Issue("--set", f"'{s}': unknown node '{v}'", column=col))
            continue
        elif c.type == "nodes":
            ids = tuple(x.strip() for x in str(v).split(";") if x.strip())
            unknown = [x for x in ids if x not in scenario.nodes.index]
            if unknown:
                issues.append(Issue("--set", f"'{s}': unknown node '{unknown[0]}'", column=col))
                continue
            v = ids
        elif c.type == "items":
            items = parse_items(str(v))
            if isinstance(items, str):
                issues.append(Issue("--set", f"'{s}': {items}", column=col))
                continue
            unknown = [t for t in items if t not in scenario.equipment.index]
            if unknown:
                issues.append(Issue("--set", f"'{s}': unknown equipment type '{unknown[0]}'",
                                    column=col))
                continue
            v = items
        frame.at[rid, col] = v  # type: ignore[assignment]  # dicts/tuples in object columns
        tables[table] = frame
    if issues:
        raise ScenarioError(issues)
    if "movements" in tables or "equipment" in tables:
        # keep the derived load figures in step with the edits
        tables["movements"] = _movement_loads(
            tables.get("movements", scenario.movements),
            tables.get("equipment", scenario.equipment),
        )
    return scenario.with_tables(**tables)


def _movement_loads(m: pd.DataFrame, equipment: pd.DataFrame) -> pd.DataFrame:
    """Recompute ``mass_t`` and ``footprint_m2`` from equipment and supplies."""
    mass_t = equipment["mass_t"].astype(float).to_dict()
    area_m2 = equipment["footprint_m2"].astype(float).to_dict()
    mass = [
        float(s) + sum(mass_t[t] * n for t, n in e.items())
        for e, s in zip(m["equipment"], m["supplies_t"], strict=True)
    ]
    area = [sum(area_m2[t] * n for t, n in e.items()) for e in m["equipment"]]
    return m.assign(mass_t=mass, footprint_m2=area)
