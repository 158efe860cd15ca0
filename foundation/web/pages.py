"""Server-rendered staff pages: the base layout, the style sheet, error pages and the small
helpers every page uses (form text, local times).

Templates are looked up in the program's own directory first, then in this package's
``templates/`` (``foundation/base.html``, ``foundation/error.html``, ``foundation/sign_in.html``,
``foundation/password.html``). The program's layout extends ``foundation/base.html`` and
fills its blocks (``nav``); the foundation's pages extend the program's layout, named by the
global ``base_template``. ``site`` (a global) names the program on every page.

>>> from datetime import timedelta
>>> t = datetime(2026, 1, 1, 18, 31, tzinfo=UTC)
>>> local(t), ago(t, t + timedelta(hours=3)), ago(t, t + timedelta(days=2, hours=1))
('01/01/2026 12:31', 'hace 3 h', 'hace 2 días')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.datastructures import FormData

LOCAL_TZ = ZoneInfo("America/Mexico_City")
"""Central Mexico's clock (Jalisco and Veracruz; no daylight saving time since 2022)."""
FOUNDATION_TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLE_SHEET = FOUNDATION_TEMPLATES / "foundation" / "staff.css"


def local(moment: datetime | None) -> str:
    """``21/11/2026 12:31`` in central Mexico's time; ``—`` for none."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """``hace 5 min``, ``hace 3 h``, ``hace 2 días``; ``nunca`` for none."""
    if moment is None:
        return "nunca"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - aware).total_seconds()
    if seconds < 90:
        return "hace un momento"
    if seconds < 3600:
        return f"hace {int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"hace {int(seconds // 3600)} h"
    return f"hace {int(seconds // 86400)} días"


def text(form: FormData, name: str, *, limit: int = 500) -> str:
    """A form field as one line of text (spaces collapsed, cut at ``limit``); ``""`` if absent."""
    value = form.get(name)
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def style_sheet() -> FileResponse:
    """The shared style sheet (plain CSS, readable at 1366×768)."""
    return FileResponse(STYLE_SHEET, media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})


class Pages:
    """The templates of one program.

    ``site``: what the layout says about the program — ``brand`` (header), ``suffix`` (after
    every title), ``home`` (the pages' root), ``office`` (who gives accounts and passwords,
    e.g. «la oficina estatal de credenciales»), ``setter`` (who sets passwords, «La oficina
    estatal»), ``clock`` (how the local time is called, «hora de Jalisco»).
    ``base_template``: the program's layout, which extends ``foundation/base.html``.
    """

    def __init__(self, directory: Path, *, site: Mapping[str, str], base_template: str,
                 error_template: str = "foundation/error.html") -> None:
        env = Environment(loader=ChoiceLoader([FileSystemLoader(str(directory)),
                                               FileSystemLoader(str(FOUNDATION_TEMPLATES))]),
                          autoescape=True)
        self.templates = Jinja2Templates(env=env)
        env.filters["local"] = local
        env.filters["ago"] = ago
        self.site = dict(site)
        env.globals["site"] = self.site
        env.globals["base_template"] = base_template
        self.error_template = error_template
        self.home = site.get("home", "/staff")

    def page(self, request: Request, name: str, user: Any, *, status: int = 200,
             **context: Any) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, {"user": user, **context},
                                               status_code=status,
                                               headers={"Cache-Control": "no-store"})

    def error_page(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.page(request, self.error_template, None, status=status, message=message)
