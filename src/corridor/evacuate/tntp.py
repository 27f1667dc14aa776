"""Evacuation scenarios from TNTP research networks (tests and benchmarks).

The "Transportation Networks for Research" files (Bar-Gera's TNTP format) give
directed links with ``capacity``, ``length`` and ``free_flow_time`` (minutes) and,
for some networks, a zone-to-zone trips table. This turns one into a ``corridor/1``
scenario folder: link capacity becomes ``flow_per_h`` (people per hour, one
person per vehicle unless told otherwise), the free-flow time becomes the transit
time (``speed_kmh`` = length / time, ``evacuation.speed_kmh: .inf``), zones get
people in proportion to the trips they send (seeded random weights when there is
no trips table), and shelters are the outermost nodes, one per sector around the
centre. Users bring such files themselves; nothing here downloads anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

MILE_KM = 1.609344


@dataclass(frozen=True)
class TntpNetwork:
    name: str
    zones: int
    first_thru_node: int
    nodes: pd.DataFrame  # node, x, y
    links: pd.DataFrame  # init_node, term_node, capacity, length, free_flow_time
    trips: pd.Series | None  # trips sent per origin zone


def _metadata(text: str) -> dict[str, str]:
    return {k.strip().upper(): v.strip()
            for k, v in re.findall(r"<([^>]+)>([^\n<]*)", text.split("<END OF METADATA>")[0])}


def read_tntp(folder: str | Path) -> TntpNetwork:
    """Read ``*_net.tntp``, ``*_node.tntp`` and (when present) ``*_trips.tntp``."""
    root = Path(folder)
    net_file = next(iter(sorted(root.glob("*_net.tntp"))), None)
    if net_file is None:
        raise FileNotFoundError(f"{root}: no *_net.tntp file")
    text = net_file.read_text(encoding="utf-8", errors="replace")
    meta = _metadata(text)
    body = text.split("<END OF METADATA>", 1)[1]
    rows = []
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("~"):
            continue
        parts = line.rstrip(";").split()
        rows.append([float(p) for p in parts[:5]])
    links = pd.DataFrame(rows, columns=["init_node", "term_node", "capacity", "length",
                                        "free_flow_time"])
    links[["init_node", "term_node"]] = links[["init_node", "term_node"]].astype(np.int64)
    node_file = next(iter(sorted(root.glob("*_node.tntp"))), None)
    if node_file is None:
        raise FileNotFoundError(f"{root}: no *_node.tntp file")
    coords = []
    for line in node_file.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.replace(";", " ").split()
        if len(parts) >= 3 and parts[0].isdigit():
            coords.append((int(parts[0]), float(parts[1]), float(parts[2])))
    nodes = pd.DataFrame(coords, columns=["node", "x", "y"])
    trips_file = next(iter(sorted(root.glob("*_trips.tntp"))), None)
    trips = _read_trips(trips_file) if trips_file is not None else None
    return TntpNetwork(
        name=net_file.name.removesuffix("_net.tntp"),
        zones=int(float(meta.get("NUMBER OF ZONES", "0"))),
        first_thru_node=int(float(meta.get("FIRST THRU NODE", "1"))),
        nodes=nodes,
        links=links,
        trips=trips,
    )


def _read_trips(path: Path) -> pd.Series:
    sent: dict[int, float] = {}
    origin = None
    body = path.read_text(encoding="utf-8", errors="replace").split("<END OF METADATA>")[-1]
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("Origin"):
            origin = int(line.split()[1])
            sent.setdefault(origin, 0.0)
        elif origin is not None and ":" in line:
            for dest, value in re.findall(r"(\d+)\s*:\s*([0-9.eE+-]+)", line):
                if int(dest) != origin:
                    sent[origin] += float(value)
    return pd.Series(sent, dtype=float)


def _lat_lon(nodes: pd.DataFrame, anchor: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees: as given when they look like lon/lat, else planar units placed at
    ``anchor`` (feet when large, as Chicago's state plane; else hundredths of a mile)."""
    x, y = nodes["x"].to_numpy(float), nodes["y"].to_numpy(float)
    if np.abs(x).max() <= 180 and np.abs(y).max() <= 90:
        return y, x
    miles = 1 / 5280.0 if np.abs(x).max() > 200_000 else 0.01
    lat0, lon0 = anchor
    lat = lat0 + (y - y.mean()) * miles * MILE_KM / 111.32
    lon = lon0 + (x - x.mean()) * miles * MILE_KM / (111.32 * math.cos(math.radians(lat0)))
    return lat, lon


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole people in proportion to weights, summing exactly to total."""
    share = weights / weights.sum() * total
    out = np.floor(share).astype(np.int64)
    rest = total - int(out.sum())
    out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return out


def write_scenario(
    folder: str | Path,
    out: str | Path,
    *,
    population: int = 100_000,
    shelters: int = 4,
    shelter_capacity: float | None = None,
    vehicles_per_person: float = 1.0,
    capacity_per: str = "hour",
    step_min: float = 5.0,
    horizon_days: float = 3.0,
    anchor: tuple[float, float] = (50.0, 20.0),
    seed: int = 0,
) -> Path:
    """Write an evacuation scenario folder for a TNTP network; return its path.

    ``capacity_per``: the TNTP capacity unit, ``hour`` or ``day`` (Philadelphia's).
    ``shelter_capacity``: room per shelter (None: unlimited).
    """
    net = read_tntp(folder)
    nodes = net.nodes.sort_values("node").reset_index(drop=True)
    lat, lon = _lat_lon(nodes, anchor)
    ids = nodes["node"].to_numpy()
    zones = ids[(ids >= 1) & (ids <= max(net.zones, 0))] if net.zones else ids
    # shelters: the outermost node in each of `shelters` sectors around the centre
    cx, cy = lon.mean(), lat.mean()
    ang = np.arctan2(lat - cy, (lon - cx) * math.cos(math.radians(cy)))
    rad = np.hypot(lat - cy, (lon - cx) * math.cos(math.radians(cy)))
    is_zone = np.isin(ids, zones) if net.first_thru_node > 1 else np.zeros(len(ids), bool)
    sector = np.floor((ang + math.pi) / (2 * math.pi) * shelters).astype(int) % shelters
    chosen: list[int] = []
    for k in range(shelters):
        pick = np.flatnonzero((sector == k) & ~is_zone)
        if len(pick):
            chosen.append(int(pick[np.argmax(rad[pick])]))
    shelter_ids = {int(ids[i]) for i in chosen}

    rng = np.random.default_rng(seed)
    if net.trips is not None and len(net.trips):
        weights = net.trips.reindex(zones).fillna(0.0).to_numpy() + 1e-9
    else:
        weights = rng.lognormal(0.0, 0.75, size=len(zones))
    movers = ~np.isin(zones, list(shelter_ids))
    people = dict(zip(zones[movers].tolist(), _split(population, weights[movers]).tolist(),
                      strict=True))

    room = "" if shelter_capacity is None else str(int(shelter_capacity))
    node_rows = pd.DataFrame({
        "id": [f"n{n}" for n in ids],
        "kind": ["shelter" if int(n) in shelter_ids else
                 ("population_center" if people.get(int(n), 0) > 0 else "road_hub")
                 for n in ids],
        "lat": np.round(lat, 6),
        "lon": np.round(lon, 6),
        "population": [0 if int(n) in shelter_ids else people.get(int(n), 0) for n in ids],
        "shelter_capacity": [room if int(n) in shelter_ids else "" for n in ids],
    })
    links = net.links
    if net.first_thru_node > 1:
        # zone centroids are not through nodes: drop connectors into them
        zone_set = set(zones.tolist()) - shelter_ids
        links = links[~links["term_node"].isin(zone_set)]
    per_h = links["capacity"].to_numpy(float) / (24.0 if capacity_per == "day" else 1.0)
    flow = per_h / vehicles_per_person
    fft = links["free_flow_time"].to_numpy(float)
    km = links["length"].to_numpy(float) * MILE_KM
    km = np.where(km > 0, km, np.where(fft > 0, fft, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(fft > 0, km / (fft / 60.0), np.inf)
    link_rows = pd.DataFrame({
        "id": [f"l{i + 1}" for i in range(len(links))],
        "from": [f"n{a}" for a in links["init_node"]],
        "to": [f"n{b}" for b in links["term_node"]],
        "mode": "road",
        "distance_km": np.round(km, 6),
        "speed_kmh": [("inf" if math.isinf(s) else round(float(s), 6)) for s in speed],
        "flow_per_h": np.round(flow, 3),
        "bidirectional": "false",
    })
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    node_rows.to_csv(dest / "nodes.csv", index=False)
    link_rows.to_csv(dest / "links.csv", index=False)
    meta = {
        "format": "corridor/1",
        "name": f"{net.name} evacuation",
        "description": f"{net.name} (TNTP) as an evacuation: {population:,} people from "
                       f"{len(zones)} zones to {len(shelter_ids)} shelters.",
        "horizon_days": horizon_days,
        "seed": seed,
        "evacuation": {"step_min": step_min, "speed_kmh": math.inf},
    }
    (dest / "scenario.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return dest
