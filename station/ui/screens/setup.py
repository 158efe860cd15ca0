"""First-run setup by touch: enroll with central (optional), then the first DRSE administrator.

A station out of the box has no user, so nobody can sign in. The sign-in screen then offers
"Configurar esta estación", which runs :class:`SetupWizard` in its own body:

1. :class:`EnrollStep` — central's address and the one-time code, the same
   :func:`station.sync.enroll.enroll` that ``station enroll`` calls; or "Sin conexión por ahora"
   (the sync screen offers the same step later to a DRSE administrator);
2. the first administrator's name and PIN typed twice; the rules (name, PIN, "only while the
   station has no user", one IMMEDIATE transaction) are
   :func:`station.services.accounts.add_first_admin`'s.

No Kivy screen or machine state of its own: it draws into the screen that hosts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.uix.boxlayout import BoxLayout

from foundation.errors import DomainError
from station.services import accounts
from station.store import sync_state
from station.sync.client import CentralClient
from station.sync.enroll import Enrollment, enroll
from station.ui import dialogs
from station.ui.dialogs import Choice
from station.ui.i18n import _
from station.ui.keyboard import TextForm
from station.ui.pin_form import pin_twice
from station.ui.widgets import Notice, TouchButton, theme
from station.ui.worker import Job

if TYPE_CHECKING:
    from station.ui.screens.base import KioskScreen

URL_KEYS = ":/.-"
"""The keys an address needs besides letters and digits."""
LATER = _("Puede inscribirla después desde Ajustes > Sincronización.")


def central_address(typed: str) -> str:
    """The address as typed on the upper-case keyboard, as a URL (https:// when none given).

    >>> central_address("CREDENCIALES.SEJ.JALISCO.GOB.MX/")
    'https://credenciales.sej.jalisco.gob.mx'
    >>> central_address("HTTP://127.0.0.1:8000")
    'http://127.0.0.1:8000'
    """
    url = typed.strip().lower().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    return url


def is_enrolled(station: Any) -> bool:
    with station.db.read() as conn:
        return bool(sync_state.get_state(conn, "station_id"))


def _choice_row(*buttons: TouchButton) -> BoxLayout:
    t = theme()
    line = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.gap)
    for button in buttons:
        line.add_widget(button)
    return line


class EnrollStep:
    """Enroll the station with central, drawn in ``screen.body``; ``on_finish(enrollment)``
    after a good code, ``on_finish(None)`` for "Sin conexión por ahora"."""

    def __init__(self, screen: KioskScreen, on_finish: Callable[[Enrollment | None], None],
                 *, skip_text: str = "") -> None:
        self.screen = screen
        self.on_finish = on_finish
        self.skip_text = skip_text or _("Sin conexión por ahora")
        self.url = str(screen.app.station.settings.get("sync.central_url") or "")
        self.busy = False

    def show(self) -> None:
        body = self.screen.body
        body.clear_widgets()
        self.screen.set_title(_("Inscribir estación"))
        body.add_widget(Notice(kind="info", kid="enroll_intro", message=_(
            "Para conectar la estación con la oficina central necesita la dirección del "
            "servicio central y el código de inscripción que da la oficina estatal (sirve una "
            "sola vez). Sin conexión la estación trabaja igual y guarda todo aquí.")))
        go = TouchButton(text=_("Inscribir con el servicio central"), icon="sync",
                         kid="enroll_start")
        go.bind(on_release=lambda *_: self.ask_url())
        skip = TouchButton(text=self.skip_text, icon="cross", style="secondary",
                           kid="enroll_skip")
        skip.bind(on_release=lambda *_: self.on_finish(None))
        body.add_widget(_choice_row(skip, go))
        body.add_widget(BoxLayout())

    def ask_url(self) -> None:
        body = self.screen.body
        body.clear_widgets()
        form = TextForm(prompt=_("Dirección del servicio central"),
                        hint=_("Por ejemplo CREDENCIALES.SEJ.JALISCO.GOB.MX"), icon="sync",
                        digits=True, extra=URL_KEYS, kid="enroll_url",
                        save_text=_("Siguiente"), max_length=80,
                        on_cancel=self.show, on_save=self._got_url)
        form.field.text = self.url.upper()
        body.add_widget(form)

    def _got_url(self, typed: str) -> None:
        if not typed:
            return
        self.url = central_address(typed)
        body = self.screen.body
        body.clear_widgets()
        body.add_widget(TextForm(prompt=_("Código de inscripción (12 letras y números)"),
                                 hint=_("Por ejemplo K7M2-Q9TX-4HPA"), icon="lock",
                                 digits=True, extra="-", kid="enroll_code",
                                 save_text=_("Inscribir"), max_length=20, on_cancel=self.ask_url,
                                 on_save=self._enroll))

    def _enroll(self, code: str) -> None:
        if not code or self.busy:
            return
        self.busy = True
        station, url = self.screen.app.station, self.url
        code = code.replace(" ", "")
        body = self.screen.body
        body.clear_widgets()
        body.add_widget(Notice(kind="info", kid="enroll_wait", message=_(
            "Inscribiendo la estación en {url}…").format(url=url)))
        body.add_widget(BoxLayout())

        def work(_progress: Any) -> Enrollment:
            # Few attempts: a person is waiting at the screen (``station sync`` retries more).
            client = CentralClient(url, key=station.key, timeout=10, attempts=2,
                                   max_delay_s=10)
            try:
                return enroll(station, central_url=url, code=code, client=client)
            finally:
                client.close()

        self.screen.app.run_job(Job(_("Inscripción"), work, on_done=self._enrolled,
                                    on_error=self._refused, keeps_awake=False))

    def _enrolled(self, result: Enrollment) -> None:
        self.busy = False
        dialogs.show(kind="ok", title=_("Estación inscrita"), kid="enroll_done",
                     message=_("Inscrita como {id}. Se sincroniza sola; también puede hacerlo "
                               "desde Ajustes > Sincronización.").format(id=result.station_id),
                     choices=[Choice(_("Continuar"), "check", "primary",
                                     lambda: self.on_finish(result), "enroll_done_ok")])

    def _refused(self, error: BaseException) -> None:
        self.busy = False
        if not isinstance(error, DomainError):
            raise error
        dialogs.show(kind="warn", title=_("No se pudo inscribir"), kid="enroll_error",
                     message=f"{error.user_message()} {LATER}", columns=1, choices=[
                         Choice(_("Volver a intentar"), "sync", "primary", self.ask_url,
                                "enroll_retry"),
                         Choice(self.skip_text, "cross", "secondary",
                                lambda: self.on_finish(None), "enroll_error_skip")])


class SetupWizard:
    """The whole first-run setup in ``screen.body``; ``on_done()`` once the admin exists."""

    def __init__(self, screen: KioskScreen, on_done: Callable[[], None]) -> None:
        self.screen = screen
        self.on_done = on_done
        self.name = ""

    def start(self) -> None:
        if is_enrolled(self.screen.app.station):
            self.ask_name()
        else:
            EnrollStep(self.screen, lambda _result: self.ask_name()).show()

    def ask_name(self) -> None:
        self.screen.set_title(_("Primer administrador(a)"))
        body = self.screen.body
        body.clear_widgets()
        body.add_widget(TextForm(
            prompt=_("Nombre del administrador(a) de la DRSE"),
            hint=_("Por ejemplo ANA RAMÍREZ"), icon="user", digits=False, extra=".",
            kid="setup_name", save_text=_("Siguiente"), max_length=60,
            on_cancel=self.start, on_save=self._got_name))

    def _got_name(self, name: str) -> None:
        if not name:
            return
        self.name = name
        self.ask_pin()

    def ask_pin(self) -> None:
        """The PIN typed twice on the pad (never shown), then the service creates the admin."""
        back = TouchButton(text=_("Cambiar nombre"), icon="back", style="secondary",
                           kid="setup_pin_back")
        back.bind(on_release=lambda *_: self.ask_name())
        pin_twice(self.screen.body, title=_("PIN de {name}").format(name=self.name),
                  kid="setup_pin", back=back, on_pin=self._create,
                  hint=_("De 4 a 8 números, sin series como 1234. Con este PIN entrará a "
                         "Ajustes > Usuarios para agregar al personal."))

    def _create(self, pin: str, say: Callable[[str, str], None]) -> None:
        try:
            user = accounts.add_first_admin(self.screen.app.station, self.name, pin)
        except accounts.SetupDone as exc:
            dialogs.show_error(exc, then=self.on_done)
            return
        except DomainError as exc:
            say("warn", exc.user_message())
            return
        dialogs.show(kind="ok", title=_("Estación configurada"), kid="setup_done",
                     message=_("{name} ya puede iniciar sesión con su PIN y agregar al "
                               "personal en Ajustes > Usuarios.").format(name=user.name),
                     choices=[Choice(_("Iniciar sesión"), "check", "primary", self.on_done,
                                     "setup_done_ok")])
