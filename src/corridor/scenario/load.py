"""Load a scenario folder, a single YAML file or a built-in scenario by name.

Every problem is collected and raised together as a :class:`ScenarioError`;
nothing here lets a traceback reach the user for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from corridor.scenario import catalogs, library
from corridor.scenario.errors import Issue, ScenarioError, shown
from corridor.scenario.model import Inputs, Scenario
from corridor.scenario.parse import ROW, parse_date, parse_table
from corridor.scenario.read import (
    RawTable,
    decode_text,
    inline_table,
    read_bytes,
    read_csv_text,
    read_yaml_text,
)
from corridor.scenario.resolve import resolve
from corridor.scenario.schema import FORMAT, META_KEYS, TABLES

SCENARIO_FILE = "scenario.yaml"


def locate(source: str | Path) -> Path:
    """A path as given, else a built-in scenario of that name."""
    p = Path(source)
    if p.exists():
        return p
    builtin = library.path(str(source))
    if builtin is not None:
        return builtin
    raise ScenarioError(
        [
            Issue(
                str(source),
                "no such file or folder, and no built-in scenario of that name "
                f"(built-in: {', '.join(library.names())})",
            )
        ]
    )


def load_scenario(source: str | Path) -> Scenario:
    """Load and validate a scenario; raise :class:`ScenarioError` listing every problem."""
    path = locate(source).resolve()  # "." names its folder; results find it from anywhere
    issues: list[Issue] = []
    if path.is_dir():
        folder, yaml_path = path, path / SCENARIO_FILE
        if not yaml_path.exists():
            raise ScenarioError([Issue(str(path), f"folder has no {SCENARIO_FILE}")])
        csv_beside = True
    else:
        folder, yaml_path = path.parent, path
        csv_beside = path.name == SCENARIO_FILE
    label = yaml_path.name
    data = read_bytes(yaml_path, label, issues)
    text = decode_text(data, label, issues) if data is not None else None
    doc = read_yaml_text(text, label, issues) if text is not None else None
    if issues:
        raise ScenarioError(issues)
    if not isinstance(doc, dict):
        raise ScenarioError([Issue(label, "must be a YAML mapping of keys (format, name, ...)")])

    # unnamed scenarios take the folder's name (or the single file's)
    meta = _meta(doc, label, issues, folder.name if csv_beside else yaml_path.stem)
    overrides = doc.get("tables") or {}
    if not isinstance(overrides, dict):
        issues.append(Issue(label, "'tables' must map table names to file names",
                            column="tables"))
        overrides = {}
    for key, value in list(overrides.items()):
        if key not in TABLES:
            issues.append(Issue(label, f"'tables' names unknown table '{key}' (tables: "
                                f"{', '.join(TABLES)})", column=f"tables.{key}"))
        elif not isinstance(value, str) or not value.strip():
            issues.append(Issue(label, f"file name for '{key}' must be text, not '{value}'",
                                column=f"tables.{key}"))
            del overrides[key]

    raws: dict[str, RawTable] = {}
    unreadable: list[str] = []  # tables given (or required) that could not be read
    for name, spec in TABLES.items():
        raw: RawTable | None = None
        if name in doc:
            raw = inline_table(name, label, doc[name], issues)
            if raw is None:
                unreadable.append(name)
        elif csv_beside or name in overrides:
            fname = str(overrides.get(name, spec.file))
            fpath = folder / fname
            if fpath.exists() and not fpath.is_file():  # a folder, a device, a pipe
                if name in overrides:  # the user's name for it: say where it came from
                    issues.append(Issue(label, f"table file '{fname}' for '{name}' is not "
                                        "a regular file (a folder?)", column=f"tables.{name}"))
                else:
                    issues.append(Issue(fname, "is not a regular file"))
                unreadable.append(name)
            elif fpath.exists():
                b = read_bytes(fpath, fname, issues)
                t = decode_text(b, fname, issues) if b is not None else None
                if t is not None:
                    # an empty optional file is an empty table, like an absent one
                    raw = read_csv_text(name, fname, t, spec.names, issues,
                                        required=spec.required_columns,
                                        optional=not spec.required)
                if raw is None:
                    unreadable.append(name)
            elif name in overrides:
                issues.append(Issue(label, f"table file '{fname}' for '{name}' does not exist",
                                    column=f"tables.{name}"))
                unreadable.append(name)
            elif spec.required:
                issues.append(Issue(fname, f"required file is missing (or give an inline "
                                    f"'{name}:' list in {label})"))
                unreadable.append(name)
        elif spec.required:
            issues.append(Issue(label, f"required table '{name}' is missing (an inline "
                                f"'{name}:' list, or {spec.file} beside a scenario.yaml)",
                                column=name))
            unreadable.append(name)
        if raw is not None:
            raws[name] = raw
    for key in doc:
        if key not in META_KEYS and key not in TABLES and not str(key).startswith("x_"):
            issues.append(Issue(label, f"unknown key '{key}' (known: {', '.join(META_KEYS)}, "
                                f"or a table: {', '.join(TABLES)})", column=str(key)))

    frames: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        frames[name] = parse_table(raw, TABLES[name], issues)
    if unreadable:
        # cross-table checks against a table that could not be read would only add noise
        raise ScenarioError(_dedupe(issues))
    for name, spec in TABLES.items():
        if name not in frames:
            frames[name] = parse_table(
                RawTable(name, spec.file, list(spec.names), []), spec, []
            )
    files = {n: (r.file if not r.inline else f"{r.file}:{n}") for n, r in raws.items()}
    inputs = Inputs(frames, labels={n: r.file for n, r in raws.items()},
                    inline={n: r.inline for n, r in raws.items()}, yaml_label=label)
    return build(meta, inputs, source=path, files=files, issues=issues)


def build(meta: dict[str, Any], inputs: Inputs, *, source: Path | None,
          files: dict[str, str], issues: list[Issue] | None = None) -> Scenario:
    """Resolve parsed tables into a scenario that keeps them; raise on any issue.

    The one path from tables to a scenario, for files and ``--set`` edits alike.
    """
    issues = [] if issues is None else issues
    scenario = resolve(
        meta,
        dict(inputs.frames),
        catalogs.equipment(),
        catalogs.carrier_types(),
        catalogs.units(),
        issues,
        labels=inputs.labels,
        inline=inputs.inline,
        yaml_label=inputs.yaml_label,
        source=source,
        files=files,
    )
    if issues or scenario is None:
        raise ScenarioError(_dedupe(issues))
    return dataclasses.replace(scenario, inputs=inputs)


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: set[str] = set()
    out = []
    for i in issues:
        s = str(i)
        if s not in seen:
            seen.add(s)
            out.append(i)
    return out


def _meta(doc: dict[str, Any], label: str, issues: list[Issue],
          default_name: str) -> dict[str, Any]:
    """Check the top-level keys of scenario.yaml; return them with defaults."""
    meta: dict[str, Any] = {}
    fmt = doc.get("format")
    if fmt is None:
        issues.append(Issue(label, f"'format: {FORMAT}' is required", column="format"))
    elif fmt != FORMAT:
        issues.append(Issue(label, f"format '{fmt}' is not supported (expected {FORMAT})",
                            column="format"))
    meta["name"] = str(doc.get("name") or default_name)
    meta["description"] = str(doc.get("description") or "")
    sd = doc.get("start_date", "2025-01-01")
    start = parse_date(str(sd))
    if start is not None:
        meta["start_date"] = start
    else:
        issues.append(Issue(label, f"start_date '{sd}' is not a date (YYYY-MM-DD)",
                            column="start_date"))
        meta["start_date"] = dt.date(2025, 1, 1)
    meta["horizon_days"] = _number(doc, "horizon_days", 30.0, label, issues, positive=True)
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        issues.append(Issue(label, f"seed '{seed}' must be a whole number >= 0", column="seed"))
        seed = 0
    meta["seed"] = seed
    for key in ("planner", "simulation", "evacuation"):
        val = doc.get(key) or {}
        if not isinstance(val, dict):
            issues.append(Issue(label, f"'{key}' must be a mapping", column=key))
            val = {}
        meta[key] = dict(val)
    # the simulation block, checked as `corridor simulate` checks it (same messages)
    from corridor.sim.options import check_simulation

    issues.extend(check_simulation(meta["simulation"], label)[1])
    # and the evacuation block, as `corridor evacuate` checks it
    from corridor.evacuate.options import check_evacuation

    issues.extend(check_evacuation(meta["evacuation"], label))
    _check_planner(meta["planner"], label, issues)
    med = doc.get("medical")
    if med is not None and not isinstance(med, dict):
        issues.append(Issue(label, "'medical' must be a mapping", column="medical"))
        med = None
    meta["medical"] = med
    return meta


PLANNER_KEYS = ("step_h", "time_limit_s", "mip_gap")  # `corridor plan`'s engine options


def _check_planner(planner: dict[str, Any], label: str, issues: list[Issue]) -> None:
    """The ``planner:`` block (spec: "engine options live here"): a typo must not
    silently become a default, as in every table; a bad value falls back to the
    default after it is reported."""
    import difflib

    for key in list(planner):
        if str(key) in PLANNER_KEYS or str(key).startswith("x_"):
            continue
        near = difflib.get_close_matches(str(key), PLANNER_KEYS, n=1, cutoff=0.6)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        issues.append(Issue(label, f"unknown planner option '{key}' (known: "
                            f"{', '.join(PLANNER_KEYS)}{hint})", column=f"planner.{key}"))
    step = planner.get("step_h", 6)
    if not _finite(step) or not step > 0:
        issues.append(Issue(label, f"planner.step_h '{shown(step)}' must be a number > 0",
                            column="planner.step_h"))
        planner["step_h"] = 6.0
    limit = planner.get("time_limit_s")
    if limit is not None and (not _finite(limit) or not limit >= 1):
        issues.append(Issue(label, f"planner.time_limit_s '{shown(limit)}' must be a number "
                            "of seconds >= 1", column="planner.time_limit_s"))
        del planner["time_limit_s"]
    gap = planner.get("mip_gap")
    if gap is not None and (not _finite(gap) or not 0 <= gap <= 1):
        issues.append(Issue(label, f"planner.mip_gap '{shown(gap)}' must be a number in "
                            "[0, 1] (0.01 = 1 %)", column="planner.mip_gap"))
        del planner["mip_gap"]


def _number(doc: dict[str, Any], key: str, default: float, label: str,
            issues: list[Issue], positive: bool = False) -> float:
    v = doc.get(key, default)
    if not _finite(v) or (positive and v <= 0):
        issues.append(Issue(label, f"{key} '{shown(v)}' must be a {'positive ' if positive else ''}"
                            "number", column=key))
        return default
    return float(v)


def _finite(v: Any) -> bool:
    """A finite int or float (not a bool; YAML ints can be too large for a float)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


__all__ = ["ROW", "build", "load_scenario", "locate"]
