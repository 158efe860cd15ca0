"""What every screen shares: the top bar (way back, title, running job, who is signed in)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from station.ui.i18n import _
from station.ui.machine import State
from station.ui.widgets import FitLabel, Panel, TouchButton, line_label, theme

if TYPE_CHECKING:
    from station.ui.app import KioskApp


class TopBar(Panel):
    """Back or home · title · running job · user · sign out."""

    def __init__(self, screen: KioskScreen, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        super().__init__(bg=p.bar, radius=0, size_hint_y=None, height=t.bar_height,
                         padding=(t.gap, (t.bar_height - t.touch) / 2), spacing=t.gap, **kwargs)
        self.screen = screen
        self.back = TouchButton(text=_("Atrás"), icon="back", style="bar", kid="bar_back",
                                size_hint_x=None, width=t.touch * 2.1)
        self.back.bind(on_release=lambda *_: screen.app.back())
        self.home = TouchButton(text=_("Inicio"), icon="home", style="bar", kid="bar_home",
                                size_hint_x=None, width=t.touch * 2.1)
        self.home.bind(on_release=lambda *_: screen.app.go(State.HOME))
        self.title = FitLabel(text=screen.title, bold=True, font_size=t.font_title,
                              color=p.on_primary, kid="bar_title")
        self.job = TouchButton(text="", icon="print", style="bar", kid="bar_job",
                               size_hint_x=None, width=t.touch * 2.6)
        self.job.bind(on_release=lambda *_: screen.app.go(State.PRINT_PROGRESS))
        self._watched: Any = None
        self.user = line_label("", color=p.on_primary, font_size=t.font_small,
                               size_hint_x=None, width=t.touch * 2.4, halign="right")
        self.sign_out = TouchButton(text=_("Salir"), icon="logout", style="bar",
                                    kid="bar_sign_out", size_hint_x=None, width=t.touch * 2.0)
        self.sign_out.bind(on_release=lambda *_: screen.app.sign_out())

    def refresh(self) -> None:
        app = self.screen.app
        self.clear_widgets()
        state = self.screen.state
        if state not in (State.HOME, State.FAILSAFE):
            back = app.machine.can_go_back and self.screen.back_allowed
            self.add_widget(self.back if back else self.home)
        self.add_widget(self.title)
        job = self._print_job()
        self._watch(job)
        if job is not None and state is not State.PRINT_PROGRESS and \
                state is not State.FAILSAFE:
            self._job_words()
            self.add_widget(self.job)
        user = app.machine.user
        if user is not None and state is not State.FAILSAFE:
            if not theme().compact or state is State.HOME:
                self.user.text = user.name
                self.add_widget(self.user)
            self.add_widget(self.sign_out)


    # -- the printer chip (issue 16) --------------------------------------------------

    def _print_job(self) -> Any:
        """The operator's print, while it runs or while a printer trouble holds its sheets;
        background work (drawing a preview, asking the printer) has no chip."""
        job = self.screen.app.session.print_job
        if job is None or not (job.running or job.detail is not None):
            return None
        return job

    def _watch(self, job: Any) -> None:
        if self._watched is job:
            return
        if self._watched is not None:
            self._watched.unbind(fraction=self._job_changed, detail=self._job_changed,
                                 state=self._job_changed)
        self._watched = job
        if job is not None:
            job.bind(fraction=self._job_changed, detail=self._job_changed,
                     state=self._job_changed)

    def _job_changed(self, *_args: Any) -> None:
        shown = self.job.parent is not None
        if shown != (self._print_job() is not None):
            self.refresh()  # it started or stopped needing the chip
        elif shown:
            self._job_words()

    def _job_words(self) -> None:
        """Its percentage, or the trouble in a word (the chip leads to the print's screen,
        where the fix and its button are)."""
        job = self._watched
        trouble = getattr(job, "detail", None)
        if trouble is not None and hasattr(trouble, "short"):
            self.job.text, self.job.icon = trouble.short, "warning"
        else:
            self.job.text, self.job.icon = f"{round(job.fraction * 100)} %", "print"


class KioskScreen(Screen):
    """A screen for one state: the top bar over ``body``. Subclasses fill ``build``."""

    state: ClassVar[State]
    title: ClassVar[str] = ""
    back_allowed: ClassVar[bool] = True
    """False where going back would repeat a step (after printing started): home instead."""
    keep: ClassVar[bool] = False
    """True for screens kept built between visits (home); the others are dropped when left
    and not on the way back, which gives their memory back on a small board."""

    def __init__(self, app: KioskApp, **kwargs: Any) -> None:
        super().__init__(name=self.state.value, **kwargs)
        self.app = app
        t = theme()
        root = BoxLayout(orientation="vertical")
        with root.canvas.before:
            from kivy.graphics import Color, Rectangle

            Color(*t.palette.background)
            self._bg = Rectangle(pos=root.pos, size=root.size)
        root.bind(pos=lambda w, v: setattr(self._bg, "pos", v),
                  size=lambda w, v: setattr(self._bg, "size", v))
        self.topbar = TopBar(self)
        root.add_widget(self.topbar)
        self.body = BoxLayout(orientation="vertical", padding=t.pad, spacing=t.gap)
        root.add_widget(self.body)
        self.add_widget(root)
        self.build()

    def build(self) -> None:
        """Create the screen's widgets once."""

    def enter(self, **params: Any) -> None:
        """Called on every arrival with the transition's parameters; refresh the data here."""

    def leave(self) -> None:
        """Called when another screen replaces this one."""

    def set_title(self, text: str) -> None:
        self.topbar.title.text = text

    def refresh_bar(self) -> None:
        self.topbar.refresh()


def row(*widgets: Widget, height: float | None = None, **kwargs: Any) -> BoxLayout:
    """A horizontal box of ``widgets`` one touch target tall."""
    t = theme()
    box = BoxLayout(size_hint_y=None, height=height or t.touch, spacing=t.gap, **kwargs)
    for widget in widgets:
        box.add_widget(widget)
    return box
