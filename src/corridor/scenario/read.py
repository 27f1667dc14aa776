"""Reading raw text: UTF-8 checks, CSV records and safe YAML, all errors collected."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridor.scenario.errors import Issue, shown

BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """A table as text cells: one list of header names and rows of strings."""

    name: str
    file: str  # label used in messages
    header: list[str]
    rows: list[list[str]]
    inline: bool = False  # came from a YAML list of records
    # 1-based data row (CSV, blank lines counted as a spreadsheet shows them) or
    # record number (inline YAML) of each entry of ``rows``; None = 1, 2, 3, ...
    numbers: list[int] | None = None
    # inline tables: the first record that holds each field, for messages
    first_record: dict[str, int] = field(default_factory=dict)
    # rows whose field count differs from the header: reported once, cells not again
    ragged: set[int] = field(default_factory=set)

    def number(self, i: int) -> int:
        """The row (or record) number users see for ``rows[i]``."""
        return self.numbers[i] if self.numbers is not None else i + 1


def decode_text(data: bytes, label: str, issues: list[Issue]) -> str | None:
    """Decode UTF-8 (a leading BOM, as Excel writes, is dropped)."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        issues.append(
            Issue(
                label,
                f"text is not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
                "save the file as UTF-8",
                line=line,
            )
        )
        return None


def _fields(n: int) -> str:
    return f"{n} field{'s' if n != 1 else ''}"


def read_csv_text(
    name: str,
    label: str,
    text: str,
    known: tuple[str, ...],
    issues: list[Issue],
    *,
    required: Collection[str] = (),
    optional: bool = False,
) -> RawTable | None:
    """Split CSV text into header and rows; report empty, headerless and ragged files.

    ``required`` names the columns a row must have a cell for, so that a short row
    says which of them it lacks. An ``optional`` table whose file holds nothing
    (0 bytes, or blank lines only) is an empty table, as when the file is absent.
    """
    if "\x00" in text:
        issues.append(Issue(label, "file contains NUL bytes; it is not a CSV text file"))
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        issues.append(Issue(label, f"CSV cannot be parsed: {e}"))
        return None
    # Blank lines are not rows, but they keep their number so that "row N" is
    # the row a spreadsheet shows (minus the header).
    filled = [(k, r) for k, r in enumerate(records) if any(c.strip() for c in r)]
    if not filled:
        if optional:
            return RawTable(name, label, list(known), [])
        issues.append(Issue(label, f"file is empty; the {name} table is required and needs "
                            f"a header row ({', '.join(known)})"))
        return None
    head_at, head = filled[0]
    header = [h.strip() for h in head]
    if not any(h in known for h in header):
        issues.append(
            Issue(
                label,
                f"no header row: the first line ({','.join(head)[:80]}) names none of "
                f"the columns of {name} ({', '.join(known)})",
                row=0,
            )
        )
        return None
    # where each required column's cell sits (its first appearance, as the parser uses)
    need: dict[str, int] = {}
    for j, h in enumerate(header):
        if h in required:
            need.setdefault(h, j)
    last = next((h for h in reversed(header) if h), "")
    rows: list[list[str]] = []
    numbers: list[int] = []
    ragged: set[int] = set()
    for k, rec in filled[1:]:
        number = k - head_at
        if len(rec) > len(header):
            extra = [c.strip() for c in rec[len(header) :]]
            if any(extra):
                surplus = ", ".join(f"'{shown(c)}'" for c in extra if c)
                issues.append(Issue(
                    label,
                    f"has {_fields(len(rec))} but the header has {len(header)}: {surplus} "
                    f"after the last column '{last}'; a value that holds a comma needs "
                    'double quotes ("a, b")',
                    row=number,
                ))
                ragged.add(number)
            # trailing empty cells are harmless (spreadsheets write them)
            rec = rec[: len(header)]
        elif len(rec) < len(header):
            # a short row lacking only unnamed columns (a trailing header comma) is fine
            absent = [h for h in header[len(rec) :] if h]
            if absent:
                # name the required cells it lacks, as an empty required cell is named
                lacking = [h for h, j in need.items() if j >= len(rec)]
                why = f"has {_fields(len(rec))} but the header has {len(header)}"
                for h in lacking:
                    issues.append(Issue(label, f"required value is missing: the row {why}",
                                        row=number, column=h))
                if not lacking:
                    issues.append(Issue(label, f"{why}: no cell for {', '.join(absent)}; add "
                                        "the missing commas (an empty cell takes the default)",
                                        row=number))
                ragged.add(number)
            rec = rec + [""] * (len(header) - len(rec))
        rows.append([c.strip() for c in rec])
        numbers.append(number)
    return RawTable(name, label, header, rows, numbers=numbers, ragged=ragged)


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: scenario fields parse them themselves."""


# Timestamps stay strings so that `start_date` errors are ours, and unsafe tags
# (!!python/object...) are rejected by SafeLoader with a ConstructorError.
_SafeLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def read_yaml_text(text: str, label: str, issues: list[Issue]) -> Any:
    """Parse YAML safely; syntax errors and unsafe tags become issues with their line."""
    try:
        return yaml.load(text, Loader=_SafeLoader)  # a SafeLoader subclass
    except yaml.constructor.ConstructorError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        problem = e.problem or str(e)
        what = "unsafe or unknown YAML tag" if "tag" in problem else "YAML error"
        issues.append(Issue(label, f"{what}: {problem}", line=line))
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        issues.append(Issue(label, f"YAML syntax error: {e.problem or e}", line=line))
    except yaml.YAMLError as e:
        issues.append(Issue(label, f"YAML error: {e}"))
    except RecursionError:
        issues.append(Issue(label, "YAML is nested too deeply"))
    except Exception as e:  # e.g. an explicit !!timestamp / !!float tag on bad text
        issues.append(Issue(label, f"YAML value cannot be read: {type(e).__name__}: {e}"))
    return None


def _cell(value: Any) -> str:
    """Render an inline YAML value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{_cell(v)}" for k, v in value.items())
    return str(value)


def inline_table(name: str, label: str, records: Any, issues: list[Issue]) -> RawTable | None:
    """Turn a YAML list of records into a RawTable (header = union of keys, in order)."""
    if not isinstance(records, list):
        issues.append(
            Issue(label, f"inline table '{name}' must be a list of records", table=name)
        )
        return None
    header: list[str] = []
    first: dict[str, int] = {}
    good: list[dict[str, Any]] = []
    numbers: list[int] = []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            issues.append(
                Issue(label, "record is not a mapping of field: value", row=i, table=name)
            )
            continue  # skipped, so its fields are not reported again as missing
        for k in rec:
            if str(k) not in first:
                header.append(str(k))
                first[str(k)] = i
        good.append({str(k): v for k, v in rec.items()})
        numbers.append(i)
    rows = [[_cell(rec.get(h)).strip() for h in header] for rec in good]
    return RawTable(name, label, header, rows, inline=True, numbers=numbers, first_record=first)


def read_bytes(path: Path, label: str, issues: list[Issue]) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as e:
        issues.append(Issue(label, f"cannot be read: {e.strerror or e}"))
        return None
