"""Synthetic ``corridor/1`` scenarios of any size, deterministic from a seed.

A jittered grid over Europe (west to east: FR, DE, PL, UA) with a road grid (some
MLC 50/60 bridges), a coarser rail grid that changes to 1,520 mm in the east (only
some crossings have a transshipment station; the others are gauge breaks), Atlantic
sea lanes from an overseas port to Atlantic and Baltic ports, an air bridge to a few
airbases, realistic fleets (catalog carrier types) and movements with catalog
equipment (leopard2a6, m1a2_sepv3, m1083_fmtv, teu_container, unit templates, bulk).

    from synthetic import make_synthetic       # with benchmarks/ on sys.path
    folder = make_synthetic(10_000, seed=1)    # a scenario folder in a temp dir

or ``python benchmarks/synthetic.py 10000 --seed 1 --out DIR``.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

LAT0, LAT1, LON0, LON1 = 45.0, 58.0, 0.0, 32.0
COUNTRIES = (("FR", 0.2), ("DE", 0.45), ("PL", 0.8), ("UA", 1.01))  # by west→east share
EAST_GAUGE_FROM = 0.8  # share of the width from which rail is 1,520 mm
OVERSEAS = 2  # us_port and us_airbase, outside the grid
MIXES = (
    "leopard2a6:14;puma_ifv:14;m1083_fmtv:20;hmmwv:30;teu_container:10",
    "m1a2_sepv3:10;m2a3_bradley:12;hemtt_m977:10;hmmwv:20",
    "m1083_fmtv:40;teu_container:30;fuel_tanker:8",
    "leopard2a6:4;bergepanzer3:1;hx2_truck:10",
    "stryker_icv:30;m1083_fmtv:10;jltv:20",
)
TEMPLATES = ("efp_bg", "arty_bn", "iris_t_bty", "uk_armd_bg", "fr_mech_bg")


def _grid(n: int) -> tuple[int, int]:
    rows = max(2, round(math.sqrt(n / 1.5)))
    return rows, max(2, math.ceil(n / rows))


def _nodes(n_grid: int, rng: np.random.Generator) -> tuple[pd.DataFrame, int, int]:
    rows, cols = _grid(n_grid)
    k = np.arange(n_grid)
    r, c = k // cols, k % cols
    fx = c / (cols - 1)
    lat = LAT0 + (LAT1 - LAT0) * r / (rows - 1) + rng.uniform(-0.3, 0.3, n_grid) * (
        (LAT1 - LAT0) / rows)
    lon = LON0 + (LON1 - LON0) * fx + rng.uniform(-0.3, 0.3, n_grid) * ((LON1 - LON0) / cols)
    country = np.select([fx < s for _, s in COUNTRIES], [cc for cc, _ in COUNTRIES], "UA")
    rail = (r % 2 == 0) & (c % 2 == 0)
    kind = np.where(rail, "rail_terminal", "road_hub").astype(object)
    kind[(c == 0) & (r % max(1, rows // 4) == 0)] = "port"
    kind[(r == rows - 1) & (fx > 0.3) & (fx < 0.7) & (c % max(1, cols // 6) == 0)] = "port"
    kind[(c <= 1) & (r % 3 == 1)] = "origin"
    kind[(fx >= 0.6) & (r % 3 == 1) & (c % 3 == 0)] = "staging_area"
    kind[(fx >= 0.9) & (r % 4 == 2)] = "front"
    n_air = max(3, n_grid // 200)
    kind[rng.choice(np.flatnonzero(kind == "road_hub"), n_air, replace=False)] = "airbase"
    kind[(r % 5 == 3) & (c % 7 == 3)] = "depot"
    nodes = pd.DataFrame({
        "id": [f"n{i}" for i in k],
        "kind": kind,
        "lat": lat.round(4),
        "lon": lon.round(4),
        "country": country,
        "rail_gauge_mm": np.where(fx >= EAST_GAUGE_FROM, 1520, 1435),
        "transship_t_per_day": 0.0,
        "transfer_h": np.where(kind == "port", 12.0, np.where(kind == "rail_terminal", 4.0, 0.0)),
        "handling_t_per_day": np.where(kind == "port", 20000.0, np.inf),
    })
    return nodes, rows, cols


def _pairs(a: np.ndarray, b: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return a[ok], b[ok]


def make_synthetic(n_nodes: int, seed: int = 0, days: float = 30.0, out: Path | None = None,
                   n_movements: int | None = None) -> Path:
    """Write a synthetic scenario folder with ``n_nodes`` nodes; return its path."""
    if n_nodes < 20:
        raise ValueError("n_nodes must be at least 20")
    rng = np.random.default_rng(seed)
    n_grid = n_nodes - OVERSEAS
    nodes, _rows, cols = _nodes(n_grid, rng)
    k = np.arange(n_grid)
    r, c = k // cols, k % cols

    # road: 4-neighbour grid plus some diagonals
    right = _pairs(k, k + 1, (c < cols - 1) & (k + 1 < n_grid))
    down = _pairs(k, k + cols, k + cols < n_grid)
    diag_ok = (c < cols - 1) & (k + cols + 1 < n_grid) & (rng.random(n_grid) < 0.2)
    diag = _pairs(k, k + cols + 1, diag_ok)
    rf = np.concatenate([right[0], down[0], diag[0]])
    rt = np.concatenate([right[1], down[1], diag[1]])
    nr = len(rf)
    u = rng.random(nr)
    road = pd.DataFrame({
        "id": [f"rd{i}" for i in range(nr)],
        "from": nodes["id"].to_numpy()[rf],
        "to": nodes["id"].to_numpy()[rt],
        "mode": "road",
        "max_mlc": np.where(u < 0.08, 50, np.where(u < 0.12, 60, np.inf)),
        "speed_kmh": np.where(rng.random(nr) < 0.3, 80.0, np.inf),
        "capacity_per_day": np.inf,
        "flow_per_h": np.where(rng.random(nr) < 0.5, 300.0, 600.0),
    })

    # rail: every second row and column
    even = (r % 2 == 0) & (c % 2 == 0)
    rr_right = _pairs(k, k + 2, even & (c + 2 < cols) & (k + 2 < n_grid))
    rr_down = _pairs(k, k + 2 * cols, even & (k + 2 * cols < n_grid))
    lf = np.concatenate([rr_right[0], rr_down[0]])
    lt = np.concatenate([rr_right[1], rr_down[1]])
    nl = len(lf)
    rail = pd.DataFrame({
        "id": [f"rl{i}" for i in range(nl)],
        "from": nodes["id"].to_numpy()[lf],
        "to": nodes["id"].to_numpy()[lt],
        "mode": "rail",
        "max_mlc": np.inf,
        "speed_kmh": np.where(rng.random(nl) < 0.2, 40.0, np.inf),
        "capacity_per_day": rng.choice([12.0, 16.0, 24.0], nl),
        "flow_per_h": np.inf,
    })
    # gauge crossings: every second one gets a transshipment station on its 1,435 end
    gauge = nodes["rail_gauge_mm"].to_numpy()
    crossing = np.flatnonzero(gauge[lf] != gauge[lt])
    west_end = np.where(gauge[lf[crossing]] == 1435, lf[crossing], lt[crossing])
    stations = west_end[::2]
    nodes.loc[stations, "transship_t_per_day"] = rng.choice([1500.0, 3000.0, 5000.0],
                                                            len(stations))
    nodes.loc[stations, "transfer_h"] = 6.0
    nodes.loc[stations, "kind"] = "border_crossing"

    # overseas port and airbase; sea lanes and an air bridge
    over = pd.DataFrame({
        "id": ["us_port", "us_airbase"], "kind": ["port", "airbase"],
        "lat": [36.95, 38.8], "lon": [-76.3, -76.9], "country": "US", "rail_gauge_mm": 1435,
        "transship_t_per_day": 0.0, "transfer_h": [12.0, 2.0],
        "handling_t_per_day": [40000.0, np.inf],
    })
    nodes = pd.concat([nodes, over], ignore_index=True)
    ports = nodes.loc[(nodes["kind"] == "port") & (nodes["country"] != "US"), "id"].to_numpy()
    airbases = nodes.loc[(nodes["kind"] == "airbase") & (nodes["country"] != "US"),
                         "id"].to_numpy()
    sea_to = list(ports)
    sea = pd.DataFrame({"id": [f"sea{i}" for i in range(len(sea_to))], "from": "us_port",
                        "to": sea_to, "mode": "sea", "max_mlc": np.inf, "speed_kmh": np.inf,
                        "capacity_per_day": 4.0, "flow_per_h": np.inf})
    air = pd.DataFrame({"id": [f"air{i}" for i in range(len(airbases))], "from": "us_airbase",
                        "to": airbases, "mode": "air", "max_mlc": np.inf,
                        "speed_kmh": np.inf, "capacity_per_day": 20.0, "flow_per_h": np.inf})
    # port to airbase by road, so people landing at the port can fly instead
    shore = pd.DataFrame({"id": ["rd_us"], "from": ["us_port"], "to": ["us_airbase"],
                          "mode": "road", "max_mlc": np.inf, "speed_kmh": np.inf,
                          "capacity_per_day": np.inf, "flow_per_h": np.inf})
    links = pd.concat([road, rail, sea, air, shore], ignore_index=True)

    ids = nodes["id"].to_numpy()
    kinds = nodes["kind"].to_numpy()
    west_rail = ids[(kinds == "rail_terminal") & (gauge_of(nodes) == 1435)][:1]
    east_rail = ids[(kinds == "rail_terminal") & (gauge_of(nodes) == 1520)][:1]
    origins = ids[kinds == "origin"]
    scale = max(1, n_nodes // 1000)
    fleets = [
        ("het", "het_m1070", 40 * scale, origins[0], ""),
        ("het_mammut", "het_mammut", 30 * scale, origins[-1], ""),
        ("trucks", "truck", 200 * scale, origins[0], ""),
        ("container_trucks", "container_truck", 100 * scale, origins[-1], ""),
        ("buses", "coach_bus", 50 * scale, origins[0], ""),
        ("mil_train", "mil_train", 12 * scale, west_rail[0] if len(west_rail) else origins[0],
         ""),
        ("mil_train_1520", "mil_train_1520", 6 * scale,
         east_rail[0] if len(east_rail) else origins[0], ""),
        ("troop_train", "passenger_train", 4 * scale,
         west_rail[0] if len(west_rail) else origins[0], ""),
        ("lmsr", "lmsr", 4, "us_port", ""),
        ("roro", "roro_charter", 6, "us_port", ""),
        ("c17", "c17", 20, "us_airbase", ""),
        ("us_buses", "coach_bus", 20, "us_port", ""),
    ]
    carriers = pd.DataFrame(fleets, columns=["id", "type", "count", "home", "x_note"])
    carriers["available_day"] = [0, 0, 0, 0, 0, 1, 2, 1, 0, 3, 0, 0]

    n_mov = n_movements if n_movements is not None else int(np.clip(n_nodes // 20, 5, 400))
    dests = ids[np.isin(kinds, ["staging_area", "front"])]
    if len(dests) == 0:
        dests = ids[nodes["country"].to_numpy() == "PL"]
    mov = []
    for i in range(n_mov):
        ready = float(rng.integers(0, max(1, int(days // 3))))
        due = ready + float(rng.integers(max(2, int(days // 4)), max(3, int(days * 0.7))))
        origin = "us_port" if i % 7 == 3 else str(rng.choice(origins))
        row = {"id": f"m{i:04d}", "unit": "", "count": 1, "origin": origin,
               "destination": str(rng.choice(dests)), "ready_day": ready,
               "due_day": min(due, days), "priority": int(rng.integers(1, 4)), "pax": "",
               "equipment": "", "supplies_t": 0.0, "kind": "force"}
        pick = i % 3
        if pick == 0:
            row["equipment"] = MIXES[int(rng.integers(len(MIXES)))]
            row["pax"] = int(rng.integers(50, 400))
        elif pick == 1:
            row["unit"] = str(TEMPLATES[int(rng.integers(len(TEMPLATES)))])
        else:
            row.update(unit="supplies", pax=0, supplies_t=float(rng.integers(5, 60) * 100),
                       kind="supply")
        mov.append(row)
    movements = pd.DataFrame(mov)

    disruptions = pd.DataFrame({
        "id": ["bridge_strike", "atlantic_subs"],
        "target": [str(road["id"].iloc[len(road) // 2]), "mode:sea"],
        "start_day": [days / 3, np.nan], "end_day": [days / 2, np.nan],
        "capacity_factor": [0.0, 1.0], "loss_prob": [0.0, 0.02],
    })

    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix=f"corridor-synth-{n_nodes}-"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(
        "format: corridor/1\n"
        f"name: synthetic-{n_nodes}\n"
        f"description: synthetic benchmark network, {n_nodes} nodes, seed {seed}\n"
        "start_date: 2025-01-15\n"
        f"horizon_days: {days:g}\n"
        f"seed: {seed}\n"
        "planner: {step_h: 6}\n", encoding="utf-8")
    _csv(nodes, folder / "nodes.csv")
    _csv(links, folder / "links.csv")
    _csv(carriers, folder / "carriers.csv")
    _csv(movements, folder / "movements.csv")
    _csv(disruptions, folder / "disruptions.csv")
    return folder


def gauge_of(nodes: pd.DataFrame) -> np.ndarray:
    return nodes["rail_gauge_mm"].to_numpy()


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with 'inf' spelled out and NaN as empty cells (the loader's conventions)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            vals = out[col]
            text = vals.map(lambda v: "" if pd.isna(v) else ("inf" if np.isinf(v) else f"{v:g}"))
            out[col] = text
    out.to_csv(path, index=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n_nodes", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--days", type=float, default=30.0)
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args()
    print(make_synthetic(a.n_nodes, a.seed, a.days, a.out))


if __name__ == "__main__":
    main()
