# Cython declarations for engine.py (used only when it is compiled: see pyproject.toml).
# A run is a C-level class: its handlers read the run's tables and state (state.pxd)
# as struct fields and call each other and the policy (dispatch.pxd) in C.
cimport cython
from corridor.sim.carriers cimport march, reposition, start_trip, transship
from corridor.sim.dispatch cimport Policy
from corridor.sim.kernel cimport Kernel
from corridor.sim.state cimport Draws, Multipliers, RunState

cdef double INF
cdef double EPS
cdef Py_ssize_t SELF_MOVE


cdef class Run:
    cdef public object model, shared, medical
    cdef public RunState st
    cdef public Draws draws
    cdef public Multipliers mult
    cdef public Kernel kernel
    cdef public Policy policy
    cdef public list visit_dt, handling_dt, transship_dt, slot_dt, flow_dt, arc_km
    cdef public list fleet_mode, load_d, unload_d, lane_src, lane_dst, lane_mode, lane_km
    cdef public list stage_lane, stage_next, stage_mc, stage_delay, stage_transship
    cdef public list stage_unit_t, share, mc_movement, mc_unit_pax, mc_dest, mc_stock
    cdef public list breakdown_km, repair_d, gated, first_carrier, lane_ways
    cdef public Py_ssize_t road, n_initial
    cdef public double hold_d
    cdef public Py_ssize_t K_IN, K_FREE, K_AT, K_BACK, K_HOLD, K_QUOTA, K_LOST, K_READY
    cdef public Py_ssize_t K_DAILY, K_MARCHED, K_CALL, K_CALLED
    cdef public dict coming, called
    cdef public list calls
    cdef public list held

    @cython.locals(nxt=Py_ssize_t, t2=double, node=Py_ssize_t)
    cpdef forward(self, Py_ssize_t s, double n, double t)

    @cython.locals(heap=list, nxt=tuple)
    cpdef on_cargo_in(self, double t, Py_ssize_t s, Py_ssize_t p)

    cpdef on_marched(self, double t, Py_ssize_t s, Py_ssize_t p)

    @cython.locals(st=RunState, before=double, left=double, lane=Py_ssize_t)
    cpdef arrive(self, Py_ssize_t s, double n, double t)

    @cython.locals(held=list, lanes=list, s=Py_ssize_t, lane=Py_ssize_t)
    cpdef send_held(self, double t)

    @cython.locals(st=RunState, n=double)
    cpdef march_off(self, Py_ssize_t s, double t)

    @cython.locals(st=RunState, unit_pax=double, mv=Py_ssize_t)
    cpdef deliver(self, Py_ssize_t mc, double n, double t)

    @cython.locals(st=RunState, mv=Py_ssize_t)
    cpdef _settle(self, Py_ssize_t mc, double n, double t)

    @cython.locals(tonnes=double, unit_t=list, s=Py_ssize_t, n=double)
    cpdef double load_tonnes(self, list load)

    @cython.locals(st=RunState, f=Py_ssize_t, here=list)
    cpdef add_idle(self, Py_ssize_t c)

    @cython.locals(st=RunState, f=Py_ssize_t)
    cpdef take_idle(self, Py_ssize_t c)

    @cython.locals(st=RunState, lane=Py_ssize_t, f=Py_ssize_t, here=list, load=list,
                   s=Py_ssize_t, n=double, src=Py_ssize_t)
    cpdef on_free(self, double t, Py_ssize_t c, Py_ssize_t node)

    @cython.locals(st=RunState)
    cpdef on_back(self, double t, Py_ssize_t c, Py_ssize_t node)

    @cython.locals(st=RunState, day=double, src=Py_ssize_t, need=Py_ssize_t,
                   key=Py_ssize_t, etas=list, total=Py_ssize_t, in_time=Py_ssize_t,
                   cands=list, d=double, c=Py_ssize_t, eta=double, sent=bint)
    cpdef bint answer_call(self, tuple call, Py_ssize_t f, double t, Py_ssize_t only,
                           double d_only)

    @cython.locals(st=RunState, f=Py_ssize_t, calls=list, row=list, call=tuple, d=double,
                   went=bint)
    cpdef bint answer_calls(self, Py_ssize_t c, double t)

    cpdef on_at(self, double t, Py_ssize_t c, Py_ssize_t node)

    cpdef on_hold(self, double t, Py_ssize_t lane, Py_ssize_t _b)

    @cython.locals(st=RunState, lane=Py_ssize_t)
    cpdef on_quota(self, double t, Py_ssize_t s, Py_ssize_t i)

    @cython.locals(st=RunState, t=double, lane=Py_ssize_t, s=Py_ssize_t, n=double)
    cpdef unreserve(self, Py_ssize_t c)
