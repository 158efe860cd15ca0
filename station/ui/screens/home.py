"""Home: verify a card or sign in; once signed in, one tile per task the user may do."""

from __future__ import annotations

from datetime import date
from typing import Any

from kivy.uix.gridlayout import GridLayout

from station.services import lookup
from station.ui.i18n import _, ngettext
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.status_words import idle_words
from station.ui.widgets import FitLabel, Tile, theme

_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre")


def spanish_date(day: date) -> str:
    """>>> spanish_date(date(2026, 8, 31))
    '31 de agosto de 2026'
    """
    return f"{day.day} de {_MONTHS[day.month - 1]} de {day.year}"


class HomeScreen(KioskScreen):
    state = State.HOME
    title = _("Credenciales escolares")
    keep = True

    def build(self) -> None:
        t = theme()
        self.greeting = FitLabel(font_size=t.font_large, bold=True, size_hint_y=None,
                                 height=t.touch * 0.75, kid="home_greeting")
        self.tiles = GridLayout(spacing=t.pad)
        self.footer = FitLabel(font_size=t.font_small, color=t.palette.muted,
                               size_hint_y=None, height=t.font_small * 2, kid="home_footer")
        self.body.add_widget(self.greeting)
        self.body.add_widget(self.tiles)
        self.body.add_widget(self.footer)

    def enter(self, **params: Any) -> None:
        app = self.app
        user = app.machine.user
        station = app.station
        self.tiles.clear_widgets()
        tiles: list[tuple[str, str, str, str, Any]] = []
        if user is None:
            self.greeting.text = idle_words(params.get("idle_seconds")) or _(
                "Bienvenido. ¿Qué desea hacer?")
            tiles.append(("tile_verify", _("Verificar una credencial"),
                          _("Acerque el código QR a la cámara"), "qr",
                          lambda: app.go(State.VERIFY)))
            tiles.append(("tile_sign_in", _("Iniciar sesión"),
                          _("Personal de la escuela o de la DRSE"), "user",
                          lambda: app.go(State.SIGN_IN)))
        else:
            self.greeting.text = _("Hola, {name}. ¿Qué desea hacer?").format(name=user.name)
            tiles += self._work_tiles()
        t = theme()
        self.tiles.cols = 2 if len(tiles) <= 2 else (3 if t.compact or len(tiles) <= 6 else 4)
        for kid, title, subtitle, icon, action in tiles:
            tile = Tile(title=title, subtitle=subtitle, icon=icon, kid=kid)
            tile.bind(on_release=lambda _t, a=action: a())
            self.tiles.add_widget(tile)
        place = station.settings["station.school_cct"] or station.settings["station.drse"]
        self.footer.text = "  ·  ".join(p for p in (
            _("Estación {id}").format(id=station.settings["station.id"]), place,
            spanish_date(station.today())) if p)

    def _work_tiles(self) -> list[tuple[str, str, str, str, Any]]:
        app = self.app
        tiles: list[tuple[str, str, str, str, Any]] = []
        if app.available(State.ROSTER):
            tiles.append(("tile_roster", _("Alumnos y credenciales"),
                          _("Buscar, fotografiar e imprimir"), "users", self._open_roster))
        if app.available(State.PRINT_REVIEW):
            waiting = len(lookup.sheets_to_review(app.station))
            if waiting:
                tiles.append(("tile_review", _("Revisar hojas impresas"),
                              ngettext("{n} hoja sin revisar", "{n} hojas sin revisar",
                                       waiting).format(n=waiting), "print",
                              lambda: app.go(State.PRINT_REVIEW)))
        tiles.append(("tile_verify", _("Verificar una credencial"),
                      _("Leer el código QR"), "qr", lambda: app.go(State.VERIFY)))
        for state, kid, title, subtitle, icon in (
            (State.HOLOGRAMS, "tile_holograms", _("Hologramas"),
             _("Quién lo necesita este ciclo"), "hologram"),
            (State.SCHOOL_REPORT, "tile_school_report", _("Reporte de la escuela"),
             _("Avance del ciclo, en PDF o en Excel"), "document"),
            (State.SUPPLIES, "tile_supplies", _("Insumos"), _("Micas, Teslin, tinta"), "box"),
            (State.SYNC, "tile_sync", _("Sincronización"), _("Envío a oficinas centrales"),
             "sync"),
            (State.SETTINGS, "tile_settings", _("Ajustes"),
             _("Impresora, calibración, cámara"), "gear"),
            (State.REPORT, "tile_report", _("Reportar un problema"),
             _("Para la DRSE, con diagnóstico"), "flag"),
        ):
            if app.available(state):
                action = (self._by_school(state)
                          if state in (State.HOLOGRAMS, State.SCHOOL_REPORT)
                          else lambda s=state: app.go(s))
                tiles.append((kid, title, subtitle, icon, action))
        return tiles

    def _by_school(self, state: State) -> Any:
        """Open ``state`` for the school in hand, asking which first on a DRSE station."""
        def action() -> None:
            app = self.app
            if app.session.cct or lookup.count_schools(app.station) <= 1:
                app.go(state)
            else:
                app.go(State.SCHOOLS, then=state.value)
        return action

    def _open_roster(self) -> None:
        app = self.app
        own = app.station.settings["station.school_cct"]
        if own or app.session.cct or lookup.count_schools(app.station) == 1:
            # A DRSE station keeps the school chosen last (the roster can change it).
            cct = own or app.session.cct or lookup.schools(app.station)[0].school.cct
            app.session.cct = cct
            app.go(State.ROSTER, cct=cct)
        else:
            app.go(State.SCHOOLS)
