"""Fixtures for fleet updates: real wheels of this project, signed bundles, a cutting proxy.

Wheels are built once per session with ``pip wheel --no-deps --no-build-isolation`` from a
copy of the checkout whose version is changed (0.2.0, and a BROKEN 0.3.0 with a ledger
migration that cannot apply, so its selftest fails).
A test bundle holds ONLY the project wheel: its slot venv sees the test venv's packages
through a ``.pth`` file (``Installer(inherit_site=...)``) instead of a full wheelhouse.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from foundation.credential.keys import StationKey
from foundation.releases.bundle import public_key_line, sign_bundle

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(sysconfig.get_paths()["purelib"])
PACKAGES = ("foundation", "station", "central", "conalep")
"""The project's top-level packages (pyproject's packages.find), those present are built."""


def _build_wheel(out: Path, version: str, *, broken: bool = False,
                 broken_health: bool = False) -> Path:
    src = out / f"src-{version}"
    for name in (n for n in PACKAGES if (ROOT / n).is_dir()):
        shutil.copytree(ROOT / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace(
        'version = "0.1.0"', f'version = "{version}"', 1), "utf-8")
    init = src / "station" / "__init__.py"
    init.write_text(init.read_text("utf-8").replace('"0.1.0"', f'"{version}"'), "utf-8")
    if broken:  # a ledger migration that cannot apply: its selftest must catch it on a copy
        migrations = src / "station" / "store" / "migrations"
        last = max(int(p.name[:4]) for p in migrations.glob("[0-9]*.sql"))
        (migrations / f"{last + 1:04d}_roto.sql").write_text(
            "ALTER TABLE tabla_que_no_existe ADD COLUMN nada TEXT;\n", "utf-8")
    if broken_health:  # passes its selftest, but never says it started fine: rolled back
        health = src / "station" / "update" / "health.py"
        text = health.read_text("utf-8")
        head = "    folder = DataFolder(data_dir)\n    load_settings(folder.settings_file)\n"
        assert head in text
        health.write_text(text.replace(head, head + "    raise RuntimeError('versión de "
                                       "prueba que nunca arranca bien')\n", 1), "utf-8")
    wheels = out / f"wheels-{version}"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(wheels), str(src)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    shutil.rmtree(src)
    (wheel,) = wheels.glob("*.whl")
    return wheel


class ReleaseKit:
    """The state's release key, another key nobody trusts, and the wheels."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = StationKey.generate(folder / "keys" / "release.key")
        self.stranger = StationKey.generate(folder / "keys" / "stranger.key")
        self.pub = folder / "keys" / "release.pub"
        self.pub.write_text(public_key_line(self.key.public_bytes(), "pruebas"))
        self.wheels = {"0.2.0": _build_wheel(folder, "0.2.0"),
                       "0.3.0": _build_wheel(folder, "0.3.0", broken=True)}

    def bundle(self, version: str, out: Path, *, key: StationKey | None = None,
               min_upgrade_from: str = "0.1.0", wheel: Path | None = None) -> Path:
        house = out.parent / f"house-{out.stem}"
        house.mkdir(parents=True)
        shutil.copy(wheel or self.wheels[version], house)
        sign_bundle(house, key=key or self.key, out=out, min_upgrade_from=min_upgrade_from)
        return out

    def trust_into(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.pub, folder / "release.pub")


@pytest.fixture(scope="session")
def release_kit(tmp_path_factory: pytest.TempPathFactory) -> ReleaseKit:
    return ReleaseKit(tmp_path_factory.mktemp("release-kit"))


@pytest.fixture(autouse=True)
def _slots_run_their_own_code(request: pytest.FixtureRequest,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A release slot must run its own wheel: a PYTHONPATH pointing at a checkout (how a
    worktree runs the suite) would make the new version's health check run the checkout's
    version and never confirm the new one."""
    if "release_kit" in request.fixturenames:
        monkeypatch.delenv("PYTHONPATH", raising=False)


class CuttingProxy:
    """TCP proxy to central that cuts the FIRST bundle download after ``cut_after`` bytes
    (a school's link dropping mid-way) and records every bundle request's Range header."""

    def __init__(self, upstream_port: int, cut_after: int) -> None:
        self.upstream_port, self.cut_after = upstream_port, cut_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.ranges: list[str | None] = []
        self.cuts = 0
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        state = {"download": False}

        def upward() -> None:
            try:
                while data := client.recv(65536):
                    if b"/api/v1/sync/releases/" in data and b".tar" in data:
                        state["download"] = True
                        head = data.split(b"\r\n\r\n")[0].decode("latin-1").lower()
                        ranges = [h.split(":", 1)[1].strip() for h in head.split("\r\n")
                                  if h.startswith("range:")]
                        self.ranges.append(ranges[0] if ranges else None)
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=upward, daemon=True).start()
        sent = 0
        try:
            while data := upstream.recv(65536):
                if state["download"] and self.cuts == 0:
                    room = self.cut_after - sent
                    if len(data) >= room:
                        client.sendall(data[:room])
                        self.cuts += 1
                        break
                    sent += len(data)
                client.sendall(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self._stop = True
        self.listener.close()


@pytest.fixture
def cutting_proxy() -> Iterator[type[CuttingProxy]]:
    made: list[CuttingProxy] = []

    class Made(CuttingProxy):
        def __init__(self, *args: int) -> None:
            super().__init__(*args)
            made.append(self)

    yield Made
    for proxy in made:
        proxy.close()
