"""Giving memory back: a kiosk runs for days on a board with 1–4 GB.

Rendering a sheet, reading a camera frame or listing 500 students leaves freed memory inside
glibc's heaps; without help the process keeps it (RSS only grows). The app calls
:func:`release_memory` when the operator returns home and after each background job:
Kivy's picture caches and recycled list rows emptied, ``gc.collect()``, then glibc's
``malloc_trim(0)``; at home it also drops every screen built for the task just finished.
:func:`limit_arenas` keeps every worker thread from getting a heap of its own. Both do
nothing where glibc is not the C library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from functools import cache
from typing import Any

_M_ARENA_MAX = -8  # mallopt parameter numbers in glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
"""Blocks this big or bigger get their own mapping, given back whole when freed."""
_KIVY_CACHES = ("kv.image", "kv.texture", "kv.loader", "kv.resourcefind", "textinput.label",
                "textinput.width")  # not kv.atlas / kv.lang: the theme and rules in use

MEMORY_BASELINE = os.environ.get("STATION_KIOSK_MEMORY_BASELINE") == "1"
"""For ``bench/bench_kiosk.py`` only: behave as before screens were dropped at home and
Kivy's caches emptied, so the benchmark measures both in the same run."""


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
    """At most ``count`` malloc heaps for all threads (call at start, before threads), and
    large blocks always in their own mappings. glibc's default threshold (128 KiB) grows to
    the size of the largest mapped block freed, up to 32 MiB: after the first camera frame
    (2.7 MB) or decoded sheet picture is freed, every later one is carved out of the heap,
    which then cannot shrink past whatever small block landed above it. Setting the
    threshold fixes it (glibc stops adjusting it)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, count)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_kivy_caches() -> None:
    """Empty Kivy's caches of decoded images, textures and loader results: the kiosk opens
    its pictures uncached, but Kivy's own widgets and the image loader fill these, and they
    are only emptied by a timer while the app is busy."""
    from kivy.cache import Cache

    for category in _KIVY_CACHES:
        Cache.remove(category)
    release_recycled_views()


def release_recycled_views() -> None:
    """Forget the list rows Kivy keeps for reuse: its RecycleView puts the rows of a list
    that goes away into one cache for the whole process (up to 1,000 rows, each a few
    widgets), so the roster's and school list's rows outlived their dropped screens. A list
    shown again builds the rows it needs (a screenful)."""
    from kivy.uix.recycleview import views

    views._cached_views.clear()  # private, but the only handle on that cache (Kivy 2.3)
    views._cache_count = 0


def release_render_caches() -> None:
    """Forget the QR symbols cached for reprints (a few MB after a 200-card session): called
    back home, when the print task is over; a reprint from the review screen comes first.
    When no background job runs (none can be making a sheet), the renderer's fonts, template
    images and prepared photos go too (~12 MB of Python objects)."""
    from station.services.print_tasks import forget_render_caches

    forget_render_caches(rendering_idle=_no_jobs_running())


def _no_jobs_running() -> bool:
    from kivy.app import App

    jobs = getattr(App.get_running_app(), "jobs", None)
    return jobs is not None and not jobs.running


def release_memory(*, caches: bool = True, at_home: bool = False) -> None:
    """Collect garbage and hand freed heap pages back to the system (and, with ``caches``,
    empty Kivy's picture caches first; ``at_home``, the print caches too)."""
    if caches and not MEMORY_BASELINE:
        release_kivy_caches()
        if at_home:
            release_render_caches()
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
