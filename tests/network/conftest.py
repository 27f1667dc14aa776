"""Tiny scenarios written as one inline YAML file, for network tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.network.graph import Network, build_network
from corridor.scenario import Scenario, load_scenario

Make = Callable[..., tuple[Scenario, Network]]


def write_inline(path: Path, horizon_days: float = 30, **tables: list[dict[str, Any]]) -> Path:
    doc: dict[str, Any] = {"format": "corridor/1", "name": path.stem,
                           "horizon_days": horizon_days}
    doc.update(tables)
    if "movements" not in doc:  # a scenario must give some work
        first = tables["nodes"][0]["id"]
        last = tables["nodes"][-1]["id"]
        doc["movements"] = [{"id": "m", "origin": first, "destination": last, "due_day": 1,
                             "supplies_t": 1}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def make(tmp_path: Path) -> Make:
    """make(nodes=[...], links=[...], carriers=[...], ...) -> (scenario, network)."""
    count = [0]

    def build(horizon_days: float = 30, **tables: list[dict[str, Any]]
              ) -> tuple[Scenario, Network]:
        count[0] += 1
        p = write_inline(tmp_path / f"s{count[0]}.yaml", horizon_days, **tables)
        s = load_scenario(p)
        return s, build_network(s)

    return build


def node(id: str, lat: float = 50.0, lon: float = 10.0, **kw: Any) -> dict[str, Any]:
    return {"id": id, "kind": kw.pop("kind", "road_hub"), "lat": lat, "lon": lon, **kw}


def link(id: str, a: str, b: str, mode: str = "road", km: float = 100.0,
         **kw: Any) -> dict[str, Any]:
    return {"id": id, "from": a, "to": b, "mode": mode, "distance_km": km, **kw}
