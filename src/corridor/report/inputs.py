"""Reading result folders (``summary.json`` + Parquet) for the report.

A folder given to the report may be one result (plan, simulation, evacuation, or
any other ``corridor-result/1`` kind) or hold results in sub-folders
(``corridor run`` writes ``DIR/plan``, ``DIR/simulation``, ``DIR/evacuation``).
Every table beside a summary is optional: the report shows what is there.
Results of another scenario than the report's are kept apart (``Inputs.foreign``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.results.folder import FORMAT, RUN_FILE  # run.json: scenario source, command


class ReportError(Exception):
    """A result folder the report cannot read; the message names the file."""


@dataclass(frozen=True)
class Result:
    folder: Path
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # stem -> frame

    @property
    def kind(self) -> str:
        return str(self.summary.get("kind", "unknown"))

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    @property
    def label(self) -> str:
        return self.folder.name or str(self.folder)

    @property
    def scenario(self) -> str:
        """The scenario as the summary names it, for messages ("" when it does not)."""
        v = self.summary.get("scenario")
        return v if isinstance(v, str) else ""

    def source_key(self) -> str:
        """``scenario_source`` comparable across folders: an existing path resolved
        (absolute, or relative to the folder or the working directory), else the text."""
        src = self.summary.get("scenario_source")
        if not isinstance(src, str) or not src:
            return ""
        for p in (Path(src), self.folder / src):
            try:
                if p.exists():
                    return str(p.resolve())
            except OSError:
                continue
        return src


def same_scenario(a: Result, b: Result) -> bool:
    """Whether two results are of one scenario: name and source agree where both state
    them (a missing field is no evidence either way)."""
    pairs = ((a.scenario, b.scenario), (a.source_key(), b.source_key()))
    return all(x == y for x, y in pairs if x and y)


@dataclass(frozen=True)
class Inputs:
    results: tuple[Result, ...]
    runs: tuple[dict[str, Any], ...] = ()  # run.json of `corridor run` folders given

    @cached_property  # the results never change: worked out once, not per lookup
    def primary(self) -> Result | None:
        """The result whose scenario the report is of: the first plan, else the first
        simulation, else the first result."""
        for kind in ("plan", "simulation"):
            for r in self.results:
                if r.kind == kind:
                    return r
        return self.results[0] if self.results else None

    @cached_property
    def foreign(self) -> list[Result]:
        """Results of another scenario than the primary one: shown apart, never joined
        with its plan or simulation movement by movement."""
        p = self.primary
        return [r for r in self.results if p is not None and not same_scenario(r, p)]

    def of_kind(self, *kinds: str) -> list[Result]:
        """Results of these kinds and of the report's scenario."""
        foreign = {id(r) for r in self.foreign}
        return [r for r in self.results if r.kind in kinds and id(r) not in foreign]

    @property
    def plan(self) -> Result | None:
        found = self.of_kind("plan")
        return found[0] if found else None

    @property
    def simulation(self) -> Result | None:
        found = self.of_kind("simulation")
        return found[0] if found else None

    def mixed_warning(self) -> str:
        """'' when every result is of one scenario; otherwise what the report does about
        it, naming the folders and their scenarios."""
        foreign, p = self.foreign, self.primary
        if not foreign or p is None:
            return ""

        def named(r: Result) -> str:
            return f"{r.folder} (scenario '{r.scenario or r.summary.get('scenario_source')}')"

        return (f"the results are of different scenarios: {named(p)} and "
                f"{'; '.join(named(r) for r in foreign)}. The report is of the first; the "
                "others are shown apart under Other results, their movements not matched "
                "with it")

    @property
    def scenario_names(self) -> list[str]:
        foreign = {id(r) for r in self.foreign}
        sources = {r.summary.get("scenario_source") for r in self.foreign}
        # a `corridor run` folder of another scenario does not name this report's scenario
        names = [str(m["scenario_source"]) for m in self.runs
                 if isinstance(m.get("scenario_source"), str)
                 and m["scenario_source"] not in sources]
        for r in self.results:
            if id(r) in foreign:
                continue
            for key in ("scenario_source", "scenario"):
                v = r.summary.get(key)
                if isinstance(v, str) and v and v not in names:
                    names.append(v)
        return names


def _read_summary(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: cannot read ({e})") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(doc, dict):
        raise ReportError(f"{path}: expected a JSON object")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise ReportError(f"{path}: format is {fmt!r}, expected {FORMAT!r}")
    if not isinstance(doc.get("kind"), str):
        raise ReportError(f"{path}: field 'kind' is missing")
    return doc


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for p in sorted(folder.iterdir()):
        try:
            if p.suffix == ".parquet":
                tables[p.stem] = pd.read_parquet(p)
            elif p.suffix == ".csv" and p.stem not in tables:
                tables[p.stem] = pd.read_csv(p)
        except Exception as e:
            raise ReportError(f"{p}: cannot read table ({type(e).__name__}: {e})") from None
    return tables


def load_result(folder: Path) -> Result:
    folder = Path(folder)
    return Result(folder, _read_summary(folder / "summary.json"), _read_tables(folder))


def find_result_folders(folder: Path, depth: int = 2) -> list[Path]:
    """``folder`` itself when it holds a summary, then its sub-folders that do."""
    found: list[Path] = []
    if (folder / "summary.json").is_file():
        found.append(folder)
    if depth > 0:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if not sub.name.startswith(".") and not sub.name.endswith("_tables"):
                found.extend(find_result_folders(sub, depth - 1))
    return found


def load_inputs(folders: list[Path]) -> Inputs:
    results: list[Result] = []
    runs: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for f in folders:
        f = Path(f)
        if not f.is_dir():
            raise ReportError(f"{f}: no such result folder")
        run_file = f / RUN_FILE
        if run_file.is_file():
            try:
                meta = json.loads(run_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise ReportError(f"{run_file}: cannot read ({e})") from None
            if isinstance(meta, dict):
                runs.append(meta)
        found = find_result_folders(f)
        if not found:
            raise ReportError(f"{f}: no summary.json in it or its sub-folders; "
                              "is this a result folder (corridor plan/simulate/run --out)?")
        for r in found:
            if r.resolve() not in seen:
                seen.add(r.resolve())
                results.append(load_result(r))
    return Inputs(tuple(results), tuple(runs))
