"""Sign-in: choose your name, then type your personal PIN on the pad."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from foundation.errors import DomainError
from station.services import accounts
from station.services.accounts import ROLE_LABELS_ES, Role
from station.store.users import UserRecord
from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.keyboard import PinPad
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.setup import SetupWizard
from station.ui.widgets import (
    FitLabel,
    Notice,
    Panel,
    Selectable,
    TouchButton,
    _centered,
    line_label,
    theme,
)
from station.ui.worker import Job


class SignInScreen(KioskScreen):
    state = State.SIGN_IN
    title = _("Iniciar sesión")

    def build(self) -> None:
        self._user: UserRecord | None = None
        self._checking = False

    def enter(self, **_params: Any) -> None:
        self._user = None
        self._show_users()

    def leave(self) -> None:
        self._user = None
        self.body.clear_widgets()

    # -- step 1: who ----------------------------------------------------------------------

    def _show_users(self) -> None:
        t = theme()
        self.set_title(_("Iniciar sesión"))
        self.body.clear_widgets()
        users = accounts.list_users(self.app.station, active_only=True)
        if not users:
            self._offer_setup()
            return
        self.body.add_widget(FitLabel(text=_("Toque su nombre"), font_size=t.font_large,
                                      bold=True, size_hint_y=None, height=t.touch * 0.7))
        cols = 2 if t.compact else 3
        grid = GridLayout(cols=cols, spacing=t.gap, size_hint_y=None, padding=(0, 0, t.gap, 0))
        grid.bind(minimum_height=grid.setter("height"))
        for user in users:
            grid.add_widget(self._user_row(user))
        scroll = ScrollView(do_scroll_x=False, bar_width=max(6, t.gap))
        scroll.add_widget(grid)
        self.body.add_widget(scroll)

    def _offer_setup(self) -> None:
        """No user yet (a station out of the box): the first-run setup, by touch. Once any
        user exists it is not offered (and :func:`accounts.add_first_admin` refuses it)."""
        if not accounts.needs_setup(self.app.station):
            self.body.add_widget(Notice(kind="warn", kid="signin_no_users", message=_(
                "No hay usuarios activos en esta estación. Pida al administrador(a) de la DRSE "
                "que active a alguien.")))
            return
        self.body.add_widget(Notice(kind="info", kid="setup_offer", message=_(
            "Esta estación todavía no tiene usuarios. Configúrela en dos pasos: inscribirla "
            "con la oficina central (si tiene el código) y crear al primer administrador(a) "
            "de la DRSE.")))
        start = TouchButton(text=_("Configurar esta estación"), icon="gear",
                            kid="setup_start")
        start.bind(on_release=lambda *_: SetupWizard(self, self._show_users).start())
        self.body.add_widget(row(start))
        self.body.add_widget(BoxLayout())

    def _user_row(self, user: UserRecord) -> Selectable:
        t = theme()
        p = t.palette
        rowh = round(t.touch * 1.25)
        item = Selectable(kid=f"user_{user.id}", height=rowh, payload=user)
        side = t.touch * 0.5
        box = BoxLayout(size_hint_x=None, width=side)
        box.add_widget(_centered(Icon(name="user", color=p.primary, size_hint=(None, None),
                                      size=(side, side))))
        item.add_widget(box)
        texts = BoxLayout(orientation="vertical")
        texts.add_widget(line_label(user.name, bold=True))
        texts.add_widget(line_label(ROLE_LABELS_ES[Role(user.role)], color=p.muted,
                                    font_size=t.font_small))
        item.add_widget(texts)
        item.bind(on_release=lambda *_: self._show_pin(user))
        return item

    # -- step 2: PIN ----------------------------------------------------------------------

    def _show_pin(self, user: UserRecord) -> None:
        t = theme()
        p = t.palette
        self._user = user
        self.body.clear_widgets()
        line = BoxLayout(spacing=t.pad * 2)
        left = Panel(orientation="vertical", bg=p.surface, border=p.border,
                     padding=t.pad, spacing=t.gap, size_hint_x=0.9)
        left.add_widget(FitLabel(text=user.name, bold=True, font_size=t.font_title,
                                 size_hint_y=None, height=t.touch, kid="pin_user"))
        left.add_widget(FitLabel(text=ROLE_LABELS_ES[Role(user.role)], color=p.muted,
                                 size_hint_y=None, height=t.touch * 0.6))
        self.message = Notice(kind="info", message=_("Escriba su PIN personal y toque Entrar."),
                              kid="pin_message")
        left.add_widget(self.message)
        change = TouchButton(text=_("No soy yo"), icon="users", style="secondary",
                             kid="pin_change_user")
        change.bind(on_release=lambda *_: self._show_users())
        left.add_widget(change)
        line.add_widget(left)
        self.pad = PinPad(on_enter=self._check)
        line.add_widget(self.pad)
        self.body.add_widget(line)

    def _say(self, kind: str, text: str) -> None:
        parent = self.message.parent
        index = parent.children.index(self.message)
        parent.remove_widget(self.message)
        self.message = Notice(kind=kind, message=text, kid="pin_message")
        parent.add_widget(self.message, index=index)

    def _check(self, pin: str) -> None:
        if self._user is None or self._checking:
            return
        if not pin:
            self._say("warn", _("Primero escriba su PIN."))
            return
        self._checking = True
        self._say("info", _("Comprobando…"))
        user_id = self._user.id
        station = self.app.station
        self.app.run_job(Job(_("Inicio de sesión"),
                             lambda _progress: accounts.authenticate(station, user_id, pin),
                             on_done=self._signed_in, on_error=self._refused,
                             keeps_awake=False))

    def _signed_in(self, user: accounts.SignedIn) -> None:
        self._checking = False
        self.pad.clear()
        if self.app.machine.state is State.SIGN_IN:
            self.app.machine.signed_in(user)

    def _refused(self, error: BaseException) -> None:
        self._checking = False
        self.pad.clear()
        if not isinstance(error, DomainError):
            raise error
        self._say("warn", error.user_message())
