"""The station's users (the DRSE administrator): add one with a role and a PIN, give a new
PIN (it also lifts a lockout), disable or enable — the same services as ``station users``.

Who may do it, the PIN rules and "the last administrator stays active" are
:mod:`station.services.accounts`' rules; this screen only asks and shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from station.services import accounts
from station.services.accounts import ROLE_LABELS_ES, Role
from station.ui import dialogs
from station.ui.dialogs import Choice
from station.ui.i18n import _
from station.ui.keyboard import TextForm
from station.ui.machine import State
from station.ui.pin_form import pin_twice
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import (
    Badge,
    Surface,
    TouchButton,
    _centered,
    line_label,
    theme,
)

if TYPE_CHECKING:
    from station.store.users import UserRecord


def state_words(user: UserRecord, now: float) -> tuple[str, str]:
    """(word, tone) of a user's state: activo, desactivado, bloqueado."""
    if not user.active:
        return _("desactivado"), "neutral"
    if user.locked_until is not None and user.locked_until > now:
        return _("bloqueado"), "warn"
    return _("activo"), "ok"


class UserRow(Surface, BoxLayout):
    """Name, role and state | Nuevo PIN | Desactivar / Activar"""

    def __init__(self, screen: UsersScreen, user: UserRecord, now: float) -> None:
        t = theme()
        p = t.palette
        super().__init__(bg=p.surface, border=p.border, radius=t.radius, spacing=t.gap,
                         padding=(t.pad, t.gap // 2, t.gap, t.gap // 2), size_hint_y=None,
                         height=round(t.touch * 1.3))
        self.init_surface()
        texts = BoxLayout(orientation="vertical")
        texts.add_widget(line_label(user.name, bold=True))
        texts.add_widget(line_label(ROLE_LABELS_ES[Role(user.role)], color=p.muted,
                                    font_size=t.font_small))
        self.add_widget(texts)
        word, tone = state_words(user, now)
        badge = Badge(text=word, kind=tone)
        holder = BoxLayout(size_hint_x=None, width=badge.width)
        holder.add_widget(_centered(badge))
        self.add_widget(holder)
        # On the 7" screen the words need the room more than the icons do.
        width = t.touch * (2.5 if t.compact else 2.8)
        pin = TouchButton(text=_("Nuevo PIN"), icon="" if t.compact else "lock",
                          style="secondary",
                          kid="user_pin", size_hint_x=None, width=width, payload=user.id)
        pin.bind(on_release=lambda *_: screen.ask_pin(user))
        self.add_widget(pin)
        toggle = TouchButton(text=_("Desactivar") if user.active else _("Activar"),
                             icon="" if t.compact else ("cross" if user.active else "check"),
                             style="secondary",
                             kid="user_toggle", size_hint_x=None, width=width,
                             payload=user.id)
        toggle.bind(on_release=lambda *_: screen.ask_toggle(user))
        self.add_widget(toggle)


class UsersScreen(KioskScreen):
    state = State.USERS
    title = _("Usuarios de la estación")

    def build(self) -> None:
        self.draft: dict[str, Any] = {}

    def enter(self, **_params: Any) -> None:
        self.show_list()

    def leave(self) -> None:
        self.draft = {}

    def show_list(self) -> None:
        t = theme()
        self.set_title(_("Usuarios de la estación"))
        self.body.clear_widgets()
        users = accounts.list_users(self.app.station)
        now = time.time()  # lockouts are kept in wall-clock seconds
        box = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        for user in users:
            box.add_widget(UserRow(self, user, now))
        scroll = ScrollView(do_scroll_x=False, bar_width=max(6, t.gap))
        scroll.add_widget(box)
        self.body.add_widget(scroll)
        add = TouchButton(text=_("Agregar usuario"), icon="plus", kid="users_add")
        add.bind(on_release=lambda *_: self._ask_name())
        self.body.add_widget(row(add))

    # -- add ------------------------------------------------------------------------------

    def _ask_name(self) -> None:
        self.draft = {}
        self.body.clear_widgets()
        self.body.add_widget(TextForm(
            prompt=_("Nombre del nuevo usuario (como lo reconoce el personal)"),
            hint=_("Por ejemplo ANA RAMÍREZ"), icon="user", digits=False, extra=".",
            kid="new_user", save_text=_("Siguiente"), max_length=60,
            on_cancel=self.show_list, on_save=self._ask_role))

    def _ask_role(self, name: str) -> None:
        if not name:
            return
        self.draft["name"] = name
        dialogs.show(kind="info", title=_("¿Qué rol tendrá?"), kid="role",
                     message=_("{name} podrá hacer lo que su rol permite.").format(name=name),
                     columns=1, choices=[
                         Choice(ROLE_LABELS_ES[role], "user", "secondary",
                                lambda r=role: self._ask_new_pin(r), f"role_{role.value}")
                         for role in Role] + [
                         Choice(_("Cancelar"), "cross", "quiet", self.show_list, "role_cancel")])

    def _ask_new_pin(self, role: Role) -> None:
        self.draft["role"] = role
        name = self.draft["name"]
        self.pin_form(_("PIN de {name}").format(name=name),
                      lambda pin: accounts.add_user(self.app.station, name, role, pin),
                      _("Usuario agregado"),
                      _("{name} ya puede iniciar sesión con su PIN.").format(name=name))

    # -- PIN ------------------------------------------------------------------------------

    def ask_pin(self, user: UserRecord) -> None:
        self.pin_form(_("Nuevo PIN de {name}").format(name=user.name),
                      lambda pin: accounts.change_pin(self.app.station, str(user.id), pin),
                      _("PIN cambiado"),
                      _("{name} ya puede entrar con su nuevo PIN; si estaba bloqueado, ya no "
                        "lo está.").format(name=user.name))

    def pin_form(self, title: str, save: Callable[[str], Any], done_title: str,
                 done_message: str) -> None:
        """The PIN typed twice on the pad (it is never shown), then ``save(pin)``."""
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid="new_pin_cancel")
        cancel.bind(on_release=lambda *_: self.show_list())

        def saved(pin: str, _say: Callable[[str, str], None]) -> None:
            save(pin)
            self.show_list()
            dialogs.show(kind="ok", title=done_title, message=done_message, kid="user_done")

        pin_twice(self.body, title=title, kid="new_pin", back=cancel, on_pin=saved,
                  hint=_("De 4 a 8 números, sin series como 1234. Nadie más debe conocerlo."))

    # -- disable / enable -----------------------------------------------------------------

    def ask_toggle(self, user: UserRecord) -> None:
        if not user.active:
            self._toggle(user, True)
            return
        dialogs.confirm(
            title=_("¿Desactivar a {name}?").format(name=user.name), kid="confirm_disable",
            message=_("Ya no podrá iniciar sesión. Su registro y lo que hizo se conservan; "
                      "puede activarlo de nuevo cuando quiera."),
            yes=_("Sí, desactivar"), kind="warn", on_yes=lambda: self._toggle(user, False))

    def _toggle(self, user: UserRecord, active: bool) -> None:
        accounts.set_user_active(self.app.station, str(user.id), active)
        self.show_list()
