"""What the planner moves: one *commodity* per movement and cargo class, plus the
sustainment demand of ``supply.csv`` cut into due-dated chunks.

A commodity is measured in its own unit: items (count), people, stretcher patients
or bulk tonnes. Items of one class move as "average items" of the class (mass and
deck area per unit are the class means); which fleets may take them and which links
they may use is exact for every item in the class (corridor.network.cargo).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.network.cargo import CargoClass, cargo_classes, is_casualty, litter_class
from corridor.network.graph import Network
from corridor.scenario import Scenario

Unit = Literal["item", "pax", "litter", "t"]
PAX_T = 0.1  # tonnes per person with kit, only to weigh people in a movement's share
SUPPLY_PRIORITY = 3  # supply.csv has no priority column: sustainment weighs as routine
SUPPLY_CHUNKS = 4  # at most this many due-dated chunks per supply row
SUPPLY_CHUNK_MIN_DAYS = 1.0


@dataclass(frozen=True)
class Commodity:
    index: int
    group: str  # movement id, or the supply row's id
    kind: Literal["movement", "supply"]
    cls: CargoClass  # what the router routes
    label: str  # class key, e.g. "carried-mlc70-het"
    unit: Unit
    quantity: float  # in ``unit``
    mass_t: float  # per unit
    area_m2: float  # per unit
    pax: float  # people per unit (pax: 1)
    items: dict[str, float] = field(default_factory=dict)  # equipment per unit
    origins: tuple[str, ...] = ()
    destination: str = ""
    via: tuple[str, ...] = ()
    ready_day: float = 0.0
    due_day: float = 0.0
    priority: int = 3
    weight: float = 1.0  # objective weight of this commodity's whole quantity
    share_weight: float = 1.0  # its weight in the movement's share arrived
    march_km_per_day: float = 0.0

    @property
    def describe(self) -> str:
        if self.unit == "item":
            top = sorted(self.items.items(), key=lambda kv: -kv[1])[:3]
            names = ", ".join(k for k, _ in top)
            return f"{self.quantity:g} item(s) ({names}; MLC {self.cls.mlc:g})"
        return {"pax": f"{self.quantity:g} people", "litter": f"{self.quantity:g} patients",
                "t": f"{self.quantity:,.0f} t"}[self.unit]


@dataclass(frozen=True)
class Group:
    """A movement or a supply row: what the summary reports on."""

    id: str
    kind: Literal["movement", "supply"]
    origin: str
    destination: str
    ready_day: float
    due_day: float
    priority: int
    commodities: tuple[int, ...]
    label: str = ""


def mlc_thresholds(net: Network) -> NDArray[np.float64]:
    """MLC limits that split items into planner classes: link limits and carrier ratings."""
    lim = np.concatenate([net.arcs.max_mlc, net.fleets.max_item_mlc])
    return np.unique(lim[np.isfinite(lim)])


def merge_classes(classes: list[CargoClass], thresholds: NDArray[np.float64]
                  ) -> list[CargoClass]:
    """Items that drive themselves, or are carried, within one MLC band move as one
    class: the heaviest item's MLC, the slowest march and the fleets every item fits
    (docs/planner.md, "Cargo classes"). Classes with no common fleet stay apart."""
    out: list[CargoClass] = []
    groups: dict[tuple[bool, int], list[CargoClass]] = {}
    for c in classes:
        if c.kind != "item":
            out.append(c)
            continue
        band = int(np.searchsorted(thresholds, c.mlc, side="left"))
        groups.setdefault((c.self_moving, band), []).append(c)
    for (self_moving, _), cs in groups.items():
        fleets = [f for f in cs[0].fleets if all(f in c.fleets for c in cs[1:])]
        if len(cs) > 1 and not fleets and not self_moving:
            out.extend(cs)
            continue
        items: dict[str, int] = {}
        for c in cs:
            for k, v in c.items.items():
                items[k] = items.get(k, 0) + int(v)
        mlc = max(c.mlc for c in cs)
        march = min(c.march_km_per_day for c in cs) if self_moving else 0.0
        how = f"self{march:g}kmd" if self_moving else "carried"
        out.append(CargoClass(
            key=f"{how}-mlc{mlc:g}-" + ("+".join(fleets) if fleets else "nofleet"),
            kind="item", count=sum(c.count for c in cs), mass_t=sum(c.mass_t for c in cs),
            footprint_m2=sum(c.footprint_m2 for c in cs), seats=sum(c.seats for c in cs),
            mlc=mlc, max_mass_t=max(c.max_mass_t for c in cs),
            max_footprint_m2=max(c.max_footprint_m2 for c in cs), self_moving=self_moving,
            march_km_per_day=march, fleets=tuple(fleets), items=dict(sorted(items.items()))))
    return out


def _movement_commodities(scenario: Scenario, net: Network, mid: str, start: int
                          ) -> list[Commodity]:
    m: Any = scenario.movements.loc[mid]
    classes = merge_classes(cargo_classes(scenario, mid, net), mlc_thresholds(net))
    seats = sum(c.seats for c in classes if c.kind == "item" and c.self_moving)
    casualty = is_casualty(scenario, mid)
    out: list[Commodity] = []
    prio = int(m["priority"])
    common = dict(group=str(mid), kind="movement", origins=(str(m["origin"]),),
                  destination=str(m["destination"]), via=tuple(m["via"] or ()),
                  ready_day=float(m["ready_day"]), due_day=float(m["due_day"]),
                  priority=prio)
    for c in classes:
        if c.kind == "item":
            n = float(c.count)
            out.append(Commodity(
                index=0, cls=c, label=c.key, unit="item", quantity=n,
                mass_t=c.mass_t / n, area_m2=c.footprint_m2 / n, pax=0.0,
                items={k: v / n for k, v in c.items.items()},
                share_weight=c.mass_t, march_km_per_day=c.march_km_per_day if
                c.self_moving else 0.0, **common))  # type: ignore[arg-type]
        elif c.kind == "pax":
            # Crews ride in the seats of their self-moving vehicles (docs/planner.md).
            n = float(c.count - min(c.count, seats))
            if n <= 0:
                continue
            unit: Unit = "litter" if casualty else "pax"
            cc = litter_class(c, net, seats) if casualty else \
                dataclasses.replace(c, count=int(n), pax=int(n))
            assert cc is not None  # n > 0 people are left
            out.append(Commodity(index=0, cls=cc, label=unit, unit=unit, quantity=n,
                                 mass_t=0.0, area_m2=0.0, pax=1.0, share_weight=n * PAX_T,
                                 **common))  # type: ignore[arg-type]
        elif c.kind == "bulk":
            out.append(Commodity(index=0, cls=c, label="bulk", unit="t", quantity=c.mass_t,
                                 mass_t=1.0, area_m2=0.0, pax=0.0, share_weight=c.mass_t,
                                 **common))  # type: ignore[arg-type]
    k = len(out)
    total_share = sum(c.share_weight for c in out) or 1.0
    return [dataclasses.replace(c, index=start + i, weight=1.0 / prio / k,
                                share_weight=c.share_weight / total_share)
            for i, c in enumerate(out)]


def supply_depots(scenario: Scenario, node: str) -> tuple[str, ...]:
    n = scenario.nodes
    depots = n[(n["kind"] == "depot") & (n["storage_t"] > 0) & (n.index != node)]
    return tuple(str(i) for i in depots.index)


def supply_id(scenario: Scenario, row: int) -> str:
    r = scenario.supply.iloc[row]
    return f"supply{row + 1}:{r['class']}@{r['node']}"


def _supply_commodities(scenario: Scenario, row: int, start: int) -> list[Commodity]:
    r = scenario.supply.iloc[row]
    a = float(r["start_day"])
    b = min(float(r["end_day"]), float(scenario.horizon_days))
    rate = float(r["t_per_day"])
    if b <= a or rate <= 0:
        return []
    length = max(SUPPLY_CHUNK_MIN_DAYS, (b - a) / SUPPLY_CHUNKS)
    n = max(1, math.ceil((b - a) / length - 1e-9))
    origins = (str(r["source"]),) if r["source"] else supply_depots(scenario, str(r["node"]))
    gid = supply_id(scenario, row)
    bulk = CargoClass("bulk", "bulk", count=0, mass_t=rate * (b - a))
    out = []
    for i in range(n):
        lo, hi = a + i * length, min(b, a + (i + 1) * length)
        q = rate * (hi - lo)
        out.append(Commodity(
            index=start + i, group=gid, kind="supply", cls=bulk, label=f"day{lo:g}",
            unit="t", quantity=q, mass_t=1.0, area_m2=0.0, pax=0.0, origins=origins,
            destination=str(r["node"]), ready_day=0.0, due_day=lo, priority=SUPPLY_PRIORITY,
            weight=1.0 / SUPPLY_PRIORITY * q / (rate * (b - a)),
            share_weight=q / (rate * (b - a))))
    return out


def commodities(scenario: Scenario, net: Network) -> tuple[list[Commodity], list[Group]]:
    out: list[Commodity] = []
    groups: list[Group] = []
    for mid, m in scenario.movements.iterrows():
        cs = _movement_commodities(scenario, net, str(mid), len(out))
        out.extend(cs)
        groups.append(Group(str(mid), "movement", str(m["origin"]), str(m["destination"]),
                            float(m["ready_day"]), float(m["due_day"]), int(m["priority"]),
                            tuple(c.index for c in cs), str(m["unit"])))
    for row in range(len(scenario.supply)):
        cs = _supply_commodities(scenario, row, len(out))
        r = scenario.supply.iloc[row]
        out.extend(cs)
        groups.append(Group(supply_id(scenario, row), "supply", str(r["source"]),
                            str(r["node"]), float(r["start_day"]), float(r["start_day"]),
                            SUPPLY_PRIORITY, tuple(c.index for c in cs),
                            f"class {r['class']} {float(r['t_per_day']):g} t/day"))
    return out, groups


def group_frame(groups: list[Group]) -> pd.DataFrame:
    return pd.DataFrame([dataclasses.asdict(g) for g in groups]).set_index("id")
