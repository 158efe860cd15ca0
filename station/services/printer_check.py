"""Is the printer ready to take sheets? One check for the command line and the touchscreen.

A paused queue (or one that rejects jobs) would take the folios of a print file and then
refuse the job, leaving those folios waiting; so ``station print`` and the kiosk both ask
:func:`ready_print_queue` *before* any folio is used, and both say the same thing when it is
not ready. :func:`queue_choices` lists the CUPS queues with their state in words, for the
printer screen to choose one by touch.

>>> queue = ready_print_queue("Credenciales", server="127.0.0.1:631")   # doctest: +SKIP
>>> [(c.name, c.state_word) for c in queue_choices(None)]               # doctest: +SKIP
[('Credenciales', 'lista'), ('Oficina', 'en pausa')]
"""

from __future__ import annotations

from station.printer.cups_queue import (
    PrintQueue,
    QueueInfo,
    QueueStatus,
    QueueStopped,
    list_queues,
    probe_print_queue,
    reasons_message,
)


def resume_way_out(queue: str) -> str:
    """How to get a paused queue going again, in words for the kiosk (no command).

    >>> "cupsenable" in resume_way_out("Oficina")
    False
    """
    return ("Revise que la impresora esté encendida, con papel y con tinta; luego pida a quien "
            "administra la estación que la reanude en Ajustes > Impresora. No se usó ningún "
            "folio.")


def resume_command(queue: str) -> str:
    """The same from a terminal (the command line shows it; the kiosk never does).

    >>> resume_command("Oficina")
    'cupsenable Oficina && cupsaccept Oficina'
    """
    return f"cupsenable {queue} && cupsaccept {queue}"


def not_ready_reason(queue: str, status: QueueStatus) -> str | None:
    """Why ``queue`` cannot take sheets now, in Spanish; None when it can.

    >>> from station.printer.cups_queue import QueueStatus
    >>> not_ready_reason("Oficina", QueueStatus("Oficina", True, "stopped",
    ...                  ("paused", "media-empty-error"), "", ()))
    'La impresora «Oficina» está en pausa y no puede recibir hojas. La impresora no tiene papel.'
    """
    problems = reasons_message([r for r in status.reasons if r != "paused"])
    if status.state == "stopped":
        said = f"La impresora «{queue}» está en pausa y no puede recibir hojas."
    elif not status.accepting:
        said = f"La impresora «{queue}» no acepta trabajos nuevos."
    else:
        return None
    return f"{said} {problems}".strip()


def ready_print_queue(queue: str, *, server: str | None = None) -> PrintQueue:
    """The CUPS queue ``queue``, checked before any folio is used.

    Raises PrinterUnreachable / QueueNotFound (CUPS or the queue is missing) or
    :class:`QueueStopped` (paused or rejecting jobs), each with its way out in Spanish.
    """
    print_queue = probe_print_queue(queue, server=server)
    reason = not_ready_reason(queue, print_queue.status())
    if reason is not None:
        raise QueueStopped(reason, way_out=resume_way_out(queue), command=resume_command(queue))
    return print_queue


def queue_choices(server: str | None) -> list[QueueInfo]:
    """Every CUPS queue on ``server`` (None: the system's), with its state in words."""
    return list_queues(server=server)
