# Cython declarations for search.py (used only when it is compiled: see pyproject.toml).
# search.py turns off bounds and negative-index checks: every index it reads lies in
# [0, len(a)).
cimport cython


@cython.locals(lo=Py_ssize_t, hi=Py_ssize_t, mid=Py_ssize_t)
cpdef Py_ssize_t after(list a, double x)
