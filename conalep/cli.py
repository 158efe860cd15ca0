"""The ``conalep`` command: serve, migrate, staff accounts, and each wing's commands.

Settings come from ``CONALEP_*`` variables or the TOML file named by ``CONALEP_CONFIG``
(docs/conalep.md). With nothing set it runs in development mode on ``./conalep-data``.
Each wing registers its commands from its own module (one line each in :data:`WINGS`).
"""

from __future__ import annotations

import click

from conalep import cli_academic, cli_certificates, cli_followup, cli_privacy
from conalep.cli_common import friendly, open_sessions
from conalep.roles import Role
from conalep.settings import ConalepSettings
from foundation.command_line import SpanishGroup
from foundation.server_cli import echo_accounts, read_password


@click.group(cls=SpanishGroup, program="conalep",
             context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """CONALEP Veracruz: seguimiento académico y certificados."""


@main.command()
@click.option("--host", default=None, help="Default: CONALEP_HOST (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: CONALEP_PORT (8760).")
@friendly
def serve(host: str | None, port: int | None) -> None:
    """Apply migrations and serve the pages (uvicorn)."""
    import uvicorn

    from conalep.app import create_app

    settings = ConalepSettings.load()
    app = create_app(settings)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port,
                log_level="info")


@main.command()
@friendly
def migrate() -> None:
    """Bring the database to the newest schema of every wing (Alembic ``heads``)."""
    open_sessions()
    click.echo("Base de datos al día.")


@main.group()
def staff() -> None:
    """Staff accounts of the pages."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="See docs/conalep.md; plantel_* roles see only their own plantel.")
@click.option("--plantel", "clave_plantel", help="clave_plantel (required for plantel_* roles).")
@click.option("--name", "display_name", default="", help="Full name shown on the pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly
def staff_add(username: str, role: str, clave_plantel: str | None, display_name: str,
              password_stdin: bool) -> None:
    """Create an account; the password is asked for (hidden) or read from stdin."""
    from conalep.accounts import create_account
    from conalep.context import utcnow
    from conalep.web import record

    password = read_password(password_stdin)
    with open_sessions()() as session, session.begin():
        account = create_account(session, username=username, password=password, role=role,
                                 clave_plantel=clave_plantel, display_name=display_name,
                                 now=utcnow())
        record(session, staff="cli", action="staff-add", target=account.username,
               reason=f"{role} {account.clave_plantel or ''}".strip(), now=utcnow())
        name, plantel = account.username, account.clave_plantel
    click.echo(f"Cuenta creada: {name} ({role}" + (f", plantel {plantel})" if plantel else ")"))


@staff.command("list")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")
@friendly
def staff_list(as_json: bool) -> None:
    """The accounts (never their passwords)."""
    from conalep.web import BOOK

    with open_sessions()() as session:
        echo_accounts(BOOK.list(session), "clave_plantel", as_json=as_json,
                      first_account="conalep staff add USUARIO --role dg_escolares")


@staff.command("disable")
@click.argument("username")
@friendly
def staff_disable(username: str) -> None:
    """Disable an account and end its open sessions."""
    from conalep.context import utcnow
    from conalep.web import BOOK, record

    with open_sessions()() as session, session.begin():
        account = BOOK.disable(session, username=username)
        record(session, staff="cli", action="staff-disable", target=account.username,
               reason="", now=utcnow())
        name = account.username
    click.echo(f"Cuenta deshabilitada: {name}")


WINGS = (cli_academic, cli_followup, cli_certificates, cli_privacy)
for _wing in WINGS:
    for _command in _wing.COMMANDS:
        main.add_command(_command)
