# Cython declarations for kernel.py (used only when it is compiled: see pyproject.toml)
cimport cython


@cython.locals(tx=double, ty=double)
cdef inline bint _before(tuple x, tuple y)

@cython.locals(item=tuple, parent=Py_ssize_t, up=tuple)
cdef void _sift_down(list heap, Py_ssize_t start, Py_ssize_t pos)

cpdef heappush(list heap, tuple item)

@cython.locals(last=tuple, top=tuple, end=Py_ssize_t, item=tuple, pos=Py_ssize_t,
               child=Py_ssize_t, right=Py_ssize_t)
cpdef tuple heappop(list heap)


cdef class Kernel:
    cdef public list _handlers, heap
    cdef public Py_ssize_t seq, events
    cdef public double now

    cpdef Py_ssize_t register(self, object handler)
    cpdef at(self, double time, Py_ssize_t kind, Py_ssize_t a=*, Py_ssize_t b=*)
    cpdef clear(self)
    @cython.locals(heap=list, handlers=list, n=Py_ssize_t, time=double, kind=Py_ssize_t,
                   a=Py_ssize_t, b=Py_ssize_t)
    cpdef run(self, double until)
