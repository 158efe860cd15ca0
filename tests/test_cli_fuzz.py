"""The command-line fuzz of issue 14: every command and subcommand of ``station``,
``central`` and ``conalep`` run with missing files, unwritable paths, directories where
files go, non-UTF-8 files, out-of-range numbers, impossible dates and odd codes, on relative
and absolute data folders. Every answer must be words: no traceback, no "unexpected
failure" (the top-level handler's last resort, which would hide a bug), no English click
message, and a failure always says something and exits non-zero.

In-process (click's CliRunner) for speed; a few real processes check what a terminal sees.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from central.cli import main as central_main
from conalep.cli import main as conalep_main
from station.cli import main as station_main
from station.services.demo_data import make_placeholder_portrait

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "scejal"

SKIP_COMMANDS = {
    ("kiosk",),  # opens the touchscreen app
    ("serve",),  # central and conalep: starts a web server that runs until stopped
}
SKIP_OPTIONS = {
    "camera",  # verify --camera loops over camera frames until Ctrl-C
    "watch",  # sync --watch runs until stopped
}
BAD_INTS = ("-1", "0", "99999999999999999999", "abc")
BAD_FLOATS = ("-5", "1e999", "nada")
BAD_DATES = ("31/02/2026", "2026-13-45", "99/99/9999", "01/01/1900")
BAD_CYCLES = ("2026-2028", "0000-0001", "ciclo")
BAD_CCTS = ("14PPR0001X", "X", "14EES0087H")
BAD_CURPS = ("NOESUNACURP", "GOXL150826HJCNXNC2")
BAD_TEXT = ("x", "", "ñ" * 300)
READY = "CAXM110212HJCSXGJ5"  # a student of 14EES0087H in the sample roster
DATE_NAMES = {"on", "date", "receipt_date", "since"}
ENGLISH = re.compile(r"Usage:|Try '|Got unexpected|Missing (option|argument)|Invalid value|"
                     r"No such (option|command)|does not exist|is not a valid|Aborted!")


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if (name,) in SKIP_COMMANDS:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


class Inputs:
    """The bad values, by kind; ``pick(kind, v)`` cycles through them with the variant."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        non_utf8 = folder / "latin.csv"
        non_utf8.write_bytes(b"curp,nombre\n\xff\xfe\x00\x81\x8d\x90\xc3(\n")
        self.paths = (str(folder / "no-existe" / "x.csv"), str(non_utf8),
                      "/proc/sin-permiso/x.pdf", str(folder))

    def value(self, param: click.Parameter, v: int) -> str | None:
        kind, name = param.type, param.name or ""
        if isinstance(kind, click.Choice):
            return str(list(kind.choices)[v % len(kind.choices)])
        if isinstance(kind, click.Path):
            return self.paths[v % len(self.paths)]
        if isinstance(kind, click.types.IntParamType):
            return BAD_INTS[v % len(BAD_INTS)]
        if isinstance(kind, click.types.FloatParamType):
            return BAD_FLOATS[v % len(BAD_FLOATS)]
        for names, values in ((DATE_NAMES, BAD_DATES), ({"to", "cycle"}, BAD_CYCLES),
                              ({"cct", "ccts", "school_cct"}, BAD_CCTS),
                              ({"curp", "curps"}, BAD_CURPS)):
            if name in names:
                return values[v % len(values)]
        return BAD_TEXT[v % len(BAD_TEXT)]


def arguments(command: click.Command, inputs: Inputs, v: int) -> list[str]:
    """Required parameters always, optional ones on even variants; flags never (some run
    loops or reach the network); numbers that may start a long run are bounded by the
    commands themselves (that is part of what is checked)."""
    args: list[str] = []
    for param in command.params:
        if param.name in SKIP_OPTIONS or param.name == "as_json":
            continue
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            continue
        if not param.required and v % 2:
            continue
        value = inputs.value(param, v)
        if value is None:
            continue
        if isinstance(param, click.Argument):
            args.append(value)
        else:
            args += [param.opts[0], value]
    return args


def check(result: Result, what: str) -> None:
    out = result.output
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"{what}: {type(exc).__name__}: {exc}\n{out}")
    assert "Traceback" not in out, f"{what}:\n{out}"
    assert "Falla inesperada" not in out, f"{what}:\n{out}"
    assert not ENGLISH.search(out), f"{what}: English click message:\n{out}"
    if result.exit_code:
        assert out.strip(), f"{what}: failed (exit {result.exit_code}) without a word"


@pytest.fixture(scope="module")
def station_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station with the sample roster imported (its students have no photos)."""
    data = tmp_path_factory.mktemp("fuzz") / "datos"
    result = CliRunner().invoke(station_main, ["--data", str(data), "import-roster",
                                               str(SAMPLES / "escuelas.csv"),
                                               str(SAMPLES / "alumnos.csv")])
    assert result.exit_code == 0, result.output
    return data


STATION_COMMANDS = list(commands(station_main))


@pytest.mark.timeout(240)
def test_station_commands_answer_in_words(station_data: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = Inputs(tmp_path / "inputs")
    runner = CliRunner()
    monkeypatch.chdir(station_data.parent)
    assert len(STATION_COMMANDS) > 50  # every command is here, not a sample of them
    for path, command in STATION_COMMANDS:
        for v in range(3):
            # the relative folder ("datos", as a secretary types it) and the absolute one
            for data in (("datos",) if v == 0 else ()) + (str(station_data),):
                args = ["--data", data, *path, *arguments(command, inputs, v)]
                check(runner.invoke(station_main, args, input=""), " ".join(args))


@pytest.mark.parametrize("program", [central_main, conalep_main], ids=["central", "conalep"])
@pytest.mark.timeout(240)
def test_server_commands_answer_in_words(program: click.Group, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CENTRAL_", "CONALEP_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # development mode: ./central-data, ./conalep-data
    inputs = Inputs(tmp_path / "inputs")
    runner = CliRunner()
    for path, command in commands(program):
        for v in range(2):
            args = [*path, *arguments(command, inputs, v)]
            check(runner.invoke(program, args, input=""), " ".join(args))


def test_click_speaks_spanish_and_usage_errors_exit_2(station_data: Path) -> None:
    runner = CliRunner()
    for args, words, usage in (
            (["confirm", "--sheet", "1", "x"], "'x' no es un entero válido", True),
            (["nada"], "No existe el comando 'nada'.", True),
            (["print"], "Indique --school (o --batch).", True),
            (["print", "--school"], "La opción '--school' necesita un valor.", False),
            (["spoil", "--sheet", "1", "--reason", "x", "sobra"], "Sobra un argumento (sobra).",
             True),
            (["demo", "--students", "100000"], "fuera del intervalo", True)):
        result = runner.invoke(station_main, ["--data", str(station_data), *args])
        assert result.exit_code == 2, result.output
        assert "Error: " in result.output and words in result.output, result.output
        if usage:
            assert "Uso: " in result.output and "Para ver la ayuda: " in result.output
        check(result, " ".join(args))


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                       **(env or {})})


def test_real_processes_show_one_sentence_and_no_traceback(station_data: Path,
                                                           tmp_path: Path) -> None:
    """What a terminal sees: stderr is one 'Error:' line with the way out, exit 1."""
    work = tmp_path / "w"
    shutil.copytree(station_data, work / "datos")
    cases = [
        ("-m", "station.cli", "--data", "datos", "specimen", "--pdf", "/proc/sin-permiso/x.pdf"),
        ("-c", "from central.cli import main; main()", "keygen", "/proc/sin-permiso/c.key"),
    ]
    for case in cases:
        done = _run(*case, cwd=work, env={"CENTRAL_DATA_DIR": str(work / "central")})
        assert done.returncode == 1, (case, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (case, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr


def test_the_debug_variable_lets_the_traceback_through(station_data: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """An unforeseen failure is one sentence; STATION_DEBUG=1 lets the exception through."""
    import station.services.lookup as lookup

    def broken(station: object) -> None:
        raise RuntimeError("falla de prueba")

    monkeypatch.setattr(lookup, "latest_sheets", broken)
    args = ["--data", str(station_data), "sheets"]
    quiet = CliRunner().invoke(station_main, args)
    assert quiet.exit_code == 1 and isinstance(quiet.exception, SystemExit), quiet.output
    assert quiet.output.startswith("Error: Falla inesperada del programa (RuntimeError)")
    assert "STATION_DEBUG=1" in quiet.output and "Traceback" not in quiet.output
    monkeypatch.setenv("STATION_DEBUG", "1")
    loud = CliRunner().invoke(station_main, args)
    assert isinstance(loud.exception, RuntimeError), loud.output


def test_a_success_line_and_the_next_error_never_share_a_line(station_data: Path,
                                                              tmp_path: Path) -> None:
    """Both streams into one pipe, as a terminal or a log gets them: the list of students
    who are not ready (stdout) comes first and whole, then the error on its own line."""
    work = tmp_path / "w"
    shutil.copytree(station_data, work / "datos")
    (work / "datos" / "station.toml").write_text('[station]\nkind = "escuela"\n'
                                                 'school_cct = "14EES0087H"\n', "utf-8")
    photos = work / "fotos"
    photos.mkdir()
    (photos / f"{READY}.jpg").write_bytes(make_placeholder_portrait("MIGUEL ÁNGEL", READY))
    assert CliRunner().invoke(station_main, ["--data", str(work / "datos"), "import-photos",
                                             str(photos)]).exit_code == 0
    done = subprocess.run(
        [sys.executable, "-m", "station.cli", "--data", "datos", "print", "--school",
         "14EES0087H", "--all-pending", "--printer", "cola-que-no-existe"],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CUPS_SERVER": "127.0.0.1:9"})
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout
    errors = [i for i, line in enumerate(lines) if "Error:" in line]
    assert len(errors) == 1 and lines[errors[0]].startswith("Error: "), done.stdout
    assert errors[0] == len(lines) - 1 and "no tiene fotografía" in done.stdout, done.stdout

