"""The follow-up wing's pages; :data:`ROUTERS` is what ``conalep.app`` includes. Importing
the modules also adds their menu entries (bajas, asesorías, reuniones, eficiencia)."""

from __future__ import annotations

from fastapi import APIRouter

from conalep.followup import pages_dropouts, pages_efficiency, pages_meetings, pages_tutoring

ROUTERS: list[APIRouter] = [pages_dropouts.router, pages_tutoring.router,
                            pages_meetings.router, pages_efficiency.router]
