"""What is being routed: one item type, people or bulk, and a movement's cargo classes.

A :class:`Cargo` is the routing view of a load (its MLC, mass, footprint, whether it can
drive itself). :func:`cargo_classes` groups a movement's cargo into classes that route
identically (docs/model.md, "Cargo"): people; bulk tonnes; items grouped by the set of
links their MLC lets them use, whether they drive themselves (and how fast), and the
set of fleets able to carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from corridor.network.graph import Network, build_network
from corridor.scenario import Scenario

CargoKind = Literal["item", "pax", "bulk", "litter"]
SPECIAL = ("pax", "bulk", "litter")


@dataclass(frozen=True)
class Cargo:
    """One unit of what moves. ``march_km_per_day > 0``: it may drive itself on roads."""

    kind: CargoKind
    label: str
    mlc: float = 0.0
    mass_t: float = 0.0
    footprint_m2: float = 0.0
    march_km_per_day: float = 0.0

    def describe(self) -> str:
        if self.kind == "item":
            return f"{self.label} (MLC {self.mlc:g})"
        return {"pax": "people (pax)", "bulk": "bulk cargo", "litter": "stretcher patients"}[
            self.kind]

    def fleet_misfit(self, net: Network, f: int) -> str:
        """Why fleet ``f`` cannot take this cargo ('' if it can): model.md, "Carriers"."""
        fl = net.fleets
        if self.kind == "pax":
            return "" if fl.capacity_pax[f] > 0 else "capacity_pax 0"
        if self.kind == "bulk":
            return "" if fl.capacity_t[f] > 0 else "capacity_t 0"
        if self.kind == "litter":
            return "" if fl.capacity_litters[f] > 0 else "capacity_litters 0"
        why = []
        if self.mlc > fl.max_item_mlc[f]:
            why.append(f"max_item_mlc {fl.max_item_mlc[f]:g}")
        if self.mass_t > fl.capacity_t[f] or fl.capacity_t[f] <= 0:
            why.append(f"capacity_t {fl.capacity_t[f]:g} < {self.mass_t:g} t")
        if self.footprint_m2 > fl.capacity_m2[f]:
            why.append(f"capacity_m2 {fl.capacity_m2[f]:g} < {self.footprint_m2:g} m2")
        return ", ".join(why)


def cargo_of(net: Network, item: str | Cargo | CargoClass) -> Cargo:
    """``item`` as a Cargo: an equipment type id, 'pax', 'bulk', 'litter' or a class."""
    if isinstance(item, Cargo):
        return item
    if isinstance(item, CargoClass):
        return item.cargo()
    if item in SPECIAL:
        return Cargo(kind=item, label=item)  # type: ignore[arg-type]
    i = net.items.index.get(item)
    if i is None:
        raise ValueError(f"unknown item '{item}': give an equipment type id (from the "
                         "catalog or equipment.csv), 'pax', 'bulk' or 'litter'")
    it = net.items
    return Cargo("item", item, float(it.mlc[i]), float(it.mass_t[i]),
                 float(it.footprint_m2[i]), float(it.march_km_per_day[i]))


@dataclass(frozen=True)
class CargoClass:
    """Part of a movement's cargo that routes as one (see module doc).

    For an item class, ``mlc``, ``max_mass_t`` and ``max_footprint_m2`` are those of its
    heaviest / largest item and ``march_km_per_day`` its slowest self-mover, so routing
    the class (:meth:`cargo`) is exact for every item in it: all items fit the same
    ``fleets`` and pass the same links. ``seats`` are the seats of the class's
    self-moving vehicles (people may ride in them, model.md "Self-movement")."""

    key: str
    kind: CargoKind
    count: int  # items, or people for 'pax'
    mass_t: float
    footprint_m2: float = 0.0
    pax: int = 0
    seats: int = 0
    mlc: float = 0.0
    max_mass_t: float = 0.0
    max_footprint_m2: float = 0.0
    self_moving: bool = False
    march_km_per_day: float = 0.0
    fleets: tuple[str, ...] = ()
    items: Mapping[str, int] = field(default_factory=dict)

    def cargo(self) -> Cargo:
        if self.kind != "item":
            return Cargo(self.kind, self.kind)
        return Cargo("item", self.key, self.mlc, self.max_mass_t, self.max_footprint_m2,
                     self.march_km_per_day if self.self_moving else 0.0)


def cargo_classes(scenario: Scenario, movement_id: str,
                  net: Network | None = None) -> list[CargoClass]:
    """Group movement ``movement_id``'s cargo into routing classes (people first, then
    bulk, then item classes by ascending MLC)."""
    if movement_id not in scenario.movements.index:
        raise ValueError(f"unknown movement '{movement_id}'")
    net = net or build_network(scenario)
    row: dict[Any, Any] = scenario.movements.loc[movement_id].to_dict()
    pax = int(row["pax"])
    supplies_t = float(row["supplies_t"])
    equipment: dict[str, int] = dict(row["equipment"])
    out: list[CargoClass] = []
    limits = np.unique(net.arcs.max_mlc[np.isfinite(net.arcs.max_mlc)])
    groups: dict[tuple[bool, float, int, tuple[str, ...]], dict[str, int]] = {}
    for t, n in equipment.items():
        if n <= 0:
            continue
        c = cargo_of(net, t)
        fleets = tuple(str(net.fleets.ids[f]) for f in range(len(net.fleets))
                       if not c.fleet_misfit(net, f))
        band = int(np.searchsorted(limits, c.mlc, side="left"))  # limits it exceeds
        k = (c.march_km_per_day > 0, c.march_km_per_day, band, fleets)
        groups.setdefault(k, {})[t] = groups.get(k, {}).get(t, 0) + int(n)
    seats_total = 0
    classes: list[CargoClass] = []
    for (self_moving, march, _band, fleets), items in groups.items():
        idx = [net.items.index[t] for t in items]
        cnt = np.array(list(items.values()), dtype=float)
        it = net.items
        mlc = float(it.mlc[idx].max())
        seats = int((it.seats[idx] * cnt).sum()) if self_moving else 0
        seats_total += seats
        how = f"self{march:g}kmd" if self_moving else "carried"
        classes.append(CargoClass(
            key=f"{how}-mlc{mlc:g}-" + ("+".join(fleets) if fleets else "nofleet"),
            kind="item",
            count=int(cnt.sum()),
            mass_t=float((it.mass_t[idx] * cnt).sum()),
            footprint_m2=float((it.footprint_m2[idx] * cnt).sum()),
            seats=seats,
            mlc=mlc,
            max_mass_t=float(it.mass_t[idx].max()),
            max_footprint_m2=float(it.footprint_m2[idx].max()),
            self_moving=self_moving,
            march_km_per_day=float(march),
            fleets=fleets,
            items=dict(sorted(items.items())),
        ))
    classes.sort(key=lambda c: (c.mlc, c.key))
    fits = [str(net.fleets.ids[f]) for f in range(len(net.fleets))]
    if pax > 0:
        pax_cargo = Cargo("pax", "pax")
        out.append(CargoClass("pax", "pax", count=pax, mass_t=0.0, pax=pax, seats=seats_total,
                              fleets=tuple(f for i, f in enumerate(fits)
                                           if not pax_cargo.fleet_misfit(net, i))))
    if supplies_t > 0:
        bulk = Cargo("bulk", "bulk")
        out.append(CargoClass("bulk", "bulk", count=0, mass_t=supplies_t,
                              fleets=tuple(f for i, f in enumerate(fits)
                                           if not bulk.fleet_misfit(net, i))))
    return out + classes


def litter_class(c: CargoClass, net: Network, seats: int = 0) -> CargoClass | None:
    """A casualty movement's people as stretcher patients: scenario-format.md, "Casualty
    evacuation uses carriers with capacity_litters > 0". As the planner forms them
    (``plan/commodities.py``): the people of pax class ``c`` not in the ``seats`` of
    the movement's self-moving vehicles, a ``litter`` class (key ``litter``) carried
    by the fleets with ``capacity_litters > 0``; None when none are left."""
    n = c.count - min(c.count, seats)
    if n <= 0:
        return None
    fl = net.fleets
    return CargoClass("litter", "litter", count=int(n), mass_t=0.0, pax=int(n),
                      fleets=tuple(str(fl.ids[f]) for f in range(len(fl))
                                   if fl.capacity_litters[f] > 0))


def is_casualty(scenario: Scenario, movement_id: str) -> bool:
    """Whether movement ``movement_id`` moves casualties (``kind: casualty``)."""
    mv = scenario.movements
    return "kind" in mv.columns and str(mv.at[movement_id, "kind"]) == "casualty"

