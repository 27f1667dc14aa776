# Cython declarations for carriers.py (used only when it is compiled: see pyproject.toml)
cimport cython
from corridor.sim.slots cimport Slots, take

cdef double INF

@cython.locals(mult=double, d=double, dt=double, p=double, p_break=double,
               a=Py_ssize_t, cal=list, sl=Slots)
cpdef tuple travel(object run, tuple way, double t, Py_ssize_t mode)

@cython.locals(lane=Py_ssize_t, f=Py_ssize_t, mode=Py_ssize_t, src=Py_ssize_t,
               dst=Py_ssize_t, lost_arc=Py_ssize_t, spread=double, tonnes=double,
               end=double, done=double, h=Py_ssize_t)
cpdef start_trip(object run, Py_ssize_t c, double t)
