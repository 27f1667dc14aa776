"""Civil evacuation: the quickest flow to shelters (exact) and CCRP (heuristic)."""

from corridor.evacuate.engine import evacuate
from corridor.evacuate.network import EvacNetwork, build_network
from corridor.evacuate.options import EvacOptions, resolve_options
from corridor.evacuate.result import EvacuationResult

__all__ = [
    "EvacNetwork",
    "EvacOptions",
    "EvacuationResult",
    "build_network",
    "evacuate",
    "resolve_options",
]
