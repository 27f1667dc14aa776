"""Component schemas of the ``corridor/1`` scenario format, as data.

One :class:`Table` per component lists its columns with type, unit, default and
meaning. The loader, the validator and the generated reference page
(``docs/scenario-format.md``) are all driven from these specs, so a column is
described exactly once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

INF = math.inf

ColType = Literal[
    "str",  # free text
    "id",  # unique key of the table
    "float",
    "int",
    "bool",
    "enum",
    "node",  # reference to nodes.id
    "nodes",  # ';'-separated list of node ids
    "items",  # 'type:count;type:count'
]

MODES = ("road", "rail", "sea", "air", "inland_water")
NODE_KINDS = (
    "origin",
    "port",
    "airbase",
    "rail_terminal",
    "road_hub",
    "border_crossing",
    "depot",
    "staging_area",
    "front",
    "hospital",
    "training_site",
    "population_center",
    "shelter",
)
MOVEMENT_KINDS = ("force", "supply", "aid", "casualty", "evacuees")
EQUIPMENT_CATEGORIES = (
    "tank",
    "ifv",
    "apc",
    "artillery",
    "air_defence",
    "engineer",
    "recovery",
    "logistics_vehicle",
    "utility_vehicle",
    "medical_vehicle",
    "container",
    "helicopter",
    "other",
)

# Great-circle distance is multiplied by this to default a link's length.
CIRCUITY = {"road": 1.25, "rail": 1.3, "sea": 1.15, "air": 1.05, "inland_water": 1.3}
# Speed used when neither the link nor the carrier gives one (km/h).
MODE_SPEED_KMH = {"road": 60.0, "rail": 50.0, "sea": 30.0, "air": 750.0, "inland_water": 12.0}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColType
    description: str
    unit: str = ""
    default: object = None  # None = no default; see ``required``
    required: bool = False
    min: float | None = None  # lower bound for numbers, inclusive unless min_exclusive
    max: float | None = None
    # the value must be above ``min``: 0 has no meaning here (a speed of 0 would divide
    # by zero in every engine), unlike a capacity whose 0 means closed / none
    min_exclusive: bool = False
    bound_hint: str = ""  # what to write instead of a value out of bounds
    choices: tuple[str, ...] = ()
    default_doc: str = ""  # how the default is derived, when it is not a constant
    # inf/infinity/unlimited may be written although the default is derived (default_doc
    # ends "else unlimited"): the docs promise it wherever the default can be unlimited.
    unlimited: bool = False

    @property
    def accepts_unlimited(self) -> bool:
        return self.default == INF or self.unlimited

    @property
    def bounds(self) -> str:
        """The allowed range in words (">= 0", "> 0", "in [-90, 90]"), or ""."""
        lo, hi = self.min, self.max
        if lo is not None and hi is not None:
            return f"in {'(' if self.min_exclusive else '['}{lo:g}, {hi:g}]"
        if lo is not None:
            return f"{'>' if self.min_exclusive else '>='} {lo:g}"
        return f"<= {hi:g}" if hi is not None else ""

    def below_min(self, v: float) -> bool:
        """Whether ``v`` is under the lower bound (or on it, where that is excluded)."""
        return self.min is not None and (v < self.min or (self.min_exclusive and v == self.min))

    def in_bounds(self, v: float) -> bool:
        return not self.below_min(v) and (self.max is None or v <= self.max)


@dataclass(frozen=True)
class Table:
    name: str
    file: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    extension: tuple[str, ...] = field(default=())  # columns added beyond the spec

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, type: ColType, description: str, **kw: object) -> Column:
    return Column(name, type, description, **kw)  # type: ignore[arg-type]


NODES = Table(
    "nodes",
    "nodes.csv",
    "Places: origins, ports, airbases, rail terminals, hubs, depots, hospitals, shelters.",
    (
        _c("id", "id", "unique key", required=True),
        _c("name", "str", "display name", default_doc="id"),
        _c("kind", "enum", "what the place is", required=True, choices=NODE_KINDS),
        _c("lat", "float", "latitude, WGS84", unit="deg", required=True, min=-90, max=90),
        _c("lon", "float", "longitude, WGS84", unit="deg", required=True, min=-180, max=180),
        _c("country", "str", "ISO 3166-1 alpha-2 country code", default=""),
        _c("rail_gauge_mm", "int", "rail gauge at this node; crossing a gauge change needs "
           "a node with transship_t_per_day", unit="mm", default=1435, min=600, max=2000),
        _c("handling_t_per_day", "float", "tonnes loaded + unloaded per day over all modes",
           unit="t/day", default=INF, min=0),
        _c("rail_per_day", "float", "train visits per day (ramps)", unit="1/day",
           default=INF, min=0),
        _c("sea_per_day", "float", "ship visits per day (berths)", unit="1/day",
           default=INF, min=0),
        _c("air_per_day", "float", "aircraft visits per day (MOG)", unit="1/day",
           default=INF, min=0),
        _c("transship_t_per_day", "float", "gauge-break / mode-change transshipment capacity",
           unit="t/day", default=0.0, min=0),
        _c("transfer_h", "float", "time cargo waits when changing carrier or mode here",
           unit="h", default=0.0, min=0),
        _c("storage_t", "float", "stock held at a depot (ammunition storage)", unit="t",
           default=INF, min=0),
        _c("role", "int", "NATO role of care (1-4) of a hospital", default=0, min=0, max=4),
        _c("beds", "int", "holding beds of a hospital", default=0, min=0),
        _c("icu_beds", "int", "intensive-care beds of a hospital", default=0, min=0),
        _c("surgical_tables", "int", "operating tables of a hospital", default=0, min=0),
        _c("capacity_pax", "int", "people the node can hold at once", default=INF, min=0),
        _c("population", "int", "people to evacuate (civil defence)", default=0, min=0),
        # no constant default: an empty cell stays NaN ("not given"), so that 0 (a shelter
        # that takes nobody) differs from a `shelter` left open (unlimited, evacuation)
        _c("shelter_capacity", "int", "people a shelter / safe area can take", default_doc="0",
           min=0),
    ),
    required=True,
)

LINKS = Table(
    "links",
    "links.csv",
    "Connections between nodes, one mode each.",
    (
        _c("id", "id", "unique key", required=True),
        _c("from", "node", "start node", required=True),
        _c("to", "node", "end node", required=True),
        _c("mode", "enum", "transport mode", required=True, choices=MODES),
        _c("distance_km", "float", "length", unit="km", min=0,
           default_doc="great-circle x mode circuity (road 1.25, rail 1.3, sea 1.15, "
           "air 1.05, inland_water 1.3)"),
        _c("speed_kmh", "float", "cap on speed over this link", unit="km/h", default=INF,
           min=0, min_exclusive=True, default_doc="carrier's speed",
           bound_hint="leave it empty for the carrier's speed; close a link with "
           "capacity_per_day 0"),
        _c("capacity_per_day", "float", "carrier departures per day, each direction",
           unit="1/day", default=INF, min=0),
        _c("flow_per_h", "float", "self-moving traffic entering per hour, each direction "
           "(people on foot / in cars, convoy vehicles)", unit="1/h", default=INF, min=0),
        _c("max_mlc", "int", "Military Load Class limit (weakest bridge)", default=INF, min=0),
        _c("bidirectional", "bool", "usable in both directions", default=True),
    ),
    required=True,
)

EQUIPMENT = Table(
    "equipment",
    "equipment.csv",
    "Equipment types; rows extend or override the built-in catalog.",
    (
        _c("id", "id", "type key, e.g. leopard2a6", required=True),
        _c("name", "str", "display name", default_doc="id"),
        _c("category", "enum", "kind of equipment", default="other",
           choices=EQUIPMENT_CATEGORIES),
        _c("mass_t", "float", "combat mass", unit="t", required=True, min=0),
        _c("footprint_m2", "float", "deck area occupied (length x width)", unit="m2",
           required=True, min=0),
        _c("mlc", "int", "Military Load Class", required=True, min=0),
        _c("seats", "int", "people it carries when driving itself", default=0, min=0),
        _c("road_march_km_per_day", "float", "how far it may drive itself per day "
           "(0 = must be carried)", unit="km/day", default=0.0, min=0),
    ),
    extension=("category",),
)

CARRIERS = Table(
    "carriers",
    "carriers.csv",
    "Fleets that carry cargo. A carrier cycles: it travels back (empty or loaded) to load "
    "again.",
    (
        _c("id", "id", "fleet id, e.g. het, mil_train, lmsr, c17", required=True),
        _c("type", "str", "built-in carrier type whose figures fill every column left empty",
           default=""),
        _c("mode", "enum", "mode it moves on", choices=MODES, default_doc="from type"),
        _c("count", "int", "carriers in the fleet", required=True, min=0),
        _c("home", "node", "where they start", required=True),
        _c("capacity_t", "float", "mass per trip", unit="t", min=0,
           default_doc="from type, else 0"),
        _c("capacity_m2", "float", "deck area per trip", unit="m2", min=0,
           default_doc="from type, else 0"),
        _c("capacity_pax", "float", "people per trip", min=0, default_doc="from type, else 0"),
        _c("capacity_litters", "float", "stretcher patients per trip", min=0,
           default_doc="from type, else 0"),
        _c("max_item_mlc", "int", "heaviest item class it takes", min=0,
           default_doc="from type, else unlimited", unlimited=True),
        _c("speed_kmh", "float", "travel speed", unit="km/h", min=0,
           default_doc="from type, else the mode default"),
        _c("load_h", "float", "loading time per trip", unit="h", min=0,
           default_doc="from type, else 0"),
        _c("unload_h", "float", "unloading time per trip", unit="h", min=0,
           default_doc="from type, else 0"),
        _c("available_day", "float", "when the fleet becomes available", unit="day",
           default=0.0, min=0),
        _c("cost_per_km", "float", "operating cost per carrier-km", unit="EUR/km", min=0,
           default_doc="from type, else 0"),
        _c("rail_gauge_mm", "int", "gauge of a rail fleet", unit="mm", min=600, max=2000,
           default_doc="gauge of its home node"),
    ),
    extension=("type", "rail_gauge_mm"),
)

UNITS = Table(
    "units",
    "units.csv",
    "Unit templates; rows extend or override the built-in templates.",
    (
        _c("id", "id", "template key, e.g. abct", required=True),
        _c("name", "str", "display name", default_doc="id"),
        _c("pax", "int", "people", default=0, min=0),
        _c("equipment", "items", "equipment as type:count;type:count", default=""),
        _c("supplies_t", "float", "bulk cargo carried with the unit", unit="t", default=0.0,
           min=0),
    ),
    extension=("supplies_t",),
)

MOVEMENTS = Table(
    "movements",
    "movements.csv",
    "The time-phased requirement (TPFDD-like): one row per unit line.",
    (
        _c("id", "id", "unit line number", required=True),
        _c("unit", "str", "template id or label", default=""),
        _c("count", "int", "multiples of the template", default=1, min=0),
        _c("origin", "node", "where it starts", required=True),
        _c("destination", "node", "where it must arrive", required=True),
        _c("via", "nodes", "nodes it must pass in order (designated POE/POD)", default=""),
        _c("ready_day", "float", "available to load", unit="day", default=0.0, min=0),
        _c("due_day", "float", "required delivery day", unit="day", required=True, min=0),
        _c("priority", "int", "1 highest", default=3, min=1),
        _c("pax", "int", "people", min=0, default_doc="from template x count"),
        _c("equipment", "items", "vehicles and items, type:count;...",
           default_doc="from template x count"),
        _c("supplies_t", "float", "bulk cargo", unit="t", default=0.0, min=0),
        _c("kind", "enum", "what moves", default="force", choices=MOVEMENT_KINDS),
    ),
)

SUPPLY = Table(
    "supply",
    "supply.csv",
    "Sustainment demand after arrival, drawn from depot stock.",
    (
        _c("node", "node", "where it is consumed", required=True),
        _c("class", "str", "NATO supply class I-X (I food/water, III fuel, V ammunition, "
           "...), optionally with a sub-class letter: III(B), IIIB", required=True),
        _c("t_per_day", "float", "demand", unit="t/day", required=True, min=0),
        _c("start_day", "float", "first day of demand", unit="day", default=0.0, min=0),
        _c("end_day", "float", "last day of demand", unit="day", default=INF, min=0,
           default_doc="horizon"),
        _c("source", "node", "depot it is drawn from (a node of kind depot other than "
           "`node`); empty = any depot with stock", default=""),
    ),
)

DISRUPTIONS = Table(
    "disruptions",
    "disruptions.csv",
    "Scheduled windows, random outage processes and standing threats.",
    (
        _c("id", "id", "key", required=True),
        _c("target", "str", "a link id, a node id, mode:<mode> or country:<ISO2>",
           required=True),
        _c("start_day", "float", "start of a scheduled window", unit="day", min=0,
           default=None),
        _c("end_day", "float", "end of a scheduled window", unit="day", min=0, default=None),
        _c("rate_per_day", "float", "random outages start at this rate", unit="1/day", min=0,
           default=None),
        _c("mean_duration_days", "float", "mean (exponential) outage length", unit="day",
           min=0, min_exclusive=True, default=None),
        _c("capacity_factor", "float", "remaining capacity share (0 closed)", min=0, max=1,
           default_doc="0 for windows and random outages, 1 for a standing threat"),
        _c("loss_prob", "float", "probability a carrier transit on the target is lost",
           min=0, max=1, default=0.0),
    ),
)

CARRIER_TYPES = Table(
    "carrier_types",
    "carrier_types.csv",
    "Built-in carrier types a fleet can name in carriers.csv `type` (catalog only).",
    (
        _c("id", "id", "type key, e.g. het_mammut", required=True),
        _c("name", "str", "display name", default_doc="id"),
        _c("mode", "enum", "mode it moves on", required=True, choices=MODES),
        _c("capacity_t", "float", "mass per trip", unit="t", default=0.0, min=0),
        _c("capacity_m2", "float", "deck area per trip", unit="m2", default=0.0, min=0),
        _c("capacity_pax", "float", "people per trip", default=0.0, min=0),
        _c("capacity_litters", "float", "stretcher patients per trip", default=0.0, min=0),
        _c("max_item_mlc", "int", "heaviest item class it takes", default=INF, min=0),
        _c("speed_kmh", "float", "travel speed", unit="km/h", min=0,
           default_doc="the mode default"),
        _c("load_h", "float", "loading time per trip", unit="h", default=0.0, min=0),
        _c("unload_h", "float", "unloading time per trip", unit="h", default=0.0, min=0),
        _c("cost_per_km", "float", "operating cost per carrier-km", unit="EUR/km",
           default=0.0, min=0),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (NODES, LINKS, EQUIPMENT, CARRIERS, UNITS, MOVEMENTS, SUPPLY, DISRUPTIONS)
}

# Keys allowed at the top level of scenario.yaml (besides the inline tables).
META_KEYS = (
    "format",
    "name",
    "description",
    "start_date",
    "horizon_days",
    "seed",
    "planner",
    "simulation",
    "medical",
    "evacuation",
    "tables",
)
FORMAT = "corridor/1"
