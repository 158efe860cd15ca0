"""Sheets made while the printer works: the first one goes to CUPS as soon as it is committed.

A :class:`SheetStream` runs the sheet producer (``Issuer.sheets``: one IMMEDIATE transaction
per sheet, see ``station/services/issuance.py``) in a worker thread and hands each sheet to
the sender as soon as its transaction committed and its print file is in place. The crash
protocol is the producer's and does not change: a sheet handed over is committed; a sheet not
yet sent stays ``generated`` with its print file and folios, to be sent with ``station send``.

The sender calls :meth:`SheetStream.stop` when the printer fails: the sheet being made is
finished (a transaction is never cut), no other is started, and the sheets already made are
still handed out so each gets its "not sent" answer. An error of the producer reaches the
sender after the sheets made before it, so those are sent first, then the error is raised.

>>> stream = SheetStream(iter([1, 2, 3]))
>>> with stream:
...     [n for n in stream]
[1, 2, 3]
>>> stream.made
[1, 2, 3]
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Generic, Self, TypeVar

T = TypeVar("T")

_ITEM, _ERROR, _END = "item", "error", "end"


class SheetStream(Generic[T]):
    """The items of ``source``, made in a worker thread, in order, as each is ready."""

    def __init__(self, source: Iterator[T], *, name: str = "planillas") -> None:
        self.made: list[T] = []
        """Every item handed out so far (the sheets produced, for the outcome)."""
        self._queue: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._run, args=(source,), name=name,
                                        daemon=True)
        self._thread.start()

    def _run(self, source: Iterator[T]) -> None:
        first = True
        try:
            while not self._stop.is_set():
                try:
                    item = next(source)
                except StopIteration:
                    break
                self._queue.put((_ITEM, item))
                if first:  # the first sheet at full speed: the printer waits for it
                    _yield_the_cpu()
                    first = False
        except BaseException as exc:  # handed to the consumer, raised there
            self._queue.put((_ERROR, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # a generator stopped early runs its cleanup now, in its own thread
            self._queue.put((_END, None))

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _ITEM:
            self.made.append(value)  # type: ignore[arg-type]
            return value  # type: ignore[return-value]
        if kind == _ERROR:
            self._queue.get()  # the end mark that follows every error
        self._finish()
        if kind == _ERROR:
            assert isinstance(value, BaseException)
            raise value
        raise StopIteration

    def stop(self) -> None:
        """Make no more items after the one being made (the ones made are still handed out)."""
        self._stop.set()

    def _finish(self) -> None:
        self._finished = True
        self._thread.join()

    def close(self) -> None:
        """Stop, take what was made (kept in :attr:`made`) and wait for the worker; a producer
        error at this point is dropped (the caller is already leaving with its own)."""
        self.stop()
        while not self._finished:
            try:
                next(self)
            except StopIteration:
                break
            except BaseException:  # dropped: see the docstring
                break

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


MAKER_NICENESS = 5
"""How much lower the sheet maker runs, once its first sheet is handed out, than the rest of
the station (Linux threads have their own nice value): on a busy two-core station, CUPS's
filters rasterising the sheet already sent, the sender and the touchscreen get the processor
first, so making the next sheets never delays the one the printer waits for."""


def _yield_the_cpu() -> None:
    if sys.platform != "linux":
        return  # elsewhere the call would renice the whole process
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid)
                       + MAKER_NICENESS)
    except OSError:
        pass
