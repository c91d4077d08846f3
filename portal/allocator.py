"""glibc's allocator, bounded for a serving process (issue 19).

By default glibc gives each thread that allocates an arena of its own, up to 8 per core,
and an arena keeps the peak of what its thread once held: with the thread pool's threads
(one per request in flight), a worker of the mixed load grew from 230 MB to 500 MB while
what Python held grew by 20 MB (measured with tracemalloc and mallinfo2: 230 MB of the
arenas were free but kept). Two arenas, and large blocks (a search writer's tables, a
rendered page) always mapped apart and given back when freed, keep it near what it holds.
An operator's own MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_ is kept.
"""

from __future__ import annotations

import ctypes
import os

# glibc's environment variables, read by a process when it starts (the workers).
BOUNDS = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
# mallopt's parameters for the same, for the process that is already running.
_MALLOPT = {"MALLOC_ARENA_MAX": -8, "MALLOC_MMAP_THRESHOLD_": -3}


def bound_allocator() -> None:
    """Bound this process's allocator from now on, and that of the processes it starts
    (``portal serve --workers N`` starts each worker as a new interpreter)."""
    for name, value in BOUNDS.items():
        os.environ.setdefault(name, value)
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: its allocator has no such arenas
        return
    for name, parameter in _MALLOPT.items():
        try:
            mallopt(parameter, int(os.environ[name]))
        except ValueError:  # an operator's value glibc will not read either
            continue
