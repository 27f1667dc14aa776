"""Shared console helpers for the commands: one rich console, clean errors, exit codes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from corridor.scenario import Scenario, ScenarioError, load_scenario

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_INVALID = 2  # bad input: the user's to fix


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def report_issues(e: ScenarioError) -> NoReturn:
    err_console.print(f"[bold red]{len(e.issues)} problem(s)[/] in scenario:")
    for i in e.issues:
        err_console.print(f"  - {i}", soft_wrap=True, markup=False)
    raise typer.Exit(EXIT_INVALID)


def load_or_exit(source: str | Path, sets: Sequence[str] = ()) -> Scenario:
    """Load a scenario (path or built-in name), apply ``--set`` what-ifs, or exit 2."""
    from corridor.scenario.whatif import apply_sets

    try:
        scenario = load_scenario(source)
        if sets:
            scenario = apply_sets(scenario, sets)
        return scenario
    except ScenarioError as e:
        report_issues(e)


def command_line() -> str:
    """The command line that produced a result, for the report."""
    import shlex

    return " ".join(shlex.quote(a) for a in ["corridor", *sys.argv[1:]])
