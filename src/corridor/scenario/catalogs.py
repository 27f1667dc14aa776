"""The built-in catalogs (equipment, carrier types, unit templates), shipped as CSV."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from corridor.scenario.errors import ScenarioError
from corridor.scenario.read import decode_text, read_csv_text
from corridor.scenario.schema import CARRIER_TYPES, EQUIPMENT, UNITS, Table


def _load(spec: Table) -> pd.DataFrame:
    from corridor.scenario.errors import Issue
    from corridor.scenario.parse import parse_table

    issues: list[Issue] = []
    ref = resources.files("corridor.scenario").joinpath("catalog", spec.file)
    label = f"built-in catalog {spec.file}"
    text = decode_text(ref.read_bytes(), label, issues)
    raw = read_csv_text(spec.name, label, text or "", spec.names, issues)
    frame = parse_table(raw, spec, issues) if raw is not None else None
    if issues or frame is None:  # a packaging defect, not user input
        raise ScenarioError(issues)
    frame = frame.set_index("id", drop=False)
    frame.index.name = None
    if "name" in frame:
        frame["name"] = frame["name"].where(frame["name"] != "", frame["id"])
    return frame


@cache
def equipment() -> pd.DataFrame:
    return _load(EQUIPMENT)


@cache
def carrier_types() -> pd.DataFrame:
    frame = _load(CARRIER_TYPES)
    from corridor.scenario.schema import MODE_SPEED_KMH

    frame["speed_kmh"] = frame["speed_kmh"].fillna(frame["mode"].map(MODE_SPEED_KMH))
    return frame


@cache
def units() -> pd.DataFrame:
    return _load(UNITS)
