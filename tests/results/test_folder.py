"""Result folders are replaced as a whole (results/folder.py): nothing of an earlier
result stays, a failure midway leaves the earlier result untouched, and a folder that is
not a Corridor result is never emptied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.evacuate.result import EvacuationResult
from corridor.plan.result import PlanResult
from corridor.results import FORMAT, ResultFolderError, replace_folder
from corridor.sim.api import SimResult


def _summary(kind: str, **extra: Any) -> dict[str, Any]:
    return {"format": FORMAT, "kind": kind, "scenario": "t", **extra}


def _frame(n: int = 2) -> pd.DataFrame:
    return pd.DataFrame({"a": range(n)})


def _sim(*tables: str) -> SimResult:
    return SimResult(_summary("simulation", complete=True), {t: _frame() for t in tables})


def _plan() -> PlanResult:
    return PlanResult(_summary("plan", status="optimal"), _frame(), _frame())


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _no_leftovers(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_rewriting_a_simulation_drops_tables_of_the_earlier_one(tmp_path: Path) -> None:
    out = tmp_path / "atom2"
    _sim("runs", "medical").write(out)
    _sim("runs").write(out)
    assert _files(out) == {"runs.parquet", "summary.json"}
    _no_leftovers(tmp_path)


@pytest.mark.parametrize("result", [
    _plan(),
    EvacuationResult(_summary("evacuation"), _frame(), _frame()),
], ids=["plan", "evacuation"])
def test_a_result_written_over_a_simulation_keeps_nothing_of_it(
        tmp_path: Path, result: PlanResult | EvacuationResult) -> None:
    out = tmp_path / "r"
    _sim("runs", "medical", "losses").write(out)
    (out / "report.html").write_text("of the simulation", "utf-8")  # stale with it
    result.write(out)
    assert not _files(out) & {"runs.parquet", "medical.parquet", "losses.parquet",
                              "report.html"}
    assert json.loads((out / "summary.json").read_text("utf-8"))["kind"] == result.summary[
        "kind"]
    _no_leftovers(tmp_path)


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_a_failure_midway_leaves_the_earlier_result_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    out = tmp_path / "sim"
    _sim("runs", "medical").write(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import corridor.sim.api as api

    written: list[Path] = []

    def failing(path: Path, frame: pd.DataFrame) -> None:
        if written:
            raise error
        written.append(path)
        path.write_bytes(b"new")

    monkeypatch.setattr(api, "write_parquet", failing)
    with pytest.raises(type(error)):
        _sim("runs", "losses").write(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _no_leftovers(tmp_path)


def test_a_folder_that_is_not_a_result_is_refused_and_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("keep me", "utf-8")
    for write in (_sim("runs").write, _plan().write):
        with pytest.raises(ResultFolderError, match=r"thesis.*not empty.*--out"):
            write(mine)
    assert _files(mine) == {"chapter1.tex"}
    _no_leftovers(tmp_path)
    # A summary.json that is not Corridor's does not make it a result folder either.
    (mine / "summary.json").write_text('{"title": "my summary"}', "utf-8")
    with pytest.raises(ResultFolderError):
        _plan().write(mine)
    assert _files(mine) == {"chapter1.tex", "summary.json"}


def test_absent_empty_and_file_targets(tmp_path: Path) -> None:
    _plan().write(tmp_path / "new" / "deep")
    assert (tmp_path / "new" / "deep" / "summary.json").is_file()
    (tmp_path / "empty").mkdir()
    _plan().write(tmp_path / "empty")
    assert (tmp_path / "empty" / "summary.json").is_file()
    (tmp_path / "afile").write_text("x", "utf-8")
    with pytest.raises(ResultFolderError, match="afile exists and is not a folder"):
        _plan().write(tmp_path / "afile")


def test_a_folder_filled_during_the_write_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "late"
    with pytest.raises(ResultFolderError), replace_folder(out) as stage:
        (stage / "summary.json").write_text("{}", "utf-8")
        out.mkdir()
        (out / "notes.txt").write_text("someone else's", "utf-8")
    assert _files(out) == {"notes.txt"}
    _no_leftovers(tmp_path)


def test_the_cli_refuses_with_exit_2_and_no_traceback(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal comes from the writer, after the engine; the CLI says what to do."""
    import corridor.sim.api as api

    monkeypatch.setattr(api, "simulate", lambda *a, **k: _sim("runs"))
    mine = tmp_path / "docs"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", "utf-8")
    scenario = Path(__file__).parents[1] / "report" / "transatlantic.yaml"
    res = CliRunner().invoke(app, ["simulate", str(scenario), "--out", str(mine), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "docs" in res.output and "--out" in res.output and "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert _files(mine) == {"notes.txt"}
