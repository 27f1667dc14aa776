"""Typed conversion of raw text tables, driven by the column specs in ``schema``."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from corridor.scenario.errors import Issue, shown
from corridor.scenario.read import RawTable
from corridor.scenario.schema import Column, Table

ROW = "_row"  # 1-based data row (or record) of each parsed row, for later messages
TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f"}
UNLIMITED = {"inf", "infinity", "unlimited"}
# The format's one date form; date.fromisoformat (3.11) also takes 20250115 and 2025-W03-3.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Whole numbers beyond this lose precision as floats (and overflow int64 once multiplied).
MAX_COUNT = 2**53


def where(raw: RawTable, row: int | None, column: str | None, message: str) -> Issue:
    """An issue at ``row`` as users number it (0 = header, None = whole table)."""
    return Issue(
        raw.file, message, row=row, column=column, table=raw.name if raw.inline else None
    )


def at(raw: RawTable, i: int, column: str | None, message: str) -> Issue:
    """An issue at ``raw.rows[i]`` (0-based position)."""
    return where(raw, raw.number(i), column, message)


def header_issue(raw: RawTable, column: str, message: str) -> Issue:
    """An issue about a column itself: the header row of a CSV file, or (inline) the
    first record that holds the field."""
    if raw.inline:
        return where(raw, raw.first_record.get(column), column, message)
    return where(raw, 0, column, message)


def parse_items(text: str) -> dict[str, int] | str:
    """Parse ``type:count;type:count``; return an error message instead on bad text."""
    out: dict[str, int] = {}
    text = text.strip()
    if not text:
        return out
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, num = part.partition(":")
        key, num = key.strip(), num.strip()
        if not sep or not key:
            return f"'{part}' is not type:count"
        try:
            val = float(num)
        except ValueError:
            return f"count '{num}' of '{key}' is not a number"
        if not math.isfinite(val) or val < 0 or val != int(val):
            return f"count '{num}' of '{key}' must be a whole number >= 0"
        if val > MAX_COUNT or out.get(key, 0) + int(val) > MAX_COUNT:
            return f"count '{num}' of '{key}' is too large"
        out[key] = out.get(key, 0) + int(val)
    return out


def parse_date(text: str) -> dt.date | None:
    """The date ``YYYY-MM-DD`` names, or None for any other text (no week or ordinal
    dates, no basic form without dashes: the scenario format allows one way to write it)."""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:  # e.g. 2025-13-01
        return None


def parse_number(text: str) -> float | None:
    """The float a cell holds, or None. Python literal extras (``1_000``) are refused."""
    if "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(raw: RawTable, col: Column, cells: list[str], issues: list[Issue]) -> np.ndarray:
    """Convert a text column to float (int columns are checked to be whole).

    A cell that fails is reported and left NaN, so later steps see "not given"
    rather than a value that could crash them (inf in an int column). Plain
    Python per cell: tables are small and this is far quicker than pandas here.
    """
    default = col.default
    inf_ok = col.accepts_unlimited
    fill = (float(default) if isinstance(default, int | float) and not isinstance(default, bool)
            else math.nan)
    out = np.full(len(cells), math.nan)
    for i, text in enumerate(cells):
        problem = ""
        if text == "":
            if col.required:
                problem = "required value is missing"
            else:
                out[i] = fill
            if not problem:
                continue
        elif text.lower() in UNLIMITED:
            if inf_ok:
                out[i] = math.inf
                continue
            problem = "'{}' is not allowed here (no unlimited value for this column)"
        else:
            v = parse_number(text)
            if v is None:
                problem = "'{}' is not a number"
            elif math.isnan(v):
                problem = "NaN is not allowed; leave the cell empty for the default"
            elif v == -math.inf:
                problem = "'{}' is not allowed"
            elif (v == math.inf and not inf_ok) or (  # e.g. 1e999 overflows to inf
                col.type == "int" and math.isfinite(v) and abs(v) > MAX_COUNT
            ):
                problem = "'{}' is too large"
            elif col.type == "int" and math.isfinite(v) and v != round(v):
                problem = "'{}' is not a whole number"
            elif col.min_exclusive and col.below_min(v):
                hint = f" ({col.bound_hint})" if col.bound_hint else ""
                problem = "{} is not allowed: " + f"{col.name} must be {col.bounds}{hint}"
            elif col.min is not None and v < col.min:
                problem = "{} is below the minimum " + f"{col.min:g}"
            elif col.max is not None and v > col.max:
                problem = "{} is above the maximum " + f"{col.max:g}"
            else:
                out[i] = v
                continue
        issues.append(at(raw, i, col.name, problem.format(shown(text))))
    return out


def parse_table(raw: RawTable, spec: Table, issues: list[Issue]) -> pd.DataFrame:
    """Return a DataFrame with every spec column typed and defaulted plus ``_row``.

    Problems are appended to ``issues``; cells that fail keep NaN/empty so that
    later cross-table checks can still run and report everything at once.
    """
    n = len(raw.rows)
    known = set(spec.names)
    seen: set[str] = set()
    index: dict[str, int] = {}
    for j, h in enumerate(raw.header):
        if h == "":
            # a trailing comma on the header (some spreadsheets write one) is harmless
            if any(r[j] for r in raw.rows):
                issues.append(header_issue(raw, h, "column has values but no name"))
            continue
        if h in seen:
            issues.append(header_issue(raw, h, "column appears twice"))
            continue  # the first one is used
        seen.add(h)
        index[h] = j
        if h not in known and not h.startswith("x_"):
            hint = closest_hint(h, spec.names)
            issues.append(
                header_issue(
                    raw, h,
                    f"unknown column{hint}; known: {', '.join(spec.names)} (or x_* for notes)",
                )
            )
    data: dict[str, object] = {}
    # cells of a ragged row may be misaligned: the reader's issues for the row are enough
    cell_issues: list[Issue] = []
    for col in spec.columns:
        at_j = index.get(col.name)
        sink = cell_issues
        cells: list[str]
        if at_j is None:
            if col.required and not raw.inline:
                issues.append(where(raw, 0, col.name, "required column is missing"))
                sink = []  # one message for the column, not one per row
            # inline records simply lack the field: each one is reported below
            cells = [""] * n
        else:
            cells = [r[at_j] for r in raw.rows]
        data[col.name] = _convert(raw, col, cells, sink)
    issues.extend(i for i in cell_issues if i.row not in raw.ragged)
    for h, j in index.items():
        if h.startswith("x_") and h not in data:
            data[h] = [r[j] for r in raw.rows]
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    frame[ROW] = np.array([raw.number(i) for i in range(n)], dtype=np.int64)
    return frame


def _convert(raw: RawTable, col: Column, cells: list[str], issues: list[Issue]) -> object:
    if col.type in ("float", "int"):
        return _numeric(raw, col, cells, issues)
    if col.type == "bool":
        out = []
        for i, c in enumerate(cells):
            v = c.lower()
            if v == "":
                out.append(bool(col.default) if col.default is not None else False)
            elif v in TRUE:
                out.append(True)
            elif v in FALSE:
                out.append(False)
            else:
                issues.append(at(raw, i, col.name, f"'{shown(c)}' is not true/false"))
                out.append(bool(col.default))
        return out
    if col.type == "items":
        parsed: list[dict[str, int] | None] = []
        for i, c in enumerate(cells):
            if c == "":
                parsed.append(None)  # None = take from template / default
                continue
            r = parse_items(c)
            if isinstance(r, str):
                issues.append(at(raw, i, col.name, f"equipment list does not parse: {r}"))
                parsed.append({})
            else:
                parsed.append(r)
        return parsed
    if col.type == "nodes":
        return [tuple(p.strip() for p in c.split(";") if p.strip()) for c in cells]
    # text-like: id, str, node, enum
    if col.required:
        for i, c in enumerate(cells):
            if c == "":
                issues.append(at(raw, i, col.name, "required value is missing"))
    if col.type == "enum":
        for i, c in enumerate(cells):
            if c and c not in col.choices:
                hint = closest_hint(c, col.choices)
                issues.append(
                    at(raw, i, col.name,
                       f"'{shown(c)}' is not one of {', '.join(col.choices)}{hint}")
                )
    if col.default is not None and not col.required:
        return [c if c != "" else str(col.default) for c in cells]
    return list(cells)


def closest_hint(word: str, options: tuple[str, ...]) -> str:
    """The hint " (did you mean 'x'?)" for the option nearest ``word``; "" if none is."""
    import difflib

    m = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return f" (did you mean '{m[0]}'?)" if m else ""
