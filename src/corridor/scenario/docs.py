"""Generate ``docs/scenario-format.md`` from the schemas and the built-in catalogs.

Every column is described once, in :mod:`corridor.scenario.schema`; this page is
rendered from there so it cannot drift (a test compares it with the committed
file). Regenerate with::

    python -m corridor.scenario.docs > docs/scenario-format.md
"""

from __future__ import annotations

import math
import sys

import pandas as pd

from corridor.scenario import catalogs
from corridor.scenario.resolve import MEDICAL_KEYS
from corridor.scenario.schema import (
    CARRIER_TYPES,
    CIRCUITY,
    FORMAT,
    META_KEYS,
    MODE_SPEED_KMH,
    TABLES,
    Column,
    Table,
)

REGENERATE = "python -m corridor.scenario.docs > docs/scenario-format.md"
EXTENSION_MARK = "ext"

# The top-level keys of scenario.yaml (schema.META_KEYS; a test checks both agree).
META_DOC: dict[str, str] = {
    "format": f"required: `{FORMAT}`",
    "name": "display name (default: the file or folder name)",
    "description": "free text",
    "start_date": "C-day, day 0 of the scenario, `YYYY-MM-DD` (default 2025-01-01)",
    "horizon_days": "nothing is planned or simulated past this (default 30)",
    "seed": "default seed for simulation, a whole number >= 0 (default 0)",
    "planner": "planner options: `step_h` (time resolution in hours, > 0; default 6), "
               "`time_limit_s` (seconds, >= 1; default none) and `mip_gap` (relative gap "
               "to stop at, in [0, 1]; default 0.01), which `corridor plan`'s "
               "`--time-limit` and `--gap` override; e.g. `{step_h: 6}`. Any other key "
               "is an error (`x_` keys are yours)",
    "simulation": "simulator options (a mapping, read by the simulator)",
    "medical": "casualty generation and the evacuation chain, see below",
    "evacuation": "civil evacuation options (a mapping, read by the evacuation engine)",
    "tables": "file names that replace the defaults, e.g. `{nodes: places.csv}`",
}


def _num(v: float) -> str:
    return f"{v:g}"


def _type(col: Column) -> str:
    """Type with bounds, as a reader needs it."""
    base = {
        "id": "id",
        "str": "text",
        "float": "number",
        "int": "whole number",
        "bool": "true/false",
        "enum": "one of the values listed",
        "node": "node id",
        "nodes": "node ids, `;`-separated",
        "items": "`type:count;type:count`",
    }[col.type]
    return f"{base} {col.bounds}" if col.bounds else base


def _default(col: Column) -> str:
    if col.required:
        return "**required**"
    if col.default_doc:
        return col.default_doc
    d = col.default
    if d is None:
        return "empty"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, int | float):
        return "unlimited" if math.isinf(d) else _num(d)
    return f"`{d}`" if d else '"" (empty)'


def _meaning(col: Column) -> str:
    text = col.description
    if col.choices:
        text += ": " + " ".join(f"`{c}`" for c in col.choices)
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _columns(table: Table) -> list[str]:
    lines = [
        "| column | type | unit | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for col in table.columns:
        name = f"`{col.name}`"
        if col.name in table.extension:
            name += f" ({EXTENSION_MARK})"
        row = [name, _type(col), col.unit, _default(col), _meaning(col)]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return lines


def _table_section(table: Table) -> list[str]:
    need = "required" if table.required else "optional"
    return [
        f"### {table.name} — `{table.file}` ({need})",
        "",
        table.description,
        "",
        *_columns(table),
        "",
    ]


def _catalog_list(frame: pd.DataFrame, detail: list[tuple[str, str]]) -> list[str]:
    """One line per catalog row: id, name and a few figures."""
    lines = []
    for cid, r in frame.iterrows():
        bits = []
        for col, unit in detail:
            v = r[col]
            if isinstance(v, float):
                if math.isinf(v) or math.isnan(v) or v == 0:  # the defaults say nothing
                    continue
                v = _num(v)
            bits.append(f"{col} {v}{unit}")
        extra = f" ({', '.join(bits)})" if bits else ""
        lines.append(f"- `{cid}` — {_cell(str(r['name']))}{extra}")
    return lines


def render_format_doc() -> str:
    """The whole reference page as Markdown."""
    out: list[str] = [
        f"# Scenario format reference (`{FORMAT}`)",
        "",
        "<!-- Generated from src/corridor/scenario/schema.py and the built-in catalogs; "
        f"do not edit by hand. Regenerate with: {REGENERATE} -->",
        "",
        "A scenario is a folder: `scenario.yaml` plus one CSV file per table beside it "
        "(UTF-8, a header row, comma-separated; a UTF-8 byte-order mark as Excel writes it "
        "is accepted). A single YAML file may instead hold the same keys and every table "
        "inline, as a list of records under the table's name (`nodes:`, `links:`, ...).",
        "",
        "## Conventions",
        "",
        "- Units: mass in tonnes (`t`), distance in `km`, speed in `km/h`, durations in "
        "hours (`h`), calendar times in days since `start_date` (`day`, day 0 = "
        "`start_date` 00:00 UTC), deck area in `m2`.",
        "- An empty cell takes the column's default. Where the default is *unlimited*, "
        "`inf`, `infinity` or `unlimited` may also be written. `NaN` is never accepted.",
        "- Booleans: `true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`, `1`/`0`.",
        "- Every data row has one cell per header column; a value that holds a comma is "
        'quoted (`"a, b"`). A row with too few cells is reported by the required columns it '
        "lacks, one with too many by its surplus cells.",
        "- An optional table's file may be left out, left empty (0 bytes) or hold only the "
        "header row: the table then has no rows. A required table's file needs a header row.",
        "- Unknown columns are an error (a typo must not silently become a default), except "
        "columns starting with `x_`, which are notes carried through untouched.",
        "- Every problem is reported at once, naming the file, the data row (1-based; the "
        "header is row 0) and the column; for inline YAML tables, the table, the record "
        "(1-based) and the field. `corridor validate` exits 0 on a clean scenario and 2 "
        "otherwise.",
        f"- Columns marked ({EXTENSION_MARK}) extend the `{FORMAT}` contract; files "
        "without them stay valid.",
        "",
        "## scenario.yaml",
        "",
        "| key | meaning |",
        "|---|---|",
        *(f"| `{k}` | {_cell(META_DOC[k])} |" for k in META_KEYS),
        "",
        "Keys starting with `x_` are notes. Any other key is an error, except the table "
        "names when the tables are inline.",
        "",
        f"`medical` keys: {', '.join(f'`{k}`' for k in sorted(MEDICAL_KEYS))}. "
        "`casualties` is a list of `{at, start_day, end_day, wia_per_1000_per_day, "
        "kia_per_1000_per_day, distribution}` (distribution one of `exponential`, "
        "`lognormal`, `poisson`, `constant`; `start_day` before the horizon); "
        "`precedence` maps `urgent`, `priority`, `routine` to shares that must sum to 1 "
        "(one left out is 0); `limits_h` maps the same names to hours; "
        "`length_of_stay_days` maps `role1` … `role4` to days; `died_of_wounds` is "
        "`{model: logistic, midpoint_h, scale_h, max_rate}` with `max_rate` from 0 to 1. "
        "Any other key in the block, its maps or a casualty entry is an error (keys "
        "starting with `x_` are notes). Casualties come only from troops that movements "
        "deliver to `at` (docs/simulator.md). A carrier's `capacity_litters` is 0 or at "
        "least 1 (a patient takes a whole litter).",
        "",
        "## Tables",
        "",
    ]
    for table in TABLES.values():
        out += _table_section(table)
    keyed = [t for t in TABLES.values() if "id" in t.names]
    unkeyed = [t for t in TABLES.values() if "id" not in t.names]
    out += [
        "## What-ifs (`--set`)",
        "",
        "`--set table.id.column=value` (repeatable; `plan`, `simulate`, `run`, `evacuate`) "
        "edits one cell of a table keyed by `id`: "
        f"{', '.join(f'`{t.name}`' for t in keyed)}. "
        + "".join(f"`{t.file}` has no `id` column, so edit it in the file. " for t in unkeyed)
        + "The value is checked as the same cell in the file would be (type, bounds, "
        "unlimited, references), and the scenario is resolved again, so cross-field checks "
        "and derived values (template loads, link lengths) follow the edit. Editing a "
        "built-in equipment type or unit template makes it the scenario's own row.",
        "",
        "## Derived defaults",
        "",
        "| mode | circuity (link length = great-circle x circuity) | speed when none is "
        "given (km/h) |",
        "|---|---|---|",
        *(f"| `{m}` | {_num(CIRCUITY[m])} | {_num(MODE_SPEED_KMH[m])} |" for m in CIRCUITY),
        "",
        "## Built-in catalogs",
        "",
        "Scenario rows in `equipment.csv` and `units.csv` extend or override these by id; "
        "`carriers.csv` names a carrier type in its `type` column.",
        "",
        f"### Carrier types — `{CARRIER_TYPES.file}` ({EXTENSION_MARK})",
        "",
        CARRIER_TYPES.description,
        "",
        *_columns(CARRIER_TYPES),
        "",
        *_catalog_list(catalogs.carrier_types(), [("mode", ""), ("capacity_t", " t"),
                                                  ("capacity_pax", " pax"),
                                                  ("capacity_litters", " litters")]),
        "",
        f"### Equipment — `{TABLES['equipment'].file}`",
        "",
        *_catalog_list(catalogs.equipment(), [("category", ""), ("mass_t", " t"),
                                              ("mlc", "")]),
        "",
        f"### Unit templates — `{TABLES['units'].file}`",
        "",
        *_catalog_list(catalogs.units(), [("pax", "")]),
        "",
    ]
    return "\n".join(out)


def main() -> None:
    sys.stdout.buffer.write(render_format_doc().encode("utf-8"))


if __name__ == "__main__":
    main()
