# Cython declarations for dispatch.py (used only when it is compiled: see pyproject.toml).
# The policy is a C-level class over the C-level run state (state.pxd): its fields and
# the state's are struct reads, and its methods call each other in C.
cimport cython
from corridor.sim.carriers cimport reposition, start_trip
from corridor.sim.state cimport RunState

cdef double INF
cdef double EPS


cdef class Policy:
    cdef public object run
    cdef public RunState st
    cdef public bint follow_plan
    cdef public list unit, cap, lane_fill, stage_rank, stage_pos, lane_fleets, released
    cdef public list lane_mixed, releases
    cdef public object lane_stages, fleet_lanes, stage_fleets, row
    cdef public Py_ssize_t n_nodes, n_fleets
    cdef public dict _nearest, _fill
    cdef public double step_d

    @cython.locals(st=RunState, waiting=list, quota=list, rt=double, rm=double, rp=double,
                   rl=double, ct=double, cm=double, cp=double, cl=double, take=list,
                   full=bint, info=tuple, j=Py_ssize_t, s=Py_ssize_t, ut=double, um=double,
                   up=double, ul=double, whole=bint, w=double, q=double, n=double)
    cpdef tuple fill(self, Py_ssize_t lane, Py_ssize_t f, tuple room)

    @cython.locals(key=Py_ssize_t, ver=Py_ssize_t, hit=tuple)
    cpdef tuple fill_full(self, Py_ssize_t lane, Py_ssize_t f)

    @cython.locals(st=RunState, rank=double)
    cpdef activate(self, Py_ssize_t lane, Py_ssize_t s)

    cpdef deactivate(self, Py_ssize_t lane)

    @cython.locals(st=RunState, s=Py_ssize_t)
    cpdef bint expects(self, Py_ssize_t lane, Py_ssize_t f)

    @cython.locals(st=RunState, key=Py_ssize_t, ver=Py_ssize_t, hit=tuple, idle=dict,
                   best_d=double, d=double, rows=dict)
    cpdef tuple nearest(self, Py_ssize_t f, Py_ssize_t to)

    cpdef dispatch_lane(self, Py_ssize_t lane, double t, bint force=*)

    @cython.locals(pick=tuple, c=Py_ssize_t, f=Py_ssize_t, full=bint)
    cpdef bint dispatch_one(self, Py_ssize_t lane, double t, bint force=*)

    @cython.locals(rank=list, queue=list, i=Py_ssize_t, lane=Py_ssize_t)
    cpdef dispatch_lanes(self, list lanes, double t)

    @cython.locals(st=RunState, n_idle=list, idle=list, f=Py_ssize_t, here=list,
                   options=list, memo=dict, ver=list, n_nodes=Py_ssize_t, hit=tuple,
                   c=Py_ssize_t, d=double)
    cpdef tuple _carrier_for(self, Py_ssize_t lane, list fleets, Py_ssize_t src)

    @cython.locals(st=RunState, waiting=list, quota=list, since=list, s=Py_ssize_t,
                   n=double, stages=object, wait=list, first=Py_ssize_t, j=Py_ssize_t)
    cpdef reserve(self, Py_ssize_t c, Py_ssize_t lane, list take)

    @cython.locals(st=RunState, f=Py_ssize_t, rt=double, rm=double, rp=double, rl=double,
                   s=Py_ssize_t, n=double, ut=double, um=double, up=double, ul=double)
    cpdef top_up(self, Py_ssize_t c)

    @cython.locals(st=RunState, f=Py_ssize_t, lanes=set, full=bint, pos=Py_ssize_t,
                   row=list, src=list)
    cpdef find_work(self, Py_ssize_t c, double t)

    @cython.locals(st=RunState, since=list, oldest=double, due=double)
    cpdef bint holds(self, Py_ssize_t lane, list take, double t)

    @cython.locals(st=RunState, waiting=list, quota=list, pending=list, due=double)
    cpdef bint plan_holds(self, Py_ssize_t lane, double t)

    @cython.locals(st=RunState, src=Py_ssize_t, rel=list, k=Py_ssize_t, nxt=double,
                   rt=double, rm=double, rp=double, rl=double, took=dict, s=Py_ssize_t,
                   n=double, ut=double, um=double, up=double, ul=double, whole=bint,
                   fits=double, r=double, u=double, waiting=list, quota=list,
                   back=double)
    cpdef bint catches_up(self, Py_ssize_t c, Py_ssize_t lane, Py_ssize_t f, list take,
                          double t)

    @cython.locals(st=RunState, f=Py_ssize_t, src=Py_ssize_t)
    cpdef send(self, Py_ssize_t c, Py_ssize_t lane, list take, double t, bint full=*)
