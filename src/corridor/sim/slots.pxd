# Cython declarations for slots.py (used only when it is compiled: see pyproject.toml)
cimport cython
from corridor.sim.search cimport after
from corridor.sim.disruptions cimport Profile

cdef double INF

cdef class Slots:
    cdef public list starts
    cdef public list ends

    @cython.locals(n=Py_ssize_t, i=Py_ssize_t)
    cpdef tuple earliest(self, double t, double length)

    @cython.locals(n=Py_ssize_t, i=Py_ssize_t, end=double)
    cpdef double book(self, double t, double length)


@cython.locals(f=double, start=double, factor=list)
cpdef double take(Slots slots, Profile prof, double t, double length)


@cython.locals(i=Py_ssize_t, n=Py_ssize_t, f=double, end=double, left=double,
               breaks=list, factor=list)
cpdef double finish(Profile prof, double t, double length)

@cython.locals(start=double, end=double)
cpdef double take_work(Slots slots, Profile prof, double t, double length)
