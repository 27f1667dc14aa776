# cython: annotation_typing=False
"""The event kernel: a heap of timestamped events, dispatched by integer kind.

An event is a plain tuple ``(time, seq, kind, a, b)``: ``time`` in days, ``seq`` a
running counter that breaks ties first-in-first-out (so equal-time events run in
the order they were scheduled, on every machine), ``kind`` an index into the
handler table and ``a``, ``b`` two integer payloads (a carrier, a stage, a node…).
There are no per-event objects, callbacks or generators: the model's state lives
in numpy arrays (:mod:`corridor.sim.state`) and each handler is a plain function
``handler(time, a, b)``. That is what makes the kernel fast; see
``benchmarks/sim_speed.py`` for the comparison with SimPy.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[[float, int, int], None]
Event = tuple[float, int, int, int, int]


# The heap is :mod:`heapq`'s algorithm, written out so that compiled (kernel.pxd) two
# events compare as C numbers (time, then seq) rather than as Python tuples; that and
# the calls were a tenth of an eastern-flank run. Same algorithm, so the same layout.
def _before(x: Event, y: Event) -> bool:
    tx, ty = x[0], y[0]
    return tx < ty or (tx == ty and x[1] < y[1])


def _sift_down(heap: list[Event], start: int, pos: int) -> None:
    item = heap[pos]
    while pos > start:
        parent = (pos - 1) >> 1
        up = heap[parent]
        if _before(item, up):
            heap[pos] = up
            pos = parent
            continue
        break
    heap[pos] = item


def heappush(heap: list[Event], item: Event) -> None:
    """``heapq.heappush`` for events."""
    heap.append(item)
    _sift_down(heap, 0, len(heap) - 1)


def heappop(heap: list[Event]) -> Event:
    """``heapq.heappop`` for events."""
    last = heap.pop()
    if not heap:
        return last
    top = heap[0]
    end = len(heap)
    item = last
    pos = 0
    child = 1
    while child < end:
        right = child + 1
        if right < end and not _before(heap[child], heap[right]):
            child = right
        heap[pos] = heap[child]
        pos = child
        child = 2 * pos + 1
    heap[pos] = item
    _sift_down(heap, 0, pos)
    return top


class Kernel:
    """A discrete-event loop over integer-coded events."""

    __slots__ = ("_handlers", "events", "heap", "now", "seq")

    def __init__(self) -> None:
        self.heap: list[Event] = []
        self.seq = 0
        self.now = 0.0
        self.events = 0  # events dispatched so far
        self._handlers: list[Handler] = []

    def register(self, handler: Handler) -> int:
        """Add a handler; returns the kind to schedule it with."""
        self._handlers.append(handler)
        return len(self._handlers) - 1

    def at(self, time: float, kind: int, a: int = 0, b: int = 0) -> None:
        """Schedule event ``kind`` at ``time`` (never before now)."""
        if time < self.now:
            time = self.now
        heappush(self.heap, (time, self.seq, kind, a, b))
        self.seq += 1

    def clear(self) -> None:
        """Drop the handlers and pending events (the run is over)."""
        self._handlers.clear()
        self.heap.clear()

    def run(self, until: float) -> None:
        """Dispatch events in time order up to and including ``until``."""
        heap, handlers = self.heap, self._handlers
        n = 0
        while heap and heap[0][0] <= until:
            time, _, kind, a, b = heappop(heap)
            self.now = time
            handlers[kind](time, a, b)
            n += 1
        self.events += n
        if self.now < until and not heap:
            self.now = until
