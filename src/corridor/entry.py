"""The ``corridor`` command's entry point. It imports the CLI (typer, rich: a few tenths
of a second) inside the Ctrl-C guard, so an interrupt that early ends the command like
one later does — "interrupted", exit status 130 — instead of with a traceback."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from corridor.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    cli_main()
