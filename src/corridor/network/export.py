"""Export the network for GIS (QGIS): nodes as points, links as lines, EPSG:4326.

GeoJSON is written with the json module (RFC 7946: WGS84 lon/lat, no ``crs`` member);
GeoPackage needs the optional ``geo`` extra (geopandas + pyogrio) and holds two layers,
``nodes`` and ``links``. Both files are written atomically. Every scenario column is
kept (unlimited values become empty / null) plus, for links, the derived rail gauge
and whether the link is usable (and why not). Columns take the type the scenario schema
gives them, whatever the values: a float column is REAL even when every value is
unlimited (null), an int column INTEGER (nullable) and a whole number in GeoJSON.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor.network.graph import Network, build_network
from corridor.results.folder import atomic_write_text
from corridor.scenario import Scenario
from corridor.scenario.parse import ROW
from corridor.scenario.schema import TABLES, ColType

FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}


class ExportError(Exception):
    """The export cannot be written (unknown format, missing optional library)."""


# the columns link_table derives, typed like schema columns
DERIVED: dict[str, ColType] = {"rail_gauge_mm": "int", "usable": "bool",
                               "unusable_reason": "str"}


def _value(v: Any) -> Any:
    """A JSON/GIS-friendly attribute: inf/NaN/NA → None, numpy scalars → Python,
    lists/dicts → text."""
    if v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return ";".join(f"{k}:{n}" for k, n in v.items())
    return v


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` with each column in the dtype its schema type calls for.

    The loader keeps every number as float (inf = unlimited), so left alone a column of
    unlimited values only would become an all-None object column (TEXT in a GeoPackage)
    and ints would be written as REAL / 1435.0; GIS tools filter on the declared type.
    """
    spec = TABLES[table]
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        kind = spec.column(name).type if name in spec.names else DERIVED.get(name, "str")
        col = frame[name]
        if kind in ("float", "int"):
            num = col.to_numpy(dtype=float, na_value=np.nan)
            num = np.where(np.isfinite(num), num, np.nan)  # unlimited -> null
            out[name] = (pd.Series(num, index=col.index) if kind == "float" else
                         pd.Series(pd.array(np.round(num), dtype="Int64"), index=col.index))
        elif kind == "bool":
            out[name] = col
        else:
            out[name] = col.map(_value)
    return pd.DataFrame(out, index=frame.index)


def node_table(scenario: Scenario) -> pd.DataFrame:
    """Nodes with columns typed by the schema."""
    nodes = scenario.nodes.drop(columns=[ROW], errors="ignore").reset_index(drop=True)
    return _typed(nodes, "nodes")


def link_table(scenario: Scenario, net: Network) -> pd.DataFrame:
    """Links with derived columns: ``rail_gauge_mm`` (0 off rail), ``usable`` and
    ``unusable_reason`` (from the forward arc)."""
    links = scenario.links.drop(columns=[ROW], errors="ignore").reset_index(drop=True)
    n = len(links)
    a = net.arcs
    links["rail_gauge_mm"] = a.gauge_mm[:n]
    links["usable"] = a.usable[:n]
    links["unusable_reason"] = [net.arc_reason(i) for i in range(n)]
    return _typed(links, "links")


def to_geojson(scenario: Scenario, net: Network | None = None) -> dict[str, Any]:
    net = net or build_network(scenario)
    nodes, links = node_table(scenario), link_table(scenario, net)
    lonlat = {i: (float(lo), float(la)) for i, lo, la in
              zip(scenario.nodes.index, scenario.nodes["lon"], scenario.nodes["lat"],
                  strict=True)}
    features: list[dict[str, Any]] = []
    for rec in nodes.to_dict(orient="records"):
        props = {"feature": "node", **{k: _value(v) for k, v in rec.items()}}
        features.append({"type": "Feature", "id": f"node:{rec['id']}",
                         "geometry": {"type": "Point", "coordinates": list(lonlat[rec["id"]])},
                         "properties": props})
    for rec in links.to_dict(orient="records"):
        props = {"feature": "link", **{k: _value(v) for k, v in rec.items()}}
        coords = [list(lonlat[rec["from"]]), list(lonlat[rec["to"]])]
        features.append({"type": "Feature", "id": f"link:{rec['id']}",
                         "geometry": {"type": "LineString", "coordinates": coords},
                         "properties": props})
    return {"type": "FeatureCollection", "name": scenario.name, "features": features}


def write_geojson(scenario: Scenario, path: Path, net: Network | None = None) -> int:
    """Write GeoJSON atomically; return the number of features."""
    doc = to_geojson(scenario, net)
    atomic_write_text(Path(path), json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n")
    return len(doc["features"])


def write_gpkg(scenario: Scenario, path: Path, net: Network | None = None) -> int:
    """Write a GeoPackage with layers ``nodes`` and ``links`` atomically."""
    try:
        import geopandas as gpd
        from shapely.geometry import LineString
    except ImportError as e:
        raise ExportError(
            "GeoPackage export needs the optional 'geo' extra (geopandas, pyogrio, shapely): "
            "pip install 'corridor[geo]' - or export to .geojson, which needs nothing extra"
        ) from e
    net = net or build_network(scenario)
    nodes, links = node_table(scenario), link_table(scenario, net)
    gn = gpd.GeoDataFrame(nodes, geometry=gpd.points_from_xy(nodes["lon"], nodes["lat"]),
                          crs="EPSG:4326")
    xy = scenario.nodes[["lon", "lat"]]
    geoms = [LineString([tuple(xy.loc[f]), tuple(xy.loc[t])])
             for f, t in zip(links["from"], links["to"], strict=True)]
    gl = gpd.GeoDataFrame(links, geometry=geoms, crs="EPSG:4326")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # the driver creates the file itself
    try:
        gn.to_file(tmp, layer="nodes", driver="GPKG")
        gl.to_file(tmp, layer="links", driver="GPKG")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(gn) + len(gl)


def export(scenario: Scenario, path: Path, net: Network | None = None) -> int:
    """Write ``path`` in the format its suffix names; return the number of features."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ExportError(f"unknown export format '{Path(path).suffix}' for {path}: use "
                          ".geojson or .gpkg")
    if fmt == "GeoJSON":
        return write_geojson(scenario, path, net)
    return write_gpkg(scenario, path, net)
