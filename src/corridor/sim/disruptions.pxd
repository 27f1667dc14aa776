# Cython declarations for disruptions.py (used only when it is compiled: see
# pyproject.toml): a profile is a C-level class, asked on every gated crossing.
cimport cython
from corridor.sim.search cimport after


cdef class Profile:
    cdef public list breaks, factor, loss

    cpdef Py_ssize_t at(self, double t)
    cpdef double factor_at(self, double t)
    cpdef double loss_at(self, double t)
    @cython.locals(i=Py_ssize_t, j=Py_ssize_t, p=double, breaks=list, loss=list)
    cpdef double loss_over(self, double t0, double t1)
    @cython.locals(i=Py_ssize_t, j=Py_ssize_t, p=double, breaks=list, loss=list)
    cpdef double risk_from(self, double t0, double t1)
    @cython.locals(i=Py_ssize_t, j=Py_ssize_t)
    cpdef tuple open_from(self, double t)
    cpdef double next_open(self, double t)
