"""Import a road network in TNTP format ("Transportation Networks for Research") as a
``corridor/1`` scenario folder, so real networks can be routed and evacuated.

A TNTP network is ``<name>_net.tntp`` (one directed link per line: ``init_node
term_node capacity length free_flow_time b power speed toll link_type ;``) and
optionally ``<name>_node.tntp`` (``node x y ;``). Links become one-way road links
(``bidirectional: false``) with ``distance_km = length × length_km`` and
``flow_per_h = capacity``. Coordinates are used as lon/lat when they are valid
degrees; otherwise nodes are placed on a small grid (distances come from the file).
A scenario must give some work, so a one-vehicle probe movement from the first to
the last node is added.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd


class TntpError(Exception):
    """A TNTP file that cannot be read, naming the file and line."""


def read_net(path: Path) -> pd.DataFrame:
    """Links of a ``*_net.tntp`` file: init_node, term_node, capacity, length, ...
    (1-based node numbers, as in the file)."""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    start = next((i + 1 for i, ln in enumerate(lines) if "<END OF METADATA>" in ln), 0)
    rows: list[list[float]] = []
    for i, ln in enumerate(lines[start:], start=start + 1):
        text = ln.strip()
        if not text or text.startswith("~"):
            continue
        fields = text.rstrip(";").split()
        if len(fields) < 5:
            raise TntpError(f"{path}: line {i}: expected at least 5 columns (init_node "
                            f"term_node capacity length free_flow_time), got '{text}'")
        try:
            rows.append([float(x) for x in fields[:5]])
        except ValueError as e:
            raise TntpError(f"{path}: line {i}: {e}") from None
    if not rows:
        raise TntpError(f"{path}: no links found")
    frame = pd.DataFrame(rows, columns=["init_node", "term_node", "capacity", "length",
                                        "free_flow_time"])
    frame[["init_node", "term_node"]] = frame[["init_node", "term_node"]].astype(int)
    return frame


def read_nodes(path: Path) -> pd.DataFrame:
    """Coordinates of a ``*_node.tntp`` file: node, x, y."""
    rows: list[tuple[int, float, float]] = []
    for i, ln in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        f = ln.strip().rstrip(";").split()
        if len(f) < 3 or not f[0].lstrip("-").isdigit():
            continue  # header
        try:
            rows.append((int(f[0]), float(f[1]), float(f[2])))
        except ValueError as e:
            raise TntpError(f"{path}: line {i}: {e}") from None
    return pd.DataFrame(rows, columns=["node", "x", "y"])


def tntp_scenario(folder: Path, out: Path, *, length_km: float = 1.0,
                  name: str | None = None) -> Path:
    """Write a scenario folder at ``out`` from the TNTP files in ``folder``; return ``out``."""
    folder = Path(folder)
    nets = sorted(folder.glob("*_net.tntp"))
    if not nets:
        raise TntpError(f"{folder}: no *_net.tntp file")
    links = read_net(nets[0])
    stem = nets[0].name[: -len("_net.tntp")]
    node_file = folder / f"{stem}_node.tntp"
    ids = np.unique(np.concatenate([links["init_node"], links["term_node"]]))
    nodes = pd.DataFrame({"node": ids})
    coords = read_nodes(node_file) if node_file.exists() else pd.DataFrame(
        columns=["node", "x", "y"])
    nodes = nodes.merge(coords, on="node", how="left")
    lonlat = bool(len(coords)) and nodes["x"].between(-180, 180).all() and \
        nodes["y"].between(-90, 90).all()
    if not lonlat:  # no usable coordinates: a grid, 0.01 degrees apart
        side = math.ceil(math.sqrt(len(nodes)))
        k = np.arange(len(nodes))
        nodes["x"], nodes["y"] = (k % side) * 0.01, (k // side) * 0.01
    nid = {int(n): f"n{int(n)}" for n in nodes["node"]}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": nodes["node"].map(nid), "kind": "road_hub", "lat": nodes["y"],
                  "lon": nodes["x"]}).to_csv(out / "nodes.csv", index=False)
    pd.DataFrame({
        "id": [f"l{i + 1}" for i in range(len(links))],
        "from": links["init_node"].map(nid),
        "to": links["term_node"].map(nid),
        "mode": "road",
        "distance_km": links["length"] * length_km,
        "flow_per_h": links["capacity"].where(links["capacity"] > 0, math.inf),
        "bidirectional": "false",
    }).to_csv(out / "links.csv", index=False)
    first, last = nid[int(ids[0])], nid[int(ids[-1])]
    (out / "movements.csv").write_text(
        "id,origin,destination,due_day,pax,equipment\n"
        f"probe,{first},{last},1,0,hmmwv:1\n", encoding="utf-8")
    (out / "scenario.yaml").write_text(
        "format: corridor/1\n"
        f"name: {name or stem}\n"
        f"description: imported from TNTP files in {folder.name} (one-way road links)\n"
        "start_date: 2025-01-01\nhorizon_days: 10\nseed: 0\nplanner: {step_h: 1}\n",
        encoding="utf-8")
    return out
