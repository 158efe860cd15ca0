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

from collections.abc import Iterable
from dataclasses import dataclass

from foundation.errors import DomainError
from station.printer.cups_queue import (
    PrinterUnreachable,
    PrintQueue,
    QueueInfo,
    QueueNotFound,
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
    return ("Revise que la impresora esté encendida, con papel y con tinta; luego toque "
            "«Reanudar» en la pantalla de la impresora. No se usó ningún folio.")


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


# -- printer trouble, in a secretary's words (issue 16) ----------------------------------------

RESUME, RETRY, CALL = "resume", "retry", "call"
"""What the station itself can do about a trouble: resume the queue (enable it and accept jobs;
the sheets waiting go on), check and send again, or nothing: only the DRSE can."""


@dataclass(frozen=True, slots=True)
class Trouble:
    """One printer problem: a headline that names it, the fix in words, what a touch can do.

    Every signed-in user (operators too) may resume and retry: resuming a queue and sending
    again sheets already committed use no new folio and change no setting. Choosing another
    queue, calibrating and test sheets stay with the director(a) and the DRSE.
    """

    kind: str
    headline: str
    fix: str
    action: str
    short: str
    """A word or two for the top bar's chip: «sin papel», «en pausa»…"""


def _trouble(kind: str, headline: str, fix: str, action: str, short: str) -> Trouble:
    return Trouble(kind, headline, fix, action, short)


# The physical problems first: a paused queue without paper needs paper before «Reanudar».
_PHYSICAL: tuple[tuple[frozenset[str], Trouble], ...] = (
    (frozenset({"media-empty", "media-needed", "input-tray-missing"}), _trouble(
        "no_paper", "La impresora se quedó sin papel",
        "Ponga hojas en la bandeja y toque «Reanudar».", RESUME, "sin papel")),
    (frozenset({"media-jam"}), _trouble(
        "jam", "Hay papel atorado en la impresora",
        "Abra la tapa, saque con cuidado la hoja atorada, cierre la tapa y toque «Reanudar». "
        "Esa hoja se revisa al final.", RESUME, "papel atorado")),
    (frozenset({"cover-open", "door-open"}), _trouble(
        "cover_open", "La tapa de la impresora está abierta",
        "Ciérrela bien y toque «Reanudar».", RESUME, "tapa abierta")),
    (frozenset({"marker-supply-empty", "toner-empty"}), _trouble(
        "no_ink", "La impresora se quedó sin tinta",
        "Cambie el cartucho vacío y toque «Reanudar». Si no tiene cartuchos, llame a su DRSE.",
        RESUME, "sin tinta")),
    (frozenset({"offline", "shutdown", "timed-out"}), _trouble(
        "offline", "La impresora está apagada o desconectada",
        "Enciéndala, revise que el cable esté bien conectado y toque «Intentar de nuevo». Las "
        "hojas pendientes salen en cuanto la impresora responda.", RETRY, "apagada")),
)
PAUSED = _trouble(
    "paused", "La impresora está en pausa",
    "Revise que esté encendida y tenga hojas y tinta; luego toque «Reanudar».", RESUME,
    "en pausa")
REJECTING = _trouble(
    "rejecting", "La impresora no está recibiendo trabajos",
    "Toque «Reanudar» para que vuelva a recibir las hojas.", RESUME, "no recibe")


def _base(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        reason = reason.removesuffix(suffix)
    return reason


def trouble_of(reasons: Iterable[str], *, stopped: bool = False,
               accepting: bool = True) -> Trouble | None:
    """The printer's problem that stops printing, or None when it can print.

    ``reasons`` are printer-state-reasons of the queue and of the printer (CUPS reports a
    printer's «media-empty-error» as a warning of the queue: the suffix does not matter).

    >>> trouble_of(["media-empty-warning"]).headline
    'La impresora se quedó sin papel'
    >>> trouble_of(["paused"]).action, trouble_of([], accepting=False).kind
    ('resume', 'rejecting')
    >>> trouble_of(["media-low-warning", "marker-supply-low-warning"]) is None
    True
    """
    bases = {_base(r) for r in reasons}
    for keys, trouble in _PHYSICAL:
        if bases & keys:
            return trouble
    if stopped or "paused" in bases:
        return PAUSED
    if not accepting:
        return REJECTING
    return None


def status_trouble(status: QueueStatus) -> Trouble | None:
    """:func:`trouble_of` for a queue's status (see :meth:`CupsPrintQueue.status`)."""
    return trouble_of(status.reasons, stopped=status.state == "stopped",
                      accepting=status.accepting)


def error_trouble(error: DomainError) -> Trouble:
    """The trouble of a refusal that came before any look at the printer: CUPS does not
    answer, the queue is gone, or another refusal (said with the error's own words)."""
    if isinstance(error, PrinterUnreachable):
        return _trouble(
            "no_service", "La estación no se comunica con la impresora",
            "Reinicie la estación y toque «Intentar de nuevo». Si sigue igual, llame a su "
            "DRSE y dígales: «la estación no se comunica con su servicio de impresión».",
            RETRY, "sin servicio")
    if isinstance(error, QueueNotFound):
        return _trouble(
            "no_queue", "La estación no encuentra su impresora",
            "Pida al director(a) de la escuela que elija la impresora de credenciales en "
            "Ajustes > Impresora, o llame a su DRSE y dígales: «la estación no encuentra su "
            "impresora de credenciales».", CALL, "sin impresora")
    if isinstance(error, QueueStopped):
        return PAUSED
    return _trouble("other", "La impresora no pudo recibir las hojas",
                    error.user_message() + " Si sigue igual, llame a su DRSE y dígales lo que "
                    "dice este aviso.", CALL, "revisar")
