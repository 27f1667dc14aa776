# cython: annotation_typing=False
"""A queue in front of ``c`` identical servers, on the event kernel.

Jobs are integers; each arrives with a priority class (lower is served first, first
come first served within a class). When a server takes a job the owner's
``on_start(time, job)`` returns how long the service lasts; when it ends,
``on_end(time, job)`` is called. Used for the operating tables of a hospital (and
tested against Erlang C as an M/M/c queue).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from corridor.sim.kernel import Kernel


class Servers:
    __slots__ = ("K_END", "busy", "c", "kernel", "on_end", "on_start", "peak_queue", "queues")

    def __init__(self, kernel: Kernel, c: int, classes: int,
                 on_start: Callable[[float, int], float],
                 on_end: Callable[[float, int], None] | None = None) -> None:
        self.kernel = kernel
        self.c = c
        self.busy = 0
        self.queues: list[deque[int]] = [deque() for _ in range(classes)]
        self.on_start = on_start
        self.on_end = on_end
        self.peak_queue = 0
        self.K_END = kernel.register(self._end)

    def arrive(self, t: float, job: int, cls: int) -> None:
        if self.busy < self.c:
            self._start(t, job)
            return
        self.queues[cls].append(job)
        waiting = sum(len(q) for q in self.queues)
        if waiting > self.peak_queue:
            self.peak_queue = waiting

    def waiting(self) -> list[int]:
        return [j for q in self.queues for j in q]

    def _start(self, t: float, job: int) -> None:
        self.busy += 1
        self.kernel.at(t + self.on_start(t, job), self.K_END, job, 0)

    def _end(self, t: float, job: int, _b: int) -> None:
        self.busy -= 1
        if self.on_end is not None:
            self.on_end(t, job)
        for q in self.queues:
            if q:
                self._start(t, q.popleft())
                return
