"""Validation problems that name the file, the data row and the column."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 60  # characters of a user's value quoted in a message


def shown(value: object) -> str:
    """A user's value as quoted in a message, cut short when it is long."""
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


@dataclass(frozen=True)
class Issue:
    """One problem in a scenario.

    ``row`` is the 1-based data row of a CSV file (the header is row 0) or the
    1-based record number of an inline YAML table; ``None`` when the problem is
    not tied to a row (a missing column, a YAML key).
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    table: str | None = None  # set for inline YAML tables
    line: int | None = None  # text line, for syntax errors

    def __str__(self) -> str:
        where = [self.file]
        if self.table is not None:
            where.append(f"table '{self.table}'")
            if self.row is not None:
                where.append(f"record {self.row}")
        elif self.row is not None:
            where.append(f"row {self.row}" if self.row > 0 else "header")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in scenario:"
        return "\n".join([head, *(f"  - {i}" for i in self.issues)])
