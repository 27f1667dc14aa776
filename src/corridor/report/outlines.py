"""Country outlines shipped with the package, so the map needs no tile server.

The data file ``data/country_outlines.json`` holds simplified Natural Earth
1:110m admin-0 polygons (public domain) for Europe, North America, the North
Atlantic and their neighbours, as flat ``[lon, lat, lon, lat, ...]`` rings
rounded to 0.01 degree. :func:`rebuild` regenerates it from a Natural Earth
shapefile (needs the optional ``geo`` extra: pyogrio + shapely).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA_FILE = "country_outlines.json"
# lon_min, lat_min, lon_max, lat_max kept when rebuilding: Europe, North America,
# the North Atlantic, North Africa and the Middle East (eastern-flank theatres).
REGION = (-170.0, 10.0, 70.0, 84.0)
ATTRIBUTION = "Country outlines: Natural Earth 1:110m admin-0 (public domain), simplified."


@dataclass(frozen=True)
class Country:
    iso_a3: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # exterior rings of (lon, lat)


@lru_cache(maxsize=1)
def load_outlines() -> tuple[Country, ...]:
    """The shipped country outlines (cached)."""
    text = resources.files("corridor.report").joinpath("data", DATA_FILE).read_text("utf-8")
    doc = json.loads(text)
    out = []
    for c in doc["countries"]:
        rings = tuple(
            tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2)) for flat in c["rings"]
        )
        out.append(Country(c["iso_a3"], c["name"], rings))
    return tuple(out)


def attribution() -> str:
    text = resources.files("corridor.report").joinpath("data", DATA_FILE).read_text("utf-8")
    return str(json.loads(text)["attribution"])


def rebuild(shapefile: Path, out: Path, tolerance_deg: float = 0.05) -> dict[str, Any]:
    """Regenerate the outline file from a Natural Earth admin-0 shapefile.

    Countries are clipped to :data:`REGION`, simplified (topology-preserving,
    ``tolerance_deg``) and rounded to 0.01 degree; holes are dropped (none
    matter at this scale).
    """
    import pyogrio
    import shapely

    frame = pyogrio.read_dataframe(shapefile)
    box = shapely.box(*REGION)
    countries = []
    for _, row in frame.iterrows():
        geom = row.geometry
        if geom is None or not geom.intersects(box):
            continue
        geom = shapely.simplify(shapely.clip_by_rect(geom, *REGION), tolerance_deg)
        polys = list(getattr(geom, "geoms", [geom]))
        rings = []
        for p in polys:
            if p.geom_type != "Polygon" or p.is_empty or p.area < 0.05:
                continue  # specks and clipped slivers add bytes, not information
            coords = [round(v, 2) for xy in p.exterior.coords for v in xy]
            rings.append(coords)
        if rings:
            iso = str(row.get("iso_a3", "")) if str(row.get("iso_a3", "")) != "-99" else ""
            countries.append({"iso_a3": iso, "name": str(row["name"]), "rings": rings})
    doc = {
        "attribution": ATTRIBUTION,
        "source": "naturalearth_lowres (Natural Earth 1:110m Cultural Vectors, admin-0 "
        "countries), https://www.naturalearthdata.com/ - public domain",
        "region": list(REGION),
        "countries": sorted(countries, key=lambda c: str(c["name"])),
    }
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return doc


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m corridor.report.outlines NATURALEARTH.shp OUT.json")
    d = rebuild(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(d['countries'])} countries written to {sys.argv[2]}")
