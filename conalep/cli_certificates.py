"""Commands of the certificates wing.

- ``conalep keygen LLAVE`` and ``conalep sign PAQUETE --llave LLAVE`` run on a *signer's own
  computer*: the private key is made and used there, never sent anywhere;
- ``conalep audit [--json]`` proves each folio is in exactly one state per level;
- ``conalep verify-chain ARCHIVO --llaves llaves.json`` checks a certificate's chain file with
  the published keys (anyone can).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from conalep.cli_common import friendly, open_sessions
from foundation.errors import DomainError


def _domain(func):  # type: ignore[no-untyped-def]
    """Domain errors (a bad key file, a bad package) as one Spanish line and exit 1."""
    from functools import wraps

    @wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            click.echo(f"Error: {exc.user_message()}", err=True)
            sys.exit(1)

    return wrapper


@click.command("keygen")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ecdsa", is_flag=True, help="ECDSA P-256 instead of Ed25519.")
@_domain
def keygen(key_file: Path, ecdsa: bool) -> None:
    """Make a signer's private key (0600) and print the public key to give DG."""
    from conalep.certificates.offline_signer import generate_key

    click.echo(generate_key(key_file, ecdsa=ecdsa), nl=False)


@click.command("sign")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--llave", "key_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your private key file (never leaves this computer).")
@click.option("--salida", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Signatures file to upload on the signing page.")
@_domain
def sign(package: Path, key_file: Path, out: Path) -> None:
    """Sign every certificate of a package downloaded from the signing page."""
    from conalep.certificates.offline_signer import sign_file

    n = sign_file(package, key_file, out, now=datetime.now(UTC))
    click.echo(f"{n} certificados firmados en {out}. Súbalo en la página «Firmar».")


@click.command("audit")
@click.option("--json", "as_json", is_flag=True)
@friendly
def audit(as_json: bool) -> None:
    """Folio audit: each folio exactly one of unassigned / assigned / used / cancelled."""
    from conalep.certificates import folios
    from conalep.certificates.folio_rules import STATE_NAMES_ES

    with open_sessions()() as session:
        report = folios.audit(session)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        head = "Auditoría correcta" if report.ok else "LA AUDITORÍA ENCONTRÓ PROBLEMAS"
        counts = ", ".join(f"{STATE_NAMES_ES[k]}: {v}" for k, v in report.by_state.items())
        click.echo(f"{head}: {counts}." + "".join(f"\n- {p}" for p in report.problems))
    if not report.ok:
        sys.exit(1)


@click.command("verify-chain")
@click.argument("chain_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--llaves", "keys_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The published keys (llaves.json of the verification page).")
@_domain
def verify_chain(chain_file: Path, keys_file: Path) -> None:
    """Check a certificate's signature chain file with the published keys."""
    from conalep.certificates.chain import SignerKey, check_chain_file, load_public_pem

    try:
        data = json.loads(chain_file.read_text(encoding="utf-8"))
        published = json.loads(keys_file.read_text(encoding="utf-8"))["firmantes"]
        keys = {kid: SignerKey(kid, k["cargo"], load_public_pem(k["pem"]), k["nombre"])
                for kid, k in published.items()}
    except (ValueError, KeyError, TypeError) as exc:
        click.echo(f"Error: archivo ilegible ({exc}).", err=True)
        sys.exit(1)
    check = check_chain_file(data, keys)
    if check.complete:
        click.echo(f"Cadena válida: {check.valid_signatures} firmas en orden sobre el documento "
                   f"(folio {data['documento'].get('folio')}).")
        return
    click.echo("Cadena NO válida: " + " ".join(check.problems or ["faltan firmas."]), err=True)
    sys.exit(1)


COMMANDS: list[click.Command] = [keygen, sign, audit, verify_chain]
