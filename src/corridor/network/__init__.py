"""The multimodal network as arrays, routing over it, diagnosed NoRoute reasons, export.

    from corridor.network import build_network, route
    net = build_network(scenario)
    r = route(net, "bremerhaven", "rzeszow", "leopard2a6")   # or Router(net).route(...)
    r.total_h, r.total_km, r.segments, r.binding_mlc

See docs/network.md. Names are imported lazily so ``corridor --help`` (which imports
``corridor.network.commands``) does not load scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Cargo": "cargo", "CargoClass": "cargo", "cargo_classes": "cargo", "cargo_of": "cargo",
    "Network": "graph", "build_network": "graph",
    "Change": "routing", "Leg": "routing", "NoRoute": "routing", "Route": "routing",
    "Router": "routing", "Segment": "routing", "k_routes": "routing", "route": "routing",
}
__all__ = [
    "Cargo",
    "CargoClass",
    "Change",
    "Leg",
    "Network",
    "NoRoute",
    "Route",
    "Router",
    "Segment",
    "build_network",
    "cargo_classes",
    "cargo_of",
    "k_routes",
    "route",
]

if TYPE_CHECKING:
    from corridor.network.cargo import Cargo, CargoClass, cargo_classes, cargo_of
    from corridor.network.graph import Network, build_network
    from corridor.network.routing import (
        Change,
        Leg,
        NoRoute,
        Route,
        Router,
        Segment,
        k_routes,
        route,
    )


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"corridor.network.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'corridor.network' has no attribute '{name}'")
