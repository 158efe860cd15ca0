"""The academic wing's routers, in menu order (``conalep.app`` includes :data:`ROUTERS`)."""

from __future__ import annotations

from fastapi import APIRouter

from conalep.academic import pages, pages_calendar, pages_import, pages_siseac

ROUTERS: list[APIRouter] = [pages.router, pages_siseac.router, pages_calendar.router,
                            pages_import.router]
