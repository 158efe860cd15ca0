"""What every command line of the house (``station``, ``central``, ``conalep``) shares: one
top-level error handler and click's own messages in Spanish.

Every failure ends the same way: one Spanish sentence on standard error, with the way out,
and exit status 1 (2 for a usage error, as click does), never a Python traceback. The
traceback is still there for whoever needs it: set ``<PROGRAM>_DEBUG=1`` (e.g.
``STATION_DEBUG=1``) and the handler lets it through.

Click translates its messages with :mod:`gettext` (the process-wide ``messages`` domain,
chosen by the user's locale). A command line that must speak Spanish on any appliance, even
under ``LANG=C``, cannot rely on that, so :func:`speak_spanish` gives click's modules a
translation of their own (:data:`CLICK_ES`) and leaves every other gettext user alone.

>>> speak_spanish()
>>> import click.exceptions
>>> click.exceptions.NoSuchOption("--x").format_message()
"No existe la opción '--x'."
"""

from __future__ import annotations

import contextlib
import errno
import gettext
import os
import sys
from typing import Any

import click

from foundation.errors import DomainError

# click's message ids (click 8.1–8.3) and their Spanish. Unknown ids pass through unchanged,
# so a new click release shows English for its new messages, never an error.
CLICK_ES: dict[str, str] = {
    "Usage:": "Uso:",
    "Try '{command} {option}' for help.": "Para ver la ayuda: {command} {option}",
    "Error: {message}": "Error: {message}",
    "Missing argument": "Falta el argumento",
    "Missing option": "Falta la opción",
    "Missing parameter": "Falta el parámetro",
    "Missing {param_type}": "Falta {param_type}",
    "Missing parameter: {param_name}": "Falta el parámetro: {param_name}",
    "Missing command.": "Falta el comando.",
    "No such command {name!r}.": "No existe el comando {name!r}.",
    "No such option {name!r}.": "No existe la opción {name!r}.",
    "Did you mean {possibility}?": "¿Quiso decir {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(¿Quiso decir alguna de: {possibilities}?)",
    "Invalid value for {param_hint}: {message}": "Valor no válido para {param_hint}: {message}",
    "Invalid value: {message}": "Valor no válido: {message}",
    "Could not open file {filename!r}: {message}":
        "No se puede abrir el archivo {filename!r}: {message}",
    "unknown error": "error desconocido",
    "Option {name!r} requires an argument.": "La opción {name!r} necesita un valor.",
    "Option {name!r} requires {nargs} arguments.": "La opción {name!r} necesita {nargs} valores.",
    "Option {name!r} does not take a value.": "La opción {name!r} no lleva valor.",
    "Argument {name!r} takes {nargs} values.": "El argumento {name!r} lleva {nargs} valores.",
    "Invalid start character for option ({option})":
        "Carácter inicial no válido para una opción ({option})",
    "Got unexpected extra argument ({args})": "Sobra un argumento ({args}).",
    "Got unexpected extra arguments ({args})": "Sobran argumentos ({args}).",
    "Takes {nargs} values but 1 was given.": "Lleva {nargs} valores pero se dio 1.",
    "Takes {nargs} values but {len} were given.": "Lleva {nargs} valores pero se dieron {len}.",
    "Aborted!": "Cancelado.",
    "Commands": "Comandos",
    "Options": "Opciones",
    "Positional arguments": "Argumentos",
    "default: {default}": "predeterminado: {default}",
    "env var: {var}": "variable de entorno: {var}",
    "deprecated": "obsoleto",
    "required": "obligatorio",
    "Show this message and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "%(prog)s, version %(version)s": "%(prog)s, versión %(version)s",
    "Do you want to continue?": "¿Desea continuar?",
    "Confirm the action without prompting.": "Confirma sin preguntar.",
    "file": "archivo",
    "directory": "carpeta",
    "path": "ruta",
    "{name} {filename!r} does not exist.": "{name} {filename!r} no existe.",
    "{name} {filename!r} is a file.": "{name} {filename!r} es un archivo, no una carpeta.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} es una carpeta, no un archivo.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} no se puede leer.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} no se puede escribir.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} no es ejecutable.",
    "{value!r} is not a valid {number_type}.": "{value!r} no es un {number_type} válido.",
    "{value} is not in the range {range}.": "{value} está fuera del intervalo {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} no es sí o no. Valores aceptados: {states}",
    "{value!r} is not {choice}.": "{value!r} no es {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} no es ninguno de {choices}.",
    "Choose from:\n\t{choices}": "Elija entre:\n\t{choices}",
    "{value!r} does not match the format {format}.": "{value!r} no tiene el formato {format}.",
    "{value!r} does not match the formats {formats}.":
        "{value!r} no tiene ninguno de los formatos {formats}.",
    "{len_type} values are required, but {len_value} was given.":
        "Se necesitan {len_type} valores, pero se dio {len_value}.",
    "{len_type} values are required, but {len_value} were given.":
        "Se necesitan {len_type} valores, pero se dieron {len_value}.",
    "{value!r} is not a valid UUID.": "{value!r} no es un UUID válido.",
    "Error: invalid input": "Error: valor no válido",
    "Error: The two entered values do not match.": "Error: los dos valores no coinciden.",
    "Repeat for confirmation": "Repita para confirmar",
    "Press any key to continue...": "Pulse una tecla para continuar...",
}


class _ClickSpanish(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return CLICK_ES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui",
                  "types", "utils")


def speak_spanish() -> None:
    """Make click speak Spanish in this process (idempotent). Call it before the commands'
    parameters are declared: click names path types when they are built."""
    import importlib

    spanish = _ClickSpanish()
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = spanish.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = spanish.ngettext  # type: ignore[attr-defined]
    # Number types put their own name in "… is not a valid {number_type}" and in the help.
    click.types.IntParamType.name = "entero"
    click.types.FloatParamType.name = "número"
    click.types.StringParamType.name = "texto"
    click.types.IntRange.name = "entero"
    click.types.FloatRange.name = "número"
    # An integer no ledger or database can store (SQLite and PostgreSQL stop at 64 bits) is
    # refused where it enters, as click refuses "abc", instead of failing deep inside.
    click.types.IntParamType._number_class = staticmethod(_int64)  # type: ignore[assignment]


MAX_INT64 = 2**63 - 1


def _int64(value: Any) -> int:
    number = int(value)
    if not -MAX_INT64 <= number <= MAX_INT64:
        raise ValueError(value)
    return number


speak_spanish()


def explain(exc: BaseException) -> str:
    """One Spanish sentence, with the way out, for a failure nobody turned into a
    :class:`DomainError` (a file that cannot be written, a disk that is full, a file that is
    not text…).

    >>> explain(PermissionError(13, "Permission denied", "/root/x.pdf"))[:42]
    'No hay permiso para usar /root/x.pdf. Elij'
    >>> explain(UnicodeDecodeError("utf-8", b"\\xff", 0, 1, "bad"))[:44]
    'Un archivo no es texto legible (no está en U'
    """
    if isinstance(exc, DomainError):
        return exc.user_message()
    if isinstance(exc, OSError):
        return _explain_os_error(exc)
    if isinstance(exc, UnicodeError):
        return ("Un archivo no es texto legible (no está en UTF-8 ni en Windows-1252). "
                "Guárdelo como CSV UTF-8 o XLSX y vuelva a intentar.")
    if isinstance(exc, MemoryError):
        return "La memoria no alcanzó. Cierre otros programas y vuelva a intentar."
    return (f"Falla inesperada del programa ({type(exc).__name__}). Vuelva a intentar; si se "
            "repite, envíe un reporte de problema a su DRSE con lo que estaba haciendo.")


def _explain_os_error(exc: OSError) -> str:
    where = exc.filename or "el archivo"
    if isinstance(exc, PermissionError):
        return (f"No hay permiso para usar {where}. Elija una carpeta donde pueda escribir "
                "(por ejemplo, la suya) o pida acceso al administrador.")
    if isinstance(exc, FileNotFoundError):
        return (f"No existe {where} (o la carpeta que lo contiene). Revise el nombre y la "
                "ruta.")
    if isinstance(exc, IsADirectoryError):
        return f"{where} es una carpeta; indique un archivo."
    if isinstance(exc, NotADirectoryError):
        return f"Parte de la ruta {where} es un archivo, no una carpeta. Revise la ruta."
    if exc.errno == errno.ENOSPC:
        return f"El disco está lleno ({where}). Libere espacio y vuelva a intentar."
    if exc.errno == errno.EROFS:
        return (f"{where} está en un disco de solo lectura. Elija otra carpeta o retire la "
                "protección contra escritura de la memoria USB.")
    return (f"No se pudo leer o escribir {where} ({exc.strerror or type(exc).__name__}). "
            "Revise el disco o la memoria USB y vuelva a intentar.")


def debug_wanted(program: str) -> bool:
    """Whether ``<PROGRAM>_DEBUG`` asks for tracebacks (``1``, ``true``, ``si``)."""
    return os.environ.get(f"{program.upper()}_DEBUG", "").strip().lower() in {
        "1", "true", "yes", "si", "sí"}


def fail(message: str, *, code: int = 1) -> None:
    """Print ``Error: message`` on its own line on standard error and exit with ``code``.

    Standard output is flushed first, so a success line already printed and the error
    never share a line nor swap places when both go to one file or terminal."""
    _flush(sys.stdout)
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _flush(stream: Any) -> None:
    with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to keep in order
        stream.flush()


class SpanishGroup(click.Group):
    """A click group whose failures all end as one Spanish sentence (see the module).

    Give it the program's name for the debug variable:
    ``@click.group(cls=SpanishGroup, program="station")``.
    """

    def __init__(self, *args: Any, program: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program or (self.name or "programa")

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.get("standalone_mode", True)
        _spanish_metavars(self)
        try:
            return super().main(*args, **kwargs)
        except Exception as exc:  # the last line of defence: everything becomes a sentence
            if not standalone or debug_wanted(self.program):
                raise
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                sys.exit(1)  # the reader went away (``| head``): nothing to tell it
            fail(explain(exc) + _debug_hint(self.program, exc))
            raise  # unreachable: fail() exits


def _spanish_metavars(command: click.Command) -> None:
    """The usage line's ``[OPTIONS]`` and ``COMMAND [ARGS]...`` are attributes, not
    messages: set them on the whole tree of commands."""
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = "[OPCIONES]"
    if isinstance(command, click.Group):
        if command.subcommand_metavar in (None, "COMMAND [ARGS]..."):
            command.subcommand_metavar = "COMANDO [ARGUMENTOS]..."
        for sub in command.commands.values():
            _spanish_metavars(sub)


def _debug_hint(program: str, exc: BaseException) -> str:
    if isinstance(exc, DomainError | OSError | UnicodeError):
        return ""
    return f" (Para ver el detalle técnico: {program.upper()}_DEBUG=1 {program} …)"

