# Cython declarations for carriers.py (used only when it is compiled: see pyproject.toml)
cimport cython
from corridor.sim.disruptions cimport Profile
from corridor.sim.slots cimport Slots, take, take_work
from corridor.sim.state cimport Draws, Multipliers, RunState, calendar

cdef double INF
cdef Py_ssize_t N_MODES, _SLOTTED, _GATED

@cython.locals(k=Py_ssize_t, dt=double, st=RunState, prof=Profile)
cpdef double node_gate(object run, Py_ssize_t node, Py_ssize_t mode, double t)

@cython.locals(dt=double, st=RunState)
cpdef double handle(object run, Py_ssize_t node, double tonnes, double t)

@cython.locals(dt=double, st=RunState)
cpdef double transship(object run, Py_ssize_t node, double tonnes, double t)

@cython.locals(mult=double, d=double, dt=double, p=double, p_break=double, s=double,
               a=Py_ssize_t, k=Py_ssize_t, cal=list, sl=Slots, st=RunState,
               mu=Multipliers, buf=list, prof=Profile, draws=Draws)
cpdef tuple travel(object run, tuple way, double t, Py_ssize_t mode)

@cython.locals(lane=Py_ssize_t, f=Py_ssize_t, mode=Py_ssize_t, src=Py_ssize_t,
               dst=Py_ssize_t, lost_arc=Py_ssize_t, spread=double, tonnes=double,
               end=double, done=double, h=Py_ssize_t, st=RunState, mu=Multipliers,
               buf=list, load=list, way=tuple)
cpdef start_trip(object run, Py_ssize_t c, double t)

@cython.locals(st=RunState, f=Py_ssize_t, way=tuple, lost_arc=Py_ssize_t)
cpdef double reposition(object run, Py_ssize_t c, Py_ssize_t to, double t, Py_ssize_t kind,
                 bint then_load=*)

@cython.locals(st=RunState, lane=Py_ssize_t, speed=double, mult=double, head=double,
               tail=double, a=Py_ssize_t, prof=Profile, dt=double, factor=double,
               d=double)
cpdef march(object run, Py_ssize_t s, double n, double t)
