"""The staff web pages (Jinja2, server-rendered forms, no JavaScript) under ``/staff``.

State staff (``estatal``) and DRSE staff (``drse``) sign in with their own account
(``central staff add``); every action goes through the same crud functions as the staff API
and is recorded in ``staff_actions``. The modules ``web_*`` hold the pages; this one only
gathers their routers (``app.py`` includes ``router``).
"""

from __future__ import annotations

from fastapi import APIRouter

from central.api.routes import (
    web_accounts,
    web_auth,
    web_cards,
    web_config,
    web_conflicts,
    web_holograms,
    web_home,
    web_import,
    web_office_supplies,
    web_offices,
    web_privacy,
    web_progress,
    web_releases,
    web_reports,
    web_stations,
    web_support,
)

router = APIRouter()
for _module in (web_auth, web_home, web_stations, web_cards, web_import, web_conflicts,
                web_reports, web_accounts, web_config, web_releases, web_holograms, web_offices,
                web_office_supplies):
    router.include_router(_module.router)
for _module in (web_progress, web_support):  # issue 13: progress and support
    router.include_router(_module.router)
router.include_router(web_privacy.router)  # issue 18: ARCO requests, access record
