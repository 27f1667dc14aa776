# cython: annotation_typing=False, boundscheck=False, wraparound=False
"""Binary search in a sorted list of floats: :func:`bisect.bisect_right`, written out.

Compiled (``search.pxd``), the booking calendars and disruption profiles call it as a
C function on an unboxed time, instead of calling into Python and comparing Python
floats; it runs about a hundred thousand times per eastern-flank run."""

from __future__ import annotations


def after(a: list[float], x: float) -> int:
    """The index just past the last element ``<= x`` (``bisect.bisect_right(a, x)``)."""
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) >> 1
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo
