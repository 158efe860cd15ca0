"""The station's updater: check → download → verify → install slot → selftest → switch →
restart → health confirmed (or switch back) → report to central.

Every refusal leaves the station as it was (``current`` untouched, no new slot, the ledger
never written by the updater) and says why in Spanish in ``station update status``.
A refused release (bad signature, unknown signer, downgrade, failed selftest, rolled back) is
not tried again; a newer release is. Waiting (outside the window, printing) is not a refusal.

>>> outcome = apply(context_for(Path("/var/lib/station")))  # doctest: +SKIP
>>> outcome.result  # doctest: +SKIP
'installed'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from foundation.contract.responses import ReleaseOffer
from foundation.errors import DomainError
from foundation.releases.bundle import BundleRefused, load_release_keys, verify_bundle
from station.core.releases import upgrade_refusal
from station.store.data_folder import DataFolder
from station.store.print_files import no_printing
from station.store.settings_file import load_settings
from station.update import health
from station.update.download import download
from station.update.guards import why_not_now
from station.update.install import Installer, InstallFailed, prune, restart_services, run_selftest
from station.update.layout import Layout, UpdaterBusy, read_status, updater_lock, write_status

OFFER = "/api/v1/sync/releases/offer"
REPORT = "/api/v1/sync/releases/report"
FAILED = ("refused", "failed", "rolled_back", "offline")


@dataclass
class UpdateContext:
    layout: Layout
    settings: dict[str, Any]
    client: Any = None
    """A CentralClient, or None for a station without central (local bundles only)."""
    installer: Installer = field(default_factory=Installer)
    restart: Callable[[Layout, str], str] = restart_services
    now: Callable[[], datetime] = datetime.now
    """Local wall clock (the maintenance window is local time)."""


@dataclass
class Outcome:
    result: str
    """up-to-date, offered, downloaded, deferred, refused, failed, installed, rolled_back,
    offline."""
    version: str | None = None
    reason: str = ""
    installed: str = ""
    steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result not in FAILED

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "result": self.result, "version": self.version,
                "reason": self.reason, "installed": self.installed, "steps": self.steps}

    def describe(self) -> str:
        head = {"up-to-date": "La estación tiene la versión más reciente",
                "offered": "Hay una actualización disponible",
                "downloaded": "Actualización descargada (SHA-256 correcto)",
                "deferred": "Actualización en espera", "refused": "Actualización rechazada",
                "failed": "La actualización falló", "installed": "Actualización instalada",
                "rolled_back": "La actualización no arrancó bien: se regresó a la versión "
                               "anterior", "offline": "No se pudo consultar al servicio central",
                }[self.result]
        lines = [f"{head}" + (f" ({self.version})" if self.version else "") + "."]
        if self.reason:
            lines.append(f"Motivo: {self.reason}.")
        lines += [f"- {s}" for s in self.steps]
        lines.append(f"Versión en uso: {self.installed}.")
        return "\n".join(lines)


def context_for(data_dir: Path, *, root: Path | None = None, **options: Any) -> UpdateContext:
    """Settings and key read directly (the updater runs as root: it must not open the
    ledger for writing nor create files the station user could not use)."""
    from foundation.credential.keys import StationKey
    from station.sync.client import CentralClient

    folder = DataFolder(data_dir)
    settings = load_settings(folder.settings_file)
    client = None
    if settings["sync.central_url"]:
        key = StationKey.load(folder.key)
        client = CentralClient(settings["sync.central_url"], key=key, attempts=3,
                               max_delay_s=30)
    return UpdateContext(Layout.of(data_dir, root), settings, client, **options)


def _finish(ctx: UpdateContext, status: dict[str, Any], outcome: Outcome) -> Outcome:
    outcome.installed = ctx.layout.installed_version()
    status["installed"] = outcome.installed
    status["last"] = {**outcome.to_json(), "at": ctx.now().isoformat(timespec="seconds")}
    if outcome.result in ("refused", "failed", "rolled_back") and outcome.version:
        status.setdefault("refused", {})[outcome.version] = outcome.reason
    write_status(ctx.layout, status)
    return outcome


def _report(ctx: UpdateContext, status: dict[str, Any], version: str, stage: str,
            detail: str = "") -> None:
    """Queue a signed report for central and send what is queued (kept when offline)."""
    status.setdefault("pending_reports", []).append(
        {"version": version, "stage": stage, "detail": detail[:2000],
         "installed": ctx.layout.installed_version()})
    flush_reports(ctx, status)


def flush_reports(ctx: UpdateContext, status: dict[str, Any]) -> None:
    from station.sync.client import SyncError

    pending = status.get("pending_reports", [])
    while pending and ctx.client is not None:
        try:
            ctx.client.post_json(REPORT, pending[0])
        except SyncError as exc:
            if exc.code == "offline" or (exc.status or 500) >= 500:
                break
        pending.pop(0)  # sent, or refused for good (e.g. a release central no longer has)
    write_status(ctx.layout, status)


BUSY = ("el programa de actualización está trabajando (instalando o confirmando una "
        "versión); se consulta de nuevo en la próxima sincronización")


def check(ctx: UpdateContext, *, fetch: bool = False) -> tuple[Outcome, dict[str, Any] | None]:
    """Ask central what to install; with ``fetch``, download it (resumably) too. Gives way
    (``deferred``, status.json untouched) while an ``apply`` runs: the sync calls this."""
    try:
        with updater_lock(ctx.layout, wait=False):
            return _check(ctx, fetch=fetch)
    except UpdaterBusy:
        return Outcome("deferred", reason=BUSY, installed=ctx.layout.installed_version()), None


def _check(ctx: UpdateContext, *, fetch: bool = False) -> tuple[Outcome, dict[str, Any] | None]:
    from station.sync.client import SyncError

    status = read_status(ctx.layout)
    installed = ctx.layout.installed_version()
    if ctx.client is None:
        return _finish(ctx, status, Outcome("up-to-date", reason="estación sin servicio "
                                                                 "central")), None
    flush_reports(ctx, status)
    version: str | None = None
    try:
        answer = ctx.client.get_answer(ReleaseOffer, OFFER, version=installed,
                                       channel=ctx.settings["update.channel"])
        # Kept as plain JSON: the offer is written to the update status file as it came.
        offer = answer.release.model_dump() if answer.release else None
        status["last_check"] = ctx.now().isoformat(timespec="seconds")
        status["offer"] = offer
        if offer is None:
            return _finish(ctx, status, Outcome("up-to-date")), None
        version = str(offer["version"])
        if version in status.get("refused", {}):
            return _finish(ctx, status, Outcome("refused", version,
                                                status["refused"][version])), None
        if not fetch:
            result = "downloaded" if _have(ctx, offer) else "offered"
            return _finish(ctx, status, Outcome(result, version)), offer
        bundle = download(ctx.client, ctx.layout, offer)
    except SyncError as exc:
        if exc.code == "offline" or (exc.status or 0) >= 500:
            return _finish(ctx, status, Outcome("offline", reason=exc.message)), None
        # No space, a corrupt transfer, a release halted meanwhile: tried again next time.
        return _finish(ctx, status, Outcome("deferred", version, exc.user_message())), None
    assert version is not None
    if status.get("downloaded") != offer["sha256"]:
        # Checked now, not only at night: a bad bundle is refused and reported at once.
        try:
            verify_bundle(bundle, load_release_keys(ctx.layout.keys_dir))
        except BundleRefused as exc:
            return _refuse(ctx, status, version, exc.reason, bundle), None
        status["downloaded"] = offer["sha256"]
        _report(ctx, status, version, "downloaded")
    return _finish(ctx, status, Outcome("downloaded", version)), offer


def _have(ctx: UpdateContext, offer: dict[str, Any]) -> bool:
    return (ctx.layout.updates / f"{offer['sha256']}.tar").is_file()


def apply(ctx: UpdateContext, *, bundle: Path | None = None,
          ignore_window: bool = False) -> Outcome:
    """Install the offered release (or a local ``bundle``, e.g. from a USB stick). Waits for
    another run (a manual ``apply`` beside the timer's) to end first."""
    with updater_lock(ctx.layout):
        return _apply(ctx, bundle=bundle, ignore_window=ignore_window)


def _apply(ctx: UpdateContext, *, bundle: Path | None, ignore_window: bool) -> Outcome:
    recovered = recover_pending(ctx)
    if recovered is not None:
        return recovered
    if bundle is None:
        outcome, offer = _check(ctx, fetch=True)
        if offer is None or outcome.result != "downloaded":
            return outcome
        bundle = ctx.layout.updates / f"{offer['sha256']}.tar"
    status = read_status(ctx.layout)
    installed = ctx.layout.installed_version()
    try:
        verified = verify_bundle(bundle, load_release_keys(ctx.layout.keys_dir))
    except BundleRefused as exc:
        return _refuse(ctx, status, None, exc.reason, bundle)
    manifest = verified.manifest
    refusal = upgrade_refusal(manifest, installed)
    if refusal:
        return _refuse(ctx, status, manifest.version, refusal, bundle)
    if not ignore_window:
        wait = why_not_now(ctx.layout.data_dir, ctx.settings["update.window"], ctx.now())
        if wait:
            return _finish(ctx, status, Outcome("deferred", manifest.version, wait))
    return _install(ctx, status, bundle, manifest, installed)


def _refuse(ctx: UpdateContext, status: dict[str, Any], version: str | None, reason: str,
            bundle: Path) -> Outcome:
    if version is None:  # unreadable or unverifiable: name it by the offer, if any
        offer = status.get("offer") or {}
        if bundle.name == f"{offer.get('sha256')}.tar":
            version = offer.get("version")
    if bundle.parent == ctx.layout.updates:
        bundle.unlink(missing_ok=True)  # a refused download is not kept
    if version:
        _report(ctx, status, version, "failed", reason)
    return _finish(ctx, status, Outcome("refused", version, reason))


def _install(ctx: UpdateContext, status: dict[str, Any], bundle: Path, manifest: Any,
             old: str) -> Outcome:
    version, steps = manifest.version, []
    try:
        ctx.installer.install(ctx.layout, bundle, manifest)
        steps.append(f"instalada en {ctx.layout.slot(version)}")
        run_selftest(ctx.layout, version)
        steps.append("autoprueba de la nueva versión: bien")
    except (InstallFailed, DomainError, OSError) as exc:
        reason = exc.reason if isinstance(exc, InstallFailed) else str(exc)
        import shutil

        shutil.rmtree(ctx.layout.slot(version), ignore_errors=True)
        _report(ctx, status, version, "failed", reason)
        return _finish(ctx, status, Outcome("failed", version, reason, steps=steps))
    with no_printing(DataFolder(ctx.layout.data_dir)) as free:
        if not free:  # a print began while the new version installed: switch another night
            wait = "se está imprimiendo; se instalará cuando termine la impresión"
            return _finish(ctx, status, Outcome("deferred", version, wait, steps=steps))
        had_current = ctx.layout.link_version(ctx.layout.current)
        health.clear(ctx.layout, version)
        # Written before the switch: after a power cut from here on, the next start of the
        # updater (the timer runs it after every boot) finishes or undoes this switch.
        status["pending"] = {"version": version, "previous": had_current, "since": time.time()}
        write_status(ctx.layout, status)
        if had_current:
            ctx.layout.point(ctx.layout.previous, had_current)
        ctx.layout.point(ctx.layout.current, version)
        steps.append(f"«current» apunta a {version} (antes {old})")
        steps.append(ctx.restart(ctx.layout, version))
    return _settle(ctx, status, steps, bundle)


def _settle(ctx: UpdateContext, status: dict[str, Any], steps: list[str],
            bundle: Path | None) -> Outcome:
    """Wait for the health marker of the pending switch; keep it or switch back."""
    pending = status["pending"]
    version, had_current = str(pending["version"]), pending["previous"]
    timeout = float(ctx.settings["update.health_timeout_s"])
    healthy = health.wait_for_health(ctx.layout, version, since=float(pending["since"]),
                                     timeout_s=timeout)
    status.pop("pending")
    if healthy:
        steps.append("la nueva versión confirmó que arrancó bien")
        steps += [f"versión {v} borrada (se conservan las 2 últimas)" for v in prune(ctx.layout)]
        if bundle is not None and bundle.parent == ctx.layout.updates:
            bundle.unlink(missing_ok=True)
        _report(ctx, status, version, "installed", "; ".join(steps))
        return _finish(ctx, status, Outcome("installed", version, steps=steps))
    reason = f"la versión {version} no confirmó su arranque en {timeout:.0f} s"
    if had_current:
        ctx.layout.point(ctx.layout.current, had_current)
        steps.append(f"«current» regresó a {had_current}")
        steps.append(ctx.restart(ctx.layout, had_current))
    else:
        ctx.layout.current.unlink(missing_ok=True)
    _report(ctx, status, version, "rolled_back", reason)
    return _finish(ctx, status, Outcome("rolled_back", version, reason, steps=steps))


def recover_pending(ctx: UpdateContext) -> Outcome | None:
    """Finish a switch a power cut interrupted: keep it if the new version confirmed its
    start since, else switch back. None when nothing was pending."""
    status = read_status(ctx.layout)
    pending = status.get("pending")
    if not pending:
        return None
    if ctx.layout.link_version(ctx.layout.current) != pending.get("version"):
        status.pop("pending")  # the cut came before the switch: nothing to undo
        write_status(ctx.layout, status)
        return None
    return _settle(ctx, status, ["la actualización se interrumpió (corte de luz o reinicio) "
                                 "después del cambio de versión"], None)


def rollback(ctx: UpdateContext, *, reason: str = "a mano") -> Outcome:
    """Switch back to ``previous`` (by hand: the operator saw something wrong)."""
    with updater_lock(ctx.layout):
        return _rollback(ctx, reason=reason)


def _rollback(ctx: UpdateContext, *, reason: str) -> Outcome:
    status = read_status(ctx.layout)
    current = ctx.layout.link_version(ctx.layout.current)
    previous = ctx.layout.link_version(ctx.layout.previous)
    if not previous or not (ctx.layout.slot(previous) / ".complete").exists():
        return _finish(ctx, status, Outcome("failed", current, "no hay una versión anterior "
                                                               "instalada a la cual regresar"))
    ctx.layout.point(ctx.layout.current, previous)
    if current:
        ctx.layout.point(ctx.layout.previous, current)
    steps = [f"«current» regresó a {previous}", ctx.restart(ctx.layout, previous)]
    if current:
        _report(ctx, status, current, "rolled_back", f"regreso a {previous}: {reason}")
    return _finish(ctx, status, Outcome("rolled_back", current, reason, steps=steps))


def update_status(ctx: UpdateContext) -> dict[str, Any]:
    status = read_status(ctx.layout)
    return {"installed": ctx.layout.installed_version(),
            "previous": ctx.layout.link_version(ctx.layout.previous),
            "slots": ctx.layout.slots(), "channel": ctx.settings["update.channel"],
            "window": ctx.settings["update.window"], "last_check": status.get("last_check"),
            "offer": status.get("offer"), "last": status.get("last"),
            "refused": status.get("refused", {}),
            "pending_reports": len(status.get("pending_reports", []))}
