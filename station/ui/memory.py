"""Giving memory back: a kiosk runs for days on a board with 1–4 GB.

Rendering a sheet, reading a camera frame or listing 500 students leaves freed memory inside
glibc's heaps; without help the process keeps it (RSS only grows). The app calls
:func:`release_memory` when the operator returns home and after each background job:
``gc.collect()`` then glibc's ``malloc_trim(0)``. :func:`limit_arenas` keeps every worker
thread from getting a heap of its own. Both do nothing where glibc is not the C library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any

_M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - only glibc has it
        return libc
    except (OSError, AttributeError):
        return None


def limit_arenas(count: int = 2) -> None:
    """At most ``count`` malloc heaps for all threads (call at start, before threads)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, count)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
