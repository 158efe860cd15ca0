"""The station's print queue: a small interface, and its implementation over CUPS (pycups).

CUPS is not a witness of paper: "completed" means CUPS finished sending the job, not that good
sheets came out (a printer that lost power mid-job can still end "completed"). ``follow``
reports what CUPS says, truthfully; the station always asks the operator to confirm sheets.

>>> queue = probe_print_queue("Credenciales", server="127.0.0.1:631")   # doctest: +SKIP
>>> job_id = queue.submit(Path("planilla.pdf"), title="Planilla 12")    # doctest: +SKIP
>>> queue.follow(job_id, timeout_s=60).state                            # doctest: +SKIP
'completed'
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import cups

from foundation.errors import InputError
from station.core.errors import PrinterError

RESUME_WAY_OUT = (
    "Revise que la impresora esté encendida, con papel y con tinta; luego toque «Reanudar» "
    "en la pantalla de la impresora."
)
"""Said on the touchscreen, where every signed-in user can resume the queue (issue 16)."""
ACCEPT_WAY_OUT = "Toque «Reanudar» en la pantalla de la impresora para que vuelva a recibirlas."
_CONNECT_TIMEOUT_S = 3.0
_JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled",
               8: "aborted", 9: "completed"}  # fmt: skip
_FINAL_STATES = frozenset({"canceled", "aborted", "completed"})
_PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
_MARKER_ATTRIBUTES = ["marker-names", "marker-levels", "marker-colors", "marker-types",
                      "marker-low-levels"]  # fmt: skip
_QUEUE_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                     "printer-state-message", "device-uri", *_MARKER_ATTRIBUTES]  # fmt: skip
_JOB_ATTRIBUTES = ["job-state", "job-state-reasons", "job-printer-state-message",
                   "job-impressions-completed"]  # fmt: skip


# -- words for the operator -------------------------------------------------------------------

JOB_STATE_WORDS = {
    "pending": "En espera de imprimir.",
    "held": "Retenido: no se imprime hasta que alguien lo libere.",
    "processing": "Imprimiendo.",
    "stopped": "Detenido: la cola de impresión está en pausa.",
    "canceled": "Cancelado.",
    "aborted": "Falló: el sistema de impresión no pudo terminarlo.",
    # Truthful: CUPS sent it all; only the operator can say the sheets came out well.
    "completed": "Se envió completo a la impresora. Confirme las hojas que salieron.",
}
PRINTER_STATE_WORDS = {
    "idle": "Sin trabajos pendientes.",
    "processing": "Hay un trabajo imprimiéndose.",
    "stopped": "La cola de impresión está en pausa.",
}
# printer-state-reasons (RFC 8011 and CUPS keywords), without their -error/-warning/-report.
REASON_WORDS = {
    "media-empty": "La impresora no tiene papel.",
    "media-needed": "La impresora pide papel.",
    "media-low": "Queda poco papel.",
    "media-jam": "Hay papel atorado en la impresora.",
    "marker-supply-empty": "Se acabó la tinta.",
    "marker-supply-low": "Queda poca tinta.",
    "toner-empty": "Se acabó el tóner.",
    "toner-low": "Queda poco tóner.",
    "marker-waste-full": "El depósito de tinta usada está lleno.",
    "marker-waste-almost-full": "El depósito de tinta usada está casi lleno.",
    "cover-open": "La tapa de la impresora está abierta.",
    "door-open": "Una puerta de la impresora está abierta.",
    "input-tray-missing": "Falta la bandeja de papel.",
    "output-tray-missing": "Falta la bandeja de salida.",
    "output-area-full": "La bandeja de salida está llena: retire las hojas.",
    "output-area-almost-full": "La bandeja de salida está casi llena.",
    "offline": "La impresora está apagada o desconectada.",
    "shutdown": "La impresora está apagada.",
    "timed-out": "La impresora dejó de responder.",
    "connecting-to-device": "La estación está tratando de comunicarse con la impresora.",
    "paused": "La impresora está en pausa.",
    "moving-to-paused": "La impresora se está pausando.",
    "spool-area-full": "La impresora no tiene espacio para más trabajos.",
    "cups-missing-filter": "Falta un programa para preparar el documento para esta impresora.",
    "cups-insecure-filter": "Falta un programa para preparar el documento para esta impresora.",
    "cups-waiting-for-job-completed": "Esperando a que la impresora confirme que terminó.",
    # job-state-reasons worth telling
    "job-canceled-by-user": "Una persona lo canceló.",
    "job-canceled-at-device": "Se canceló en la impresora.",
    "aborted-by-system": "El sistema de impresión lo abandonó.",
    "job-completed-with-errors": "La impresora terminó con errores.",
    "document-format-error": "La impresora no entendió el documento.",
    "unsupported-document-format": "La impresora no entendió el documento.",
}
_SILENT_REASONS = frozenset({"none", "other", "processing-to-stop-point", "job-printing",
                             "job-queued", "job-incoming", "job-completed-successfully",
                             "job-data-insufficient", "job-transforming"})  # fmt: skip


def reasons_message(reasons: tuple[str, ...] | list[str]) -> str:
    """Spanish sentences for state reasons; unknown errors are named, other unknowns skipped.

    >>> reasons_message(("media-empty-error", "marker-supply-low-warning"))
    'La impresora no tiene papel. Queda poca tinta.'
    """
    sentences: list[str] = []
    for reason in sorted(reasons, key=_severity):
        base = reason
        for suffix in ("-error", "-warning", "-report"):
            base = base.removesuffix(suffix)
        if base in _SILENT_REASONS:
            continue
        sentence = REASON_WORDS.get(base)
        if sentence is None and reason.endswith("-error"):
            sentence = f"La impresora reporta un problema ({base})."
        if sentence is not None and sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)


_BLOCKING = frozenset({"media-empty", "media-needed", "media-jam", "offline", "shutdown",
                       "cover-open", "door-open", "marker-supply-empty", "toner-empty",
                       "input-tray-missing", "timed-out"})  # fmt: skip


def _severity(reason: str) -> tuple[int, int]:
    """What stops the printer first, then errors, warnings, the rest; CUPS's waiting note last."""
    base = reason.removesuffix("-error").removesuffix("-warning").removesuffix("-report")
    if reason.startswith("cups-waiting-for-job-completed"):
        rank = 4
    elif reason.endswith("-error"):
        rank = 0
    elif reason.endswith("-warning"):
        rank = 1
    else:
        rank = 3 if reason.endswith("-report") else 2
    return (0 if base in _BLOCKING else 1, rank)


# -- errors -----------------------------------------------------------------------------------


class PrinterUnreachable(PrinterError):
    """CUPS does not answer (not running, or the wrong server)."""


class QueueNotFound(PrinterError):
    """CUPS answers but has no queue with that name."""


class QueueStopped(PrinterError):
    """The queue is paused (disabled) or rejects jobs."""


class JobNotFound(PrinterError):
    """CUPS has no job with that number (it may have been purged)."""


class JobAborted(PrinterError):
    """CUPS or the printer gave up on the job."""


class JobCanceled(PrinterError):
    """Someone cancelled the job."""


# -- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobStatus:
    """What CUPS says about one job. ``final`` is True for canceled, aborted and completed.

    ``completed`` means CUPS finished sending the job: it is not proof of good sheets.
    """

    job_id: int
    state: str
    reasons: tuple[str, ...]
    message_es: str
    final: bool
    printer_reasons: tuple[str, ...] = ()
    """While the job is not final: what the queue and the printer itself say (no paper,
    paused, off…), so the screen can tell a waiting job from a stuck one."""

    def error(self) -> PrinterError | None:
        """The mapped error for an aborted or canceled job, else None.

        >>> JobStatus(7, "canceled", (), "Cancelado.", True).error().__class__.__name__
        'JobCanceled'
        """
        if self.state == "aborted":
            return JobAborted(
                f"El trabajo de impresión {self.job_id} falló. {self.message_es}",
                way_out="Revise la impresora y las hojas que salieron; reimprima las que falten.",
            )
        if self.state == "canceled":
            return JobCanceled(
                f"El trabajo de impresión {self.job_id} fue cancelado.",
                way_out="Revise las hojas que salieron; reimprima las que falten.",
            )
        return None


@dataclass(frozen=True, slots=True)
class Marker:
    """One ink cartridge or toner: ``level`` 0–100, or None when the printer does not know."""

    name: str
    level: int | None
    color: str = ""
    kind: str = ""
    low_level: int | None = None

    @property
    def is_low(self) -> bool:
        return (
            self.level is not None and self.low_level is not None and self.level <= self.low_level
        )


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """The queue as CUPS sees it, with the ink levels the printer reports (may be empty)."""

    queue: str
    accepting: bool
    state: str
    reasons: tuple[str, ...]
    message_es: str
    markers: tuple[Marker, ...]


_SHORT_WORDS = (  # the first that applies names the queue's state in the printer list
    ("media-jam", "papel atorado"), ("media-empty", "sin papel"), ("media-needed", "sin papel"),
    ("marker-supply-empty", "sin tinta"), ("toner-empty", "sin tóner"),
    ("cover-open", "tapa abierta"), ("door-open", "tapa abierta"),
    ("offline", "apagada o desconectada"), ("shutdown", "apagada"),
    ("timed-out", "no responde"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """One CUPS queue as the printer list shows it: its state in one word and in sentences.

    ``ready`` is True when it would take a print now (not paused, accepting, no blocking
    problem such as no paper).
    """

    name: str
    description: str
    state: str
    accepting: bool
    reasons: tuple[str, ...]
    is_default: bool = False

    @property
    def state_word(self) -> str:
        """The state in a word or two: lista, imprimiendo, en pausa, sin papel…

        >>> QueueInfo("Q", "", "stopped", True, ("paused",)).state_word
        'en pausa'
        """
        if self.state == "stopped":
            return "en pausa"
        bases = {r.removesuffix("-error").removesuffix("-warning").removesuffix("-report")
                 for r in self.reasons if not r.endswith("-report")}
        word = next((w for key, w in _SHORT_WORDS if key in bases), None)
        if word:
            return word
        if not self.accepting:
            return "no acepta trabajos"
        return "imprimiendo" if self.state == "processing" else "lista"

    @property
    def ready(self) -> bool:
        return self.state_word in ("lista", "imprimiendo")

    @property
    def message_es(self) -> str:
        words = [PRINTER_STATE_WORDS[self.state]]
        if not self.accepting:
            words.append("La cola no acepta trabajos nuevos.")
        problems = reasons_message([r for r in self.reasons
                                    if self.state != "stopped" or r != "paused"])
        return " ".join([*words, problems] if problems else words)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "description": self.description, "state": self.state,
                "accepting": self.accepting, "reasons": list(self.reasons),
                "state_word": self.state_word, "ready": self.ready, "message": self.message_es}


def list_queues(server: str | None = None) -> list[QueueInfo]:
    """Every queue CUPS has on ``server`` (None: the system's default CUPS), by name.

    Only CUPS's own view (no printer is asked directly), so it is quick with many queues.
    Raises PrinterUnreachable when CUPS does not answer.
    """
    conn = _connect(server)
    where = server or "esta computadora"
    wanted = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
              "printer-info"]
    with _mapped("", where):
        names = sorted(conn.getPrinters(), key=str.lower)
        default = conn.getDefault()
    out = []
    for name in names:
        # getPrinters() leaves out whether a queue accepts jobs: ask each queue.
        try:
            with _mapped(name, where):
                attrs = dict(conn.getPrinterAttributes(name, requested_attributes=wanted))
        except QueueNotFound:
            continue  # deleted meanwhile
        reasons = tuple(r for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "none")
        out.append(QueueInfo(
            name=str(name), description=str(attrs.get("printer-info") or ""),
            state=_PRINTER_STATES.get(int(attrs.get("printer-state", 3)), "idle"),
            accepting=bool(attrs.get("printer-is-accepting-jobs", False)),
            reasons=reasons, is_default=name == default))
    return out


class PrintQueue(Protocol):
    """What the station needs from a printer queue."""

    def submit(self, pdf: Path, *, title: str, copies: int = 1) -> int: ...

    def follow(
        self,
        job_id: int,
        *,
        timeout_s: float,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus: ...

    def status(self) -> QueueStatus: ...

    def cancel(self, job_id: int) -> JobStatus: ...

    def resume(self) -> None: ...


# -- CUPS ---------------------------------------------------------------------------------------

# cups.setServer is process-wide; hold this lock from setServer until the Connection exists.
_SERVER_LOCK = threading.Lock()
_DEFAULT_PORT = cups.getPort()


class CupsPrintQueue:
    """A PrintQueue over a CUPS queue. ``server`` is ``host:port`` or None for the default.

    Every call opens its own connection, so one instance may be used from several threads.
    """

    def __init__(self, queue: str, *, server: str | None = None, poll_s: float = 0.25) -> None:
        self.queue = queue
        self.server = server
        self.poll_s = poll_s
        self._where = server or "esta computadora"

    def submit(self, pdf: Path, *, title: str, copies: int = 1) -> int:
        """Send ``pdf`` to the queue; return the CUPS job id.

        ``title`` lands in CUPS logs: never put a student's name or CURP in it.
        Raises QueueStopped when the queue is paused or rejects jobs.
        """
        if not pdf.is_file():
            raise InputError(
                f"No se encontró el archivo para imprimir {pdf.name}.",
                way_out="Vuelva a generar la planilla.",
            )
        if copies < 1:
            raise InputError(
                f"El número de copias debe ser 1 o más (se pidió {copies}).",
                way_out="Corrija el número de copias.",
            )
        with self._connection() as conn:
            attrs = self._queue_attributes(conn)
            self._require_ready(attrs)
            with _mapped(self.queue, self._where):
                return int(conn.printFile(self.queue, str(pdf), title, {"copies": str(copies)}))

    def job(self, job_id: int) -> JobStatus:
        """One look at a job, with the printer's problems (no paper, ink...) in the message."""
        with self._connection() as conn:
            return self._job_status(conn, job_id)

    def follow(
        self,
        job_id: int,
        *,
        timeout_s: float,
        on_update: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        """Poll the job until it is final or ``timeout_s`` passes; return its last status.

        A job still pending or processing at the timeout is returned as it is, not raised.
        ``on_update`` is called each time the status changes (first look included).
        """
        deadline = time.monotonic() + timeout_s
        last: JobStatus | None = None
        with self._connection() as conn:
            while True:
                current = self._job_status(conn, job_id)
                if current != last and on_update is not None:
                    on_update(current)
                last = current
                if current.final or time.monotonic() >= deadline:
                    return current
                time.sleep(min(self.poll_s, max(deadline - time.monotonic(), 0.0)))

    def status(self) -> QueueStatus:
        """State of the queue, with what a network printer says of itself (ink, paper).

        CUPS learns the ink levels only during a job, so an IPP printer is asked directly;
        when it does not answer, ``offline-report`` is added to the reasons.
        """
        with self._connection() as conn:
            attrs, reasons, printer = self._printer_view(conn)
        state = _PRINTER_STATES.get(int(attrs.get("printer-state", 3)), "idle")
        accepting = bool(attrs.get("printer-is-accepting-jobs", False))
        words = [PRINTER_STATE_WORDS[state]]
        if not accepting:
            words.append("La cola no acepta trabajos nuevos.")
        # A disabled queue says "paused"; the state sentence already tells it.
        problems = reasons_message([r for r in reasons if state != "stopped" or r != "paused"])
        if problems:
            words.append(problems)
        return QueueStatus(
            queue=self.queue,
            accepting=accepting,
            state=state,
            reasons=tuple(reasons),
            message_es=" ".join(words),
            markers=_markers(printer if "marker-names" in printer else attrs),
        )

    def cancel(self, job_id: int) -> JobStatus:
        """Ask CUPS to cancel the job; return its status after that.

        A job that had already ended keeps its state (e.g. completed): it is not an error.
        """
        with self._connection() as conn:
            try:
                with _mapped(self.queue, self._where, job_id=job_id):
                    conn.cancelJob(job_id)
            except PrinterError:
                current = self._job_status(conn, job_id)
                if current.final:
                    return current
                raise
            return self._job_status(conn, job_id)

    def resume(self) -> None:
        """Enable the queue and let it accept jobs again (``cupsenable`` + ``cupsaccept``),
        through CUPS's own operations: what an operator's «Reanudar» does. Both are harmless
        on a queue that is already running. CUPS allows them to members of its admin group
        (the station's service user is one, see image-build)."""
        with self._connection() as conn, _mapped(self.queue, self._where):
            conn.enablePrinter(self.queue)
            conn.acceptJobs(self.queue)

    # -- helpers ------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        yield _connect(self.server)

    def _queue_attributes(self, conn: Any) -> dict[str, Any]:
        with _mapped(self.queue, self._where):
            return dict(
                conn.getPrinterAttributes(self.queue, requested_attributes=_QUEUE_ATTRIBUTES)
            )

    def _printer_view(self, conn: Any) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
        """The queue's attributes, its reasons merged with the printer's, and the printer's."""
        attrs = self._queue_attributes(conn)
        reasons = [r for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "none"]
        printer = _ask_printer(str(attrs.get("device-uri", "")))
        if printer is None:
            printer = {}
        elif not printer:
            reasons.append("offline-report")
        for reason in _as_tuple(printer.get("printer-state-reasons")):
            if reason != "none" and reason not in reasons:
                reasons.append(reason)
        return attrs, reasons, printer

    def _require_ready(self, attrs: dict[str, Any]) -> None:
        if int(attrs.get("printer-state", 3)) == 5:
            reasons = [r for r in _as_tuple(attrs.get("printer-state-reasons")) if r != "paused"]
            problems = reasons_message(reasons)
            raise QueueStopped(
                f"La cola de impresión «{self.queue}» está en pausa. {problems}".strip(),
                way_out=RESUME_WAY_OUT,
            )
        if not attrs.get("printer-is-accepting-jobs", False):
            raise QueueStopped(
                f"La cola de impresión «{self.queue}» no acepta trabajos nuevos.",
                way_out=ACCEPT_WAY_OUT,
            )

    def _job_status(self, conn: Any, job_id: int) -> JobStatus:
        with _mapped(self.queue, self._where, job_id=job_id):
            attrs = conn.getJobAttributes(job_id, requested_attributes=_JOB_ATTRIBUTES)
        state = _JOB_STATES.get(int(attrs.get("job-state", 3)), "pending")
        reasons = tuple(r for r in _as_tuple(attrs.get("job-state-reasons")) if r != "none")
        words = [JOB_STATE_WORDS[state], reasons_message(reasons)]
        printer_reasons: tuple[str, ...] = ()
        if state not in _FINAL_STATES:
            # The printer's own problems (no paper, jam, off) explain a job that does not move.
            attrs, seen, _printer = self._printer_view(conn)
            if int(attrs.get("printer-state", 3)) == 5 and "paused" not in seen:
                seen.append("paused")
            printer_reasons = tuple(seen)
            words.append(reasons_message([r for r in seen if r != "paused"]))
            if "paused" in seen:
                words.append(PRINTER_STATE_WORDS["stopped"])
        return JobStatus(
            job_id=job_id,
            state=state,
            reasons=reasons,
            message_es=" ".join(w for w in words if w),
            final=state in _FINAL_STATES,
            printer_reasons=printer_reasons,
        )


def probe_print_queue(queue: str, server: str | None = None) -> PrintQueue:
    """Check that CUPS answers and has ``queue``; return it (a CupsPrintQueue).

    Raises PrinterUnreachable or QueueNotFound. A paused queue is returned (status() says so;
    submit() refuses it).

    >>> probe_print_queue("Credenciales", server="127.0.0.1:631").status().state  # doctest: +SKIP
    'idle'
    """
    print_queue = CupsPrintQueue(queue, server=server)
    with print_queue._connection() as conn:
        print_queue._queue_attributes(conn)
    return print_queue


# -- pycups plumbing --------------------------------------------------------------------------


def _unreachable(server: str, detail: str) -> PrinterUnreachable:
    return PrinterUnreachable(
        f"No hay comunicación con el servicio de impresión (CUPS) en {server}: {detail}.",
        way_out="Reinicie la estación. Si sigue igual, llame a su DRSE y dígales: «la "
        "estación no se comunica con su servicio de impresión».",
    )


def _check_reachable(host: str, port: int) -> None:
    """Fail fast: pycups has no connect timeout, so try the socket ourselves first."""
    try:
        if host.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(_CONNECT_TIMEOUT_S)
                sock.connect(host)
        else:
            with socket.create_connection((host.strip("[]"), port), _CONNECT_TIMEOUT_S):
                pass
    except OSError as exc:
        where = host if host.startswith("/") else f"{host}:{port}"
        refused = isinstance(exc, ConnectionRefusedError | FileNotFoundError)
        detail = "no está en marcha (rechazó la conexión)" if refused else "no responde"
        raise _unreachable(where, detail) from None


def _connect(server: str | None) -> Any:
    with _SERVER_LOCK:
        # An empty name makes libcups fall back to its default (CUPS_SERVER, client.conf...);
        # the port is separate global state that an earlier "host:port" left behind.
        cups.setPort(_DEFAULT_PORT)
        cups.setServer(server or "")
        host, port = cups.getServer(), cups.getPort()
        _check_reachable(host, port)
        # Never let libcups prompt on the terminal for a password.
        cups.setPasswordCB(lambda _prompt: "")
        try:
            return cups.Connection()
        except RuntimeError:
            raise _unreachable(f"{host}:{port}", "no acepta la conexión") from None


def _ask_printer(device_uri: str) -> dict[str, Any] | None:
    """Ask a network (IPP) printer itself for its reasons and ink levels.

    None when the device is not an IPP printer (USB...), {} when it does not answer.
    """
    parts = urlsplit(device_uri)
    if parts.scheme not in ("ipp", "ipps") or not parts.hostname:
        return None
    port = parts.port or 631
    try:
        with socket.create_connection((parts.hostname, port), timeout=1.0):
            pass
        with _SERVER_LOCK:
            encryption = (
                cups.HTTP_ENCRYPT_ALWAYS if parts.scheme == "ipps" else cups.getEncryption()
            )
            conn = cups.Connection(host=parts.hostname, port=port, encryption=encryption)
        wanted = ["printer-state-reasons", *_MARKER_ATTRIBUTES]
        return dict(conn.getPrinterAttributes(uri=device_uri, requested_attributes=wanted))
    except (OSError, RuntimeError, cups.IPPError):
        return {}


def _markers(attrs: dict[str, Any]) -> tuple[Marker, ...]:
    names = _as_tuple(attrs.get("marker-names"))
    levels = list(_as_tuple(attrs.get("marker-levels")))
    colors = _as_tuple(attrs.get("marker-colors"))
    kinds = _as_tuple(attrs.get("marker-types"))
    lows = list(_as_tuple(attrs.get("marker-low-levels")))

    def at(values: Any, i: int, default: Any) -> Any:
        return values[i] if i < len(values) else default

    markers = []
    for i, name in enumerate(names):
        level = at(levels, i, None)
        low = at(lows, i, None)
        markers.append(
            Marker(
                name=str(name),
                # IPP uses -1 (unavailable), -2 (unknown) and -3 (some left) for "no number".
                level=int(level) if level is not None and int(level) >= 0 else None,
                color=str(at(colors, i, "")),
                kind=str(at(kinds, i, "")),
                low_level=int(low) if low is not None and int(low) >= 0 else None,
            )
        )
    return tuple(markers)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value,)


@contextmanager
def _mapped(queue: str, where: str, *, job_id: int | None = None) -> Iterator[None]:
    """Map pycups exceptions onto the station's PrinterError classes."""
    try:
        yield
    except cups.IPPError as exc:
        status = int(exc.args[0]) if exc.args else 0
        raise _ipp_error(queue, where, job_id, status) from None
    except RuntimeError:
        raise _unreachable(where, "la conexión se cortó") from None


def _ipp_error(queue: str, where: str, job_id: int | None, status: int) -> PrinterError:
    if status == cups.IPP_NOT_FOUND:
        if job_id is not None:
            return JobNotFound(
                f"El servicio de impresión no tiene el trabajo {job_id}.",
                way_out="Revise las hojas que salieron; reimprima las que falten.",
            )
        return QueueNotFound(
            f"No existe la cola de impresión «{queue}».",
            way_out="Pida al director(a) de la escuela que elija la impresora de "
                    "credenciales en Ajustes > Impresora, o llame a su DRSE.",
        )
    if status == cups.IPP_NOT_ACCEPTING:
        return QueueStopped(
            f"La cola de impresión «{queue}» no acepta trabajos nuevos.",
            way_out=ACCEPT_WAY_OUT,
        )
    if status in (cups.IPP_NOT_AUTHORIZED, cups.IPP_NOT_AUTHENTICATED, cups.IPP_FORBIDDEN):
        return PrinterError(
            "El servicio de impresión no le dio permiso a la estación para esta operación.",
            way_out="Llame a su DRSE y dígales: «la estación no tiene permiso de "
                    "administrar su impresora».",
        )
    if status in (cups.IPP_SERVICE_UNAVAILABLE, cups.IPP_PRINTER_BUSY) or status < 0:
        return _unreachable(where, "está ocupado o no disponible")
    return PrinterError(
        f"El servicio de impresión rechazó la operación (código IPP {status:#06x}).",
        way_out=RESUME_WAY_OUT,
    )
