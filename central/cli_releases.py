"""``central release …``: release keys, signing (release engineer's machine), publishing and
rollout (server). See docs/fleet.md.

The signing commands never need the server's settings; the private release key stays on the
release engineer's machine (``keygen`` / ``sign``). The server holds only public keys
(``trust-key`` copies one into ``<data_dir>/release-keys/``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

_JSON = click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")


def register(main: click.Group) -> None:
    main.add_command(release)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _with_session(action: Callable[[Any, Any], Any]) -> Any:
    """Run ``action(session, settings)`` in one transaction; ApiError → Spanish message."""
    from central.cli import _sessions
    from central.errors import ApiError
    from central.settings import CentralSettings

    settings = CentralSettings.load()
    try:
        with _sessions(settings)() as session, session.begin():
            return action(session, settings)
    except ApiError as exc:
        _fail(exc.message)


@click.group()
def release() -> None:
    """Station software releases: sign, publish, staged rollout (docs/fleet.md)."""


@release.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen(path: Path) -> None:
    """Create the state's release signing key (PATH, 0600) and PATH.pub (public half)."""
    from foundation.credential.keys import StationKey
    from foundation.errors import DomainError
    from foundation.releases.bundle import public_key_line

    try:
        key = StationKey.generate(path)
    except DomainError as exc:
        _fail(exc.message)
    pub = path.with_name(path.name + ".pub")
    pub.write_text(public_key_line(key.public_bytes(), f"llave-de-versiones {key.key_id.hex()}"))
    click.echo(f"Llave de versiones: {path} (privada, guárdela fuera del servidor)\n"
               f"Llave pública: {pub} (va en el servidor y en la imagen de las estaciones)")


@release.command("sign")
@click.argument("wheelhouse", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--key", "key_path", required=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--min-upgrade-from", required=True, help="Oldest version it may replace.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@_JSON
def sign(wheelhouse: Path, key_path: Path, min_upgrade_from: str, out: Path,
         as_json: bool) -> None:
    """Build and sign a bundle from a wheelhouse (the project wheel + its dependencies)."""
    from foundation.credential.keys import StationKey
    from foundation.errors import DomainError
    from foundation.releases.bundle import sign_bundle

    try:
        manifest = sign_bundle(wheelhouse, key=StationKey.load(key_path), out=out,
                               min_upgrade_from=min_upgrade_from)
    except DomainError as exc:
        _fail(exc.message)
    if as_json:
        click.echo(json.dumps({"bundle": str(out), **manifest.to_json()}, indent=2))
        return
    click.echo(f"Paquete firmado: {out} (versión {manifest.version}, {len(manifest.files)} "
               f"ruedas, migraciones del registro: {', '.join(manifest.ledger_migrations)})")


@release.command("trust-key")
@click.argument("public_key", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def trust_key(public_key: Path) -> None:
    """Accept bundles signed by this release public key (copied to <data_dir>/release-keys)."""
    from central.crud.releases import keys_dir
    from central.settings import CentralSettings
    from foundation.errors import DomainError
    from foundation.releases.bundle import parse_public_key

    try:
        parse_public_key(public_key.read_text("utf-8"))
    except DomainError as exc:
        _fail(exc.message)
    folder = keys_dir(CentralSettings.load().data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(public_key, folder / (public_key.stem + ".pub"))
    click.echo(f"Llave pública de versiones aceptada: {folder / (public_key.stem + '.pub')}")


@release.command("publish")
@click.argument("bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--channel", default="stable", show_default=True)
@click.option("--staff", "staff_name", default="cli", help="Who publishes (audit trail).")
@_JSON
def publish(bundle: Path, channel: str, staff_name: str, as_json: bool) -> None:
    """Verify the bundle's signature and store it; it starts paused at 0 %."""
    from central.crud import releases as ops
    from central.crud import staff as staff_ops
    from central.crud.stations import now_utc

    def action(session: Any, settings: Any) -> dict[str, Any]:
        row = ops.publish(session, data_dir=settings.data_dir, bundle=bundle, channel=channel,
                          staff=staff_name, now=now_utc())
        staff_ops.record(session, staff=staff_name, action="release-publish",
                         target=row.version, reason=row.sha256, now=now_utc())
        return {"version": row.version, "sha256": row.sha256, "channel": row.channel,
                "state": row.state}

    info = _with_session(action)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Versión {info['version']} publicada en el canal {info['channel']}, en pausa "
               f"al 0 %. Para empezar: central release rollout {info['version']} --percent 5")


def _rollout(version: str, staff_name: str, **changes: Any) -> None:
    from central.crud import releases as ops
    from central.crud import staff as staff_ops
    from central.crud.stations import now_utc

    def action(session: Any, _settings: Any) -> tuple[str, str, str]:
        row = ops.set_rollout(session, version=version, now=now_utc(), **changes)
        staff_ops.record(session, staff=staff_name, action="release-rollout", target=version,
                         reason=json.dumps(changes, ensure_ascii=False)[:500], now=now_utc())
        return row.version, ops.STATE_ES[row.state], row.targets

    got = _with_session(action)
    click.echo(f"Versión {got[0]}: {got[1]}; destinatarios {got[2]}")


@release.command("rollout")
@click.argument("version")
@click.option("--percent", type=click.IntRange(0, 100), help="Share of stations (by cohort).")
@click.option("--drse", multiple=True, help="A DRSE that gets it first (repeatable).")
@click.option("--station", "stations", multiple=True, help="A station id (repeatable).")
@click.option("--channel", help="Move the release to this channel.")
@click.option("--staff", "staff_name", default="cli")
def rollout(version: str, percent: int | None, drse: tuple[str, ...],
            stations: tuple[str, ...], channel: str | None, staff_name: str) -> None:
    """Set who gets the release and start (or continue) offering it."""
    _rollout(version, staff_name, percent=percent, drse=list(drse) or None,
             stations=list(stations) or None, channel=channel, state="active")


for _name, _state, _help in (("pause", "paused", "Stop offering it for now (resume later)."),
                             ("resume", "active", "Offer it again."),
                             ("halt", "halted", "Stop for good: never offered again.")):
    def _make(state: str) -> Callable[[str, str], None]:
        def command(version: str, staff_name: str) -> None:
            _rollout(version, staff_name, state=state)
        return command

    release.command(_name, help=_help)(click.option("--staff", "staff_name", default="cli")(
        click.argument("version")(_make(_state))))


@release.command("list")
@_JSON
def list_releases(as_json: bool) -> None:
    """Releases with offered / downloaded / installed / failed / rolled back counts."""
    from central.crud import releases as ops

    rows = _with_session(lambda session, _s: (
        [r.to_json() for r in ops.summaries(session)], ops.installed_versions(session)))
    if as_json:
        click.echo(json.dumps({"releases": rows[0], "installed": rows[1]}, indent=2,
                              ensure_ascii=False))
        return
    for r in rows[0]:
        c = r["counts"]
        click.echo(f"{r['version']}\t{r['channel']}\t{ops.STATE_ES[r['state']]}\t"
                   f"{r['targets']['percent']} %\tofrecida {c['offered']}, descargada "
                   f"{c['downloaded']}, instalada {c['installed']}, fallida {c['failed']}, "
                   f"revertida {c['rolled_back']}")
    if not rows[0]:
        click.echo("No hay versiones publicadas.")
