"""The ``corridor`` command. Each stage owns its commands in ``<package>/commands.py``;
this module only wires them together, so ``corridor --help`` stays fast (heavy
libraries are imported inside the commands)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import typer

from corridor.console import console, err_console, fail, load_or_exit
from corridor.results.folder import ResultFolderError

app = typer.Typer(
    name="corridor",
    help="Plan and stress-test the movement of forces, supplies, aid and casualties.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="scenario folder, YAML file or built-in name")],
) -> None:
    """Check a scenario; list every problem (file, row, column) and exit 2 if any."""
    s = load_or_exit(scenario)
    info = s.summary()
    console.print(
        f"[green]ok[/] {info['name']}: {info['nodes']} nodes, {info['links']} links, "
        f"{info['fleets']} fleets ({info['carriers']} carriers), {info['movements']} movements, "
        f"{info['pax']:,} pax, {info['cargo_t']:,.0f} t"
    )


@app.command("scenarios")
def list_scenarios() -> None:
    """List the built-in scenarios."""
    from corridor.scenario import library

    for name in library.names():
        console.print(name)


def _register() -> None:
    """Attach the commands each stage defines (missing stages are skipped)."""
    import importlib

    for module in (
        "corridor.network.commands",
        "corridor.plan.commands",
        "corridor.sim.commands",
        "corridor.evacuate.commands",
        "corridor.report.commands",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        for name, fn in getattr(mod, "COMMANDS", {}).items():
            app.command(name)(_clean_exits(fn))


def _clean_exits(fn: Callable[..., Any]) -> Callable[..., Any]:
    """An output folder a writer refuses to replace is the user's to fix (exit 2, one
    line), whichever command's writer finds it. Ctrl-C a command does not handle itself
    ends it with one line and exit 130 (typer would exit 130 silently)."""

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ResultFolderError as e:
            fail(str(e))
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None

    return command


_register()


def main() -> None:
    """Entry point: internal failures print one line (CORRIDOR_DEBUG=1 shows the traceback)."""
    import os

    try:
        app()
    except KeyboardInterrupt:
        from corridor.console import err_console

        err_console.print("[yellow]interrupted[/]")
        raise SystemExit(130) from None
    except Exception as e:  # the last line of defence for users
        if os.environ.get("CORRIDOR_DEBUG"):
            raise
        from corridor.console import err_console

        err_console.print(
            f"[bold red]internal error:[/] {type(e).__name__}: {e}\n"
            "This is a bug in Corridor; rerun with CORRIDOR_DEBUG=1 for the traceback.",
            markup=True,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
