# Cython declarations for medical.py (used only when it is compiled: see pyproject.toml).
# A run's medical chain is a C-level class over the C-level run (engine.pxd).
cimport cython
from corridor.sim.carriers cimport node_gate, travel
from corridor.sim.disruptions cimport Profile
from corridor.sim.engine cimport Run
from corridor.sim.state cimport Draws, RunState

cdef Py_ssize_t N_MODES, GATED


cdef class MedicalRun:
    cdef public Run run
    cdef public object mm
    cdef public Draws draws
    cdef public bint deterministic
    cdef public Py_ssize_t K_CAS, K_AT, K_DROP, K_LOAD, K_LOST, K_READY, K_OPEN, lost_carriers
    cdef public Py_ssize_t n_split
    cdef public Py_ssize_t today
    cdef public list t_wound, prec, site_of, t_hosp, t_surg, hit, carry
    cdef public list rate_day, rate_w, rate_k
    cdef public double died, kia, dnbi
    cdef public dict waiting, room_to, n_waiting, serves, idle, nearest, local, site_at
    cdef public dict held, opening, barred
    cdef public list car_fleet, car_pos, car_load, car_arc, tables, stays, losses
    cdef public dict lost_fleet, hosp_of
    cdef public tuple fleets, litters, hospitals, los_d
    cdef public dict routes

    @cython.locals(i=Py_ssize_t, lo=double, hi=double, troops=double)
    cpdef daily(self, double t, Py_ssize_t day)

    @cython.locals(sites=list, day=Py_ssize_t, i=Py_ssize_t, lo=double, hi=double)
    cpdef troops_in(self, Py_ssize_t node, double n, double t)

    @cython.locals(fresh=bint, scale=double, wia=Py_ssize_t, kia=Py_ssize_t,
                   dnbi=Py_ssize_t, j=Py_ssize_t, routine=bint)
    cpdef _expose(self, Py_ssize_t i, double troops, double lo, double hi, Py_ssize_t day)

    @cython.locals(s2=double)
    cpdef double _rate(self, double mean, str dist)

    @cython.locals(x=double, n=Py_ssize_t)
    cpdef Py_ssize_t _count(self, Py_ssize_t slot, double expected, str dist)

    @cython.locals(prec=Py_ssize_t, cid=Py_ssize_t)
    cpdef _wound(self, Py_ssize_t node, double lo, double hi, Py_ssize_t j, Py_ssize_t n,
                 bint routine)

    @cython.locals(u=double, a=double, b=double)
    cpdef Py_ssize_t _pick(self)

    @cython.locals(x=double, a=double, b=double)
    cpdef Py_ssize_t _split(self)

    @cython.locals(local=Py_ssize_t, prof=Profile, t_open=double)
    cpdef on_casualty(self, double t, Py_ssize_t cid, Py_ssize_t node)

    @cython.locals(held=list, cid=Py_ssize_t)
    cpdef on_open(self, double t, Py_ssize_t node, Py_ssize_t _b)

    cpdef on_ready(self, double t, Py_ssize_t c, Py_ssize_t _b)

    @cython.locals(cs=list, row=list, near=list)
    cpdef _idle(self, Py_ssize_t c)

    @cython.locals(room=dict, w=Py_ssize_t)
    cpdef _call_all(self, double t)

    @cython.locals(w=Py_ssize_t, idle=dict, near=list, cs=list, best=Py_ssize_t)
    cpdef _call(self, double t, Py_ssize_t node)

    @cython.locals(f=Py_ssize_t, run=Run, lost_arc=Py_ssize_t)
    cpdef _go(self, double t, Py_ssize_t c, Py_ssize_t to, Py_ssize_t kind)

    @cython.locals(run=Run, f=Py_ssize_t, mode=Py_ssize_t, ts=double)
    cpdef on_at_site(self, double t, Py_ssize_t c, Py_ssize_t node)

    cpdef on_load(self, double t, Py_ssize_t c, Py_ssize_t node)

    @cython.locals(run=Run, i=Py_ssize_t, f=Py_ssize_t, room=Py_ssize_t, load=list,
                   q=list, needs_table=bint, dest=Py_ssize_t, lost_arc=Py_ssize_t,
                   x=Py_ssize_t, mode=Py_ssize_t, t1=double, hn=Py_ssize_t)
    cpdef _load(self, double t, Py_ssize_t c, Py_ssize_t node)

    @cython.locals(best=Py_ssize_t, barred=list)
    cpdef Py_ssize_t _dest(self, Py_ssize_t i, Py_ssize_t node, double t, bint needs_table)

    @cython.locals(run=Run, f=Py_ssize_t, best=Py_ssize_t, best_t=double, h=Py_ssize_t,
                   way=tuple, x=double)
    cpdef Py_ssize_t _first_in(self, Py_ssize_t i, Py_ssize_t node, double t, tuple hosps,
                               list barred)

    @cython.locals(st=RunState, a=Py_ssize_t, d=double, k=Py_ssize_t, arc_prof=list,
                   prof=Profile)
    cpdef double _reach(self, tuple way, Py_ssize_t hn, double t)

    @cython.locals(waiting=list, p=Py_ssize_t, back=list)
    cpdef _put_back(self, Py_ssize_t node, list load)

    @cython.locals(near=list)
    cpdef _block(self, Py_ssize_t i, Py_ssize_t node)

    @cython.locals(cid=Py_ssize_t)
    cpdef on_drop(self, double t, Py_ssize_t c, Py_ssize_t h)

    @cython.locals(i=Py_ssize_t, f=Py_ssize_t, cid=Py_ssize_t, load=list)
    cpdef on_lost(self, double t, Py_ssize_t c, Py_ssize_t to)

    cpdef _admit(self, double t, Py_ssize_t cid, Py_ssize_t h)

    @cython.locals(mean=double, h=Py_ssize_t, dur=double, s2=double, prof=Profile,
                   start=double, factor=double, held=double)
    cpdef double _surgery_time(self, double t, Py_ssize_t cid)
