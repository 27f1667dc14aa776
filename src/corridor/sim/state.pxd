# Cython declarations for state.py (used only when it is compiled: see pyproject.toml).
# A run's state is a C-level class: compiled code reads its fields from the struct
# instead of looking names up (a quarter of the compiled run's work before).
cimport cython
from corridor.sim.slots cimport Slots



cdef class Draws:
    cdef public object rng
    cdef public list _n
    cdef public list _u

    cpdef double normal(self)
    cpdef double uniform(self)
    cpdef double exponential(self, double mean)


cdef class Multipliers:
    cdef public object rng
    cdef public str dist
    cdef public list spread
    cdef public Py_ssize_t handling
    cdef public list buf

    cpdef list refill(self, Py_ssize_t k)
    cpdef double travel_of(self, Py_ssize_t mode)
    cpdef double handling_time(self)


cdef class RunState:
    cdef public Draws draws
    cdef public Multipliers mult
    cdef public list waiting, pending, lane_pending, quota, since, hold_at
    cdef public list active, lane_rank, lane_wait, in_wait, lane_ver
    cdef public list fleet_of, pos, lane_of, load, idle, n_idle, is_idle, idle_ver
    cdef public list arc_cal
    cdef public dict flow_slots, visit_slots, handling_slots, transship_slots
    cdef public list delivered, lost, left, open_mcs, closure, last_in, carriers_lost
    cdef public list losses, stockouts, stock, troops
    cdef public Py_ssize_t trips
    cdef public list arrival_log, parcel_amt, lost_loads, stuck
    cdef public list arc_prof, node_prof, windows

    cpdef Py_ssize_t parcel(self, double amount)


cpdef Slots calendar(dict table, Py_ssize_t key)
