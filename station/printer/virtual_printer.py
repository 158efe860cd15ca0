"""A private CUPS with a virtual IPP Everywhere inkjet, for the tests and the demo.

Everything runs under one work folder on free loopback ports, so it never touches the machine's
own CUPS: a private D-Bus system bus (``ippeveprinter`` refuses to start without one), the
virtual printer (``ippeveprinter``, which keeps every document it receives), and a private
``cupsd`` with one queue made by ``lpadmin -m everywhere``. The recipe and its pitfalls are in
``PLATFORM-NOTES.md`` (shared folder).

>>> with VirtualPrinter(Path("/tmp/vp")) as vp:          # doctest: +SKIP
...     queue = CupsPrintQueue(vp.queue, server=vp.cups_server)
...     job = queue.submit(Path("sheet.pdf"), title="prueba")
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

# Binary or file -> Debian package that provides it.
_NEEDED_BINARIES = {
    "cupsd": "cups-daemon",
    "lpadmin": "cups-client",
    "cupsenable": "cups-client",
    "cupsdisable": "cups-client",
    "cupsaccept": "cups-client",
    "cupsreject": "cups-client",
    "ippeveprinter": "cups-ipp-utils",
    "ipptool": "cups-ipp-utils",
    "dbus-daemon": "dbus-daemon",
}
_SERVER_BIN = Path("/usr/lib/cups")
_NEEDED_FILES = {
    _SERVER_BIN / "backend" / "ipp": "cups-daemon",
    _SERVER_BIN / "filter" / "pdftopdf": "cups-filters-core-drivers",
    _SERVER_BIN / "filter" / "gstoraster": "cups-filters",
    _SERVER_BIN / "filter" / "rastertopwg": "cups",
}

# What the virtual printer says it is: an inkjet taking Apple raster (URF) and PWG raster, as
# cheap IPP Everywhere inkjets do. It does not take PDF, so CUPS rasterises the job itself and
# the test sees the pages as the printer would get them (scaling and margins included).
# ``urf-supported`` and the ``pwg-raster-*`` attributes are what ``lpadmin -m everywhere``
# needs to build a PPD; without them it fails with "Printer does not support required IPP
# attributes or document formats".
_ATTRIBUTES = """\
ATTR textWithoutLanguage printer-make-and-model "Estacion Virtual InkJet"
ATTR boolean color-supported true
ATTR collection media-col-default {
  MEMBER collection media-size {
    MEMBER integer x-dimension 21590
    MEMBER integer y-dimension 27940
  }
  MEMBER integer media-bottom-margin 300
  MEMBER integer media-left-margin 300
  MEMBER integer media-right-margin 300
  MEMBER integer media-top-margin 300
  MEMBER keyword media-source "main"
  MEMBER keyword media-type "stationery"
}
ATTR keyword media-default na_letter_8.5x11in
ATTR keyword media-supported na_letter_8.5x11in,iso_a4_210x297mm
ATTR keyword print-color-mode-default color
ATTR keyword print-color-mode-supported monochrome,color,auto
ATTR keyword urf-supported V1.4,CP1,PQ3-4-5,RS300,SRGB24,W8,DM1
ATTR resolution pwg-raster-document-resolution-supported 300dpi
ATTR keyword pwg-raster-document-type-supported black_1,sgray_8,srgb_8
ATTR keyword pwg-raster-document-sheet-back normal
ATTR integer marker-levels 80,65,50,35
ATTR integer marker-low-levels 10,10,10,10
ATTR integer marker-high-levels 100,100,100,100
ATTR name marker-names "Tinta negra","Tinta cian","Tinta magenta","Tinta amarilla"
ATTR name marker-colors "#000000","#00FFFF","#FF00FF","#FFFF00"
ATTR keyword marker-types ink-cartridge,ink-cartridge,ink-cartridge,ink-cartridge
"""

_DBUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

_CUPSD_CONF = """\
LogLevel info
MaxLogSize 0
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

_CUPS_FILES_CONF = """\
ServerRoot {d}/root
StateDir {d}/state
CacheDir {d}/cache
RequestRoot {d}/spool
TempDir {d}/spool/tmp
AccessLog {d}/log/access_log
ErrorLog {d}/log/error_log
PageLog {d}/log/page_log
Printcap {d}/printcap
ServerBin {server_bin}
DataDir /usr/share/cups
FileDevice No
"""

_STARTUP_TIMEOUT_S = 20.0
_MAX_UNIX_SOCKET_PATH = 99
"""dbus-daemon refuses longer socket paths (_DBUS_MAX_SUN_PATH_LENGTH; the kernel allows 107)."""


class VirtualPrinterError(RuntimeError):
    """The virtual printer could not start (a developer's problem, so the text is English)."""


def missing_parts() -> list[str]:
    """What this machine lacks to run a VirtualPrinter, with the Debian package of each.

    >>> missing_parts()                                     # doctest: +SKIP
    []
    """
    missing = [
        f"{name} (Debian package {package})"
        for name, package in _NEEDED_BINARIES.items()
        if shutil.which(name, path=_search_path()) is None
    ]
    missing += [
        f"{path} (Debian package {package})"
        for path, package in _NEEDED_FILES.items()
        if not path.exists()
    ]
    return missing


def _search_path() -> str:
    # cupsd, lpadmin and ippeveprinter live in /usr/sbin, which is not on every PATH.
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def _binary(name: str) -> str:
    found = shutil.which(name, path=_search_path())
    if found is None:
        raise VirtualPrinterError(
            f"{name} not found; install Debian package {_NEEDED_BINARIES[name]}"
        )
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _open_path_for_others(path: Path) -> None:
    """Let CUPS filters, which run as user ``lp``, walk down to ``path``.

    cupsd started by root runs its filters as ``lp``; they must read the PPD and the spooled
    file and write temporary files, so every folder above the private CUPS folder needs the
    search bit for others (pytest makes its temporary folders 0700). Only the search bit is
    added, never read, and only on folders this user owns.
    """
    if os.geteuid() != 0:
        return
    for folder in [path, *path.parents]:
        info = folder.stat()
        if info.st_uid == 0 and not info.st_mode & 0o001:
            folder.chmod(info.st_mode | 0o001)


class VirtualPrinter:
    """A private cupsd, a virtual IPP inkjet, and one queue named ``queue`` pointing at it.

    ``slow=True`` makes each job take several seconds at the printer, so a test can kill the
    printer in the middle of one. Use it as a context manager, or call start() and stop().
    """

    SLOW_JOB_SECONDS = 6

    def __init__(self, workdir: Path, *, queue: str = "Credenciales", slow: bool = False) -> None:
        self.workdir = Path(workdir).resolve()
        self.queue = queue
        self.slow = slow
        self.cups_port = 0
        self.ipp_port = 0
        self.documents_dir = self.workdir / "documents"
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self._dbus_address = ""
        self._printer_runs = 0
        self._fault_file = self.workdir / "printer-fault"
        self._started = False

    # -- public -------------------------------------------------------------------------

    @property
    def cups_server(self) -> str:
        """``host:port`` of the private cupsd, for ``CupsPrintQueue(server=...)``."""
        return f"127.0.0.1:{self.cups_port}"

    @property
    def printer_uri(self) -> str:
        """The IPP URI of the virtual printer itself (the queue's device URI)."""
        return f"ipp://localhost:{self.ipp_port}/ipp/print"

    @property
    def printer_running(self) -> bool:
        """False after kill_printer() until restart_printer()."""
        proc = self._procs.get("printer")
        return proc is not None and proc.poll() is None

    @property
    def cups_error_log(self) -> Path:
        """cupsd's error log, worth reading when a test fails."""
        return self.workdir / "cups" / "log" / "error_log"

    def start(self) -> Self:
        """Start every process and register the queue; on any failure, stop them all."""
        if self._started:
            return self
        missing = missing_parts()
        if missing:
            raise VirtualPrinterError("missing for the virtual printer: " + ", ".join(missing))
        self._started = True
        atexit.register(self.stop)
        try:
            self._prepare_folders()
            self._start_dbus()
            self.ipp_port = _free_port()
            self._start_printer()
            self.cups_port = _free_port()
            self._start_cupsd()
            self._add_queue()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop cupsd, the printer and D-Bus, with every child they started. Idempotent."""
        for name in ("cupsd", "printer", "dbus"):
            proc = self._procs.pop(name, None)
            if proc is not None:
                _terminate(proc)
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._started:
            self._started = False
            atexit.unregister(self.stop)

    def kill_printer(self) -> None:
        """SIGKILL the virtual printer, as if someone pulled its power cord mid-job."""
        proc = self._procs.pop("printer", None)
        if proc is not None:
            _kill_tree(proc, signal.SIGKILL)

    def restart_printer(self) -> None:
        """Start the virtual printer again on the same port (after kill_printer)."""
        self.kill_printer()
        self._start_printer()

    def set_fault(self, *reasons: str) -> None:
        """Make the printer report ``reasons`` (e.g. "media-empty") and hold the next job.

        The reasons appear when the next job reaches the printer; the job waits there until
        clear_fault(), like a real printer waiting for paper.
        """
        self._fault_file.write_text(",".join(reasons), encoding="utf-8")

    def clear_fault(self) -> None:
        """Let a held job finish and clear the reasons set by set_fault()."""
        self._fault_file.write_text("", encoding="utf-8")

    def pause_queue(self, reason: str = "Pausa de prueba") -> None:
        """Disable the CUPS queue (``cupsdisable``), as an operator or an error policy would."""
        self._admin("cupsdisable", "-r", reason, self.queue)

    def resume_queue(self) -> None:
        """Enable the queue and accept jobs again (``cupsenable`` + ``cupsaccept``)."""
        self._admin("cupsenable", self.queue)
        self._admin("cupsaccept", self.queue)

    def reject_jobs(self, reason: str = "No acepta trabajos (prueba)") -> None:
        """Make the queue refuse new jobs (``cupsreject``)."""
        self._admin("cupsreject", "-r", reason, self.queue)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- steps --------------------------------------------------------------------------

    def _prepare_folders(self) -> None:
        cups = self.workdir / "cups"
        for sub in ("root/ppd", "state", "cache", "spool/tmp", "log"):
            (cups / sub).mkdir(parents=True, exist_ok=True)
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "attributes.conf").write_text(_ATTRIBUTES, encoding="utf-8")
        command = self.workdir / "print-command.sh"
        # ippeveprinter runs this with the received document; without -c it simulates ~10 s.
        # While the fault file holds reasons, the printer reports them and holds the job, as a
        # real one does until someone loads paper or clears the jam.
        fault = self._fault_file
        pause = f"sleep {self.SLOW_JOB_SECONDS}\n" if self.slow else ""
        command.write_text(
            "#!/bin/sh\n"
            f'if [ -s "{fault}" ]; then\n'
            f'  reasons=$(cat "{fault}")\n'
            '  echo "STATE: +$reasons" >&2\n'
            f'  while [ -s "{fault}" ]; do sleep 0.2; done\n'
            '  echo "STATE: -$reasons" >&2\n'
            "fi\n"
            f"{pause}exit 0\n",
            encoding="utf-8",
        )
        command.chmod(0o755)
        _open_path_for_others(cups)

    def _start_dbus(self) -> None:
        socket_path = self.workdir / "dbus" / "system_bus_socket"
        socket_path.parent.mkdir(exist_ok=True)
        if len(str(socket_path)) <= _MAX_UNIX_SOCKET_PATH:
            listen = f"unix:path={socket_path}"
        else:  # a deep work folder: fall back to an abstract socket (Linux only)
            listen = f"unix:abstract=station-vp-{os.getpid()}-{id(self)}"
        config = self.workdir / "dbus" / "system.conf"
        config.write_text(_DBUS_CONFIG.format(listen=listen), encoding="utf-8")
        proc = self._spawn(
            "dbus",
            [_binary("dbus-daemon"), f"--config-file={config}", "--nofork", "--print-address"],
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        # dbus-daemon prints its address once it accepts connections.
        readable, _, _ = select.select([proc.stdout], [], [], _STARTUP_TIMEOUT_S)
        line = proc.stdout.readline().decode().strip() if readable else ""
        proc.stdout.close()
        if not line:
            raise VirtualPrinterError(f"dbus-daemon did not start: see {self._log_path('dbus')}")
        self._dbus_address = line

    def _start_printer(self) -> None:
        self._printer_runs += 1
        # A restarted ippeveprinter numbers its jobs from 1 again: a new folder per run keeps
        # the documents of earlier runs from being overwritten.
        docs = self.documents_dir / f"run-{self._printer_runs}"
        docs.mkdir(parents=True, exist_ok=True)
        args = [
            _binary("ippeveprinter"),
            "-n", "localhost", "-p", str(self.ipp_port), "-r", "off", "--no-web-forms",
            "-k", "-d", str(docs),
            "-a", str(self.workdir / "attributes.conf"),
            "-c", str(self.workdir / "print-command.sh"),
            "-v",
            "Estacion Virtual",
        ]  # fmt: skip
        self._spawn("printer", args, env={"DBUS_SYSTEM_BUS_ADDRESS": self._dbus_address})
        self._wait("printer", self._printer_answers)

    def _printer_answers(self) -> bool:
        result = subprocess.run(
            [_binary("ipptool"), "-q", "-T", "2", self.printer_uri, "get-printer-attributes.test"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=5, check=False,
        )  # fmt: skip
        return result.returncode == 0

    def _start_cupsd(self) -> None:
        cups = self.workdir / "cups"
        conf = cups / "cupsd.conf"
        conf.write_text(_CUPSD_CONF.format(port=self.cups_port), encoding="utf-8")
        files_conf = cups / "cups-files.conf"
        files_conf.write_text(
            _CUPS_FILES_CONF.format(d=cups, server_bin=_SERVER_BIN), encoding="utf-8"
        )
        self._spawn(
            "cupsd",
            [_binary("cupsd"), "-f", "-c", str(conf), "-s", str(files_conf)],
            env={"DBUS_SYSTEM_BUS_ADDRESS": self._dbus_address},
        )
        self._wait("cupsd", lambda: _port_open(self.cups_port))

    def _add_queue(self) -> None:
        result = subprocess.run(
            [
                _binary("lpadmin"), "-h", self.cups_server, "-p", self.queue, "-E",
                "-v", self.printer_uri, "-m", "everywhere",
            ],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise VirtualPrinterError(f"lpadmin failed: {result.stderr.strip()}")
        # cupsd writes the PPD a moment after lpadmin returns; print before that and the job
        # goes out without the raster filters.
        ppd = self.workdir / "cups" / "root" / "ppd" / f"{self.queue}.ppd"
        self._wait("cupsd", ppd.exists, what=f"the PPD of queue {self.queue}")

    # -- process plumbing ---------------------------------------------------------------

    def _admin(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [_binary(tool), "-h", self.cups_server, *args],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise VirtualPrinterError(f"{tool} failed: {result.stderr.strip()}")

    def _log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(
        self,
        name: str,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        stdout: int | None = None,
    ) -> subprocess.Popen[bytes]:
        log = self._log_path(name).open("ab")
        self._logs.append(log)
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else log,
            stderr=log,
            env={**os.environ, **(env or {})},
            cwd=self.workdir,
            # Its own process group, so stop() can end it with every child it started.
            start_new_session=True,
        )
        self._procs[name] = proc
        return proc

    def _wait(self, name: str, ready: Callable[[], bool], *, what: str | None = None) -> None:
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        delay = 0.02
        while time.monotonic() < deadline:
            proc = self._procs.get(name)
            if proc is None or proc.poll() is not None:
                raise VirtualPrinterError(
                    f"{name} exited during startup: see {self._log_path(name)}"
                    + (f" and {self.cups_error_log}" if name == "cupsd" else "")
                )
            if ready():
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        raise VirtualPrinterError(
            f"timed out after {_STARTUP_TIMEOUT_S:.0f} s waiting for {what or name}: "
            f"see {self._log_path(name)}"
        )


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid``, to tell a process from a later one given its id."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below ``pid`` (Linux /proc), with its start time."""
    found: list[tuple[int, str]] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in map(int, children.read_text().split()):
                    started = _start_time(child)
                    if started is not None:
                        found.append((child, started))
                        pending.append(child)
    return found


def _kill_listed(processes: list[tuple[int, str]], sig: signal.Signals) -> None:
    for pid, started in processes:
        if _start_time(pid) == started:  # still the same process, not a reused id
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def _kill_tree(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # cupsd's filters and backends may leave its process group; collect them by ancestry.
    others = _descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    _kill_listed(others, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL whatever of it is left after 5 s."""
    if proc.poll() is not None:
        return
    others = _descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill_tree(proc, signal.SIGKILL)
    _kill_listed(others, signal.SIGKILL)
