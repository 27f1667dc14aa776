"""A small valid scenario written to tmp_path, and helpers to break it one cell at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.scenario import Issue, Scenario, ScenarioError, load_scenario

SCENARIO_YAML = """\
format: corridor/1
name: Test corridor
description: a tiny valid scenario for loader tests
start_date: 2025-01-15
horizon_days: 30
seed: 7
planner: {step_h: 6}
medical:
  casualties:
    - {at: front, start_day: 5, end_day: 20, wia_per_1000_per_day: 6.86,
       kia_per_1000_per_day: 1.63, distribution: exponential}
  precedence: {urgent: 0.2, priority: 0.3, routine: 0.5}
  limits_h: {urgent: 1, priority: 4, routine: 24}
"""

# Every table as rows of text cells (header first), so tests can point at a cell.
TABLES: dict[str, list[list[str]]] = {
    "nodes.csv": [
        ["id", "name", "kind", "lat", "lon", "country", "rail_gauge_mm", "transship_t_per_day",
         "beds", "role"],
        ["bremerhaven", "Bremerhaven", "port", "53.54", "8.58", "DE", "1435", "", "", ""],
        ["hub", "Poznan hub", "rail_terminal", "52.41", "16.93", "PL", "1435", "5000", "", ""],
        ["depot", "Depot", "depot", "52.20", "21.00", "PL", "1435", "", "", ""],
        ["front", "Front", "front", "54.90", "23.90", "LT", "1520", "", "", ""],
        ["hospital", "Field hospital", "hospital", "54.60", "23.00", "LT", "1520", "", "50",
         "2"],
    ],
    "links.csv": [
        ["id", "from", "to", "mode", "distance_km", "capacity_per_day", "max_mlc",
         "bidirectional"],
        ["r1", "bremerhaven", "hub", "rail", "", "10", "", "true"],
        ["h1", "bremerhaven", "hub", "road", "", "", "80", ""],
        ["h2", "hub", "depot", "road", "300", "inf", "", "yes"],
        ["h3", "depot", "front", "road", "", "", "", "false"],
        ["h4", "front", "hospital", "road", "", "", "", ""],
    ],
    "carriers.csv": [
        ["id", "type", "mode", "count", "home", "capacity_t", "capacity_m2", "speed_kmh"],
        ["het", "het_mammut", "", "20", "bremerhaven", "", "", ""],
        ["trucks", "", "road", "50", "hub", "15", "30", "70"],
        ["trains", "mil_train", "", "4", "bremerhaven", "", "", ""],
        ["amb", "ambulance", "", "6", "hospital", "", "", ""],
    ],
    "movements.csv": [
        ["id", "unit", "count", "origin", "destination", "via", "ready_day", "due_day",
         "priority", "pax", "equipment", "supplies_t", "kind"],
        ["m1", "efp_bg", "1", "bremerhaven", "front", "hub", "0", "10", "1", "", "", "",
         "force"],
        ["m2", "recon", "2", "bremerhaven", "depot", "", "1", "12", "", "", "", "", ""],
        ["m3", "", "", "hub", "front", "depot", "2", "15", "2", "40",
         "leopard2a6:4;dingo_x:2", "10", "force"],
    ],
    "supply.csv": [
        ["node", "class", "t_per_day", "start_day", "end_day", "source"],
        ["front", "III", "120", "10", "", "depot"],
        ["front", "V", "80", "10", "25", ""],
    ],
    "disruptions.csv": [
        ["id", "target", "start_day", "end_day", "rate_per_day", "mean_duration_days",
         "capacity_factor", "loss_prob"],
        ["d1", "r1", "5", "7", "", "", "", ""],
        ["d2", "mode:sea", "", "", "", "", "", "0.05"],
        ["d3", "country:PL", "", "", "0.1", "1.5", "0.5", ""],
        ["d4", "hub", "", "", "", "", "", ""],
    ],
    "units.csv": [
        ["id", "name", "pax", "equipment", "supplies_t"],
        ["recon", "Recon company", "120", "dingo_x:10;hx2_truck:4", "5"],
    ],
    "equipment.csv": [
        ["id", "name", "category", "mass_t", "footprint_m2", "mlc", "seats",
         "road_march_km_per_day", "x_note"],
        ["dingo_x", "Dingo X", "utility_vehicle", "12.5", "17", "16", "8", "400",
         "test vehicle"],
    ],
}

INLINE_YAML_EXTRA = """\
nodes:
  - {id: a, kind: port, lat: 54.0, lon: 10.0, country: DE}
  - {id: b, kind: front, lat: 54.5, lon: 20.0, country: PL}
links:
  - {id: ab, from: a, to: b, mode: road}
carriers:
  - {id: het, type: het_mammut, count: 5, home: a}
movements:
  - {id: m1, unit: efp_bg, origin: a, destination: b, due_day: 10}
"""


def to_csv(rows: list[list[str]], newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    return buf.getvalue()


class ScenarioFolder:
    """A scenario folder on disk with edit-and-load helpers for tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tables = {f: [list(r) for r in rows] for f, rows in TABLES.items()}
        root.mkdir(parents=True, exist_ok=True)
        (root / "scenario.yaml").write_text(SCENARIO_YAML, encoding="utf-8")
        for f in self.tables:
            self.save(f)

    def save(self, file: str) -> None:
        (self.root / file).write_text(to_csv(self.tables[file]), encoding="utf-8")

    def set(self, file: str, row: int, column: str, value: str) -> None:
        """Set the cell at 1-based data ``row`` / ``column`` (added if missing) and save."""
        rows = self.tables[file]
        if column not in rows[0]:
            rows[0].append(column)
            for r in rows[1:]:
                r.append("")
        rows[row][rows[0].index(column)] = value
        self.save(file)

    def rename_column(self, file: str, old: str, new: str) -> None:
        rows = self.tables[file]
        rows[0][rows[0].index(old)] = new
        self.save(file)

    def drop_column(self, file: str, column: str) -> None:
        rows = self.tables[file]
        j = rows[0].index(column)
        self.tables[file] = [r[:j] + r[j + 1 :] for r in rows]
        self.save(file)

    def add_row(self, file: str, **cells: str) -> int:
        """Append a row (unnamed cells empty); return its 1-based data row."""
        rows = self.tables[file]
        for c in cells:
            if c not in rows[0]:
                self.set(file, 1, c, "")
        rows.append([cells.get(h, "") for h in rows[0]])
        self.save(file)
        return len(rows) - 1

    def write(self, file: str, content: str | bytes) -> None:
        p = self.root / file
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")

    def yaml(self) -> dict[str, Any]:
        return dict(yaml.safe_load((self.root / "scenario.yaml").read_text(encoding="utf-8")))

    def set_yaml(self, **changes: Any) -> None:
        """Change top-level keys of scenario.yaml (a value of ``...`` removes the key)."""
        doc = self.yaml()
        for k, v in changes.items():
            if v is ...:
                doc.pop(k, None)
            else:
                doc[k] = v
        (self.root / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False),
                                                 encoding="utf-8")

    def load(self) -> Scenario:
        return load_scenario(self.root)

    def issues(self) -> list[Issue]:
        """Load expecting failure; return the structured issues."""
        with pytest.raises(ScenarioError) as info:
            load_scenario(self.root)
        return info.value.issues

    def issue(self) -> Issue:
        """Load expecting exactly one issue and return it."""
        found = self.issues()
        assert len(found) == 1, "expected one issue, got:\n" + "\n".join(map(str, found))
        return found[0]


@pytest.fixture
def folder(tmp_path: Path) -> ScenarioFolder:
    """A fresh valid scenario folder."""
    return ScenarioFolder(tmp_path / "scn")


@pytest.fixture
def inline_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write a single-file YAML scenario (header + ``body``) and return its path."""

    def write(body: str = INLINE_YAML_EXTRA, name: str = "tiny.yaml") -> Path:
        p = tmp_path / name
        p.write_text("format: corridor/1\nhorizon_days: 20\n" + body, encoding="utf-8")
        return p

    return write
