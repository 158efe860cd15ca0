"""Verify a card: the camera on, a frame to aim at, and the verdict as soon as a QR is read."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Line
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image

from foundation.errors import DomainError
from station.camera.resilient import CameraEvent
from station.services.camera_verify import CameraScan, verify_stream
from station.services.station import Station
from station.ui.camera_feed import CameraFeed, FrameTap, LostBanner
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.widgets import FitLabel, Notice, NoticeSlot, TouchButton, theme


def first_verdict(station: Station, tap: FrameTap) -> CameraScan | None:
    """The first card the camera sees, verified (None when the screen was left first)."""
    scans = verify_stream(station, tap, should_stop=tap.should_stop,  # type: ignore[arg-type]
                          on_event=lambda event: tap.feed.report_events([event]))
    return next(iter(scans), None)


class AimFrame(FloatLayout):
    """The camera picture with a square to aim the QR at (drawn over it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.image = Image(fit_mode="contain", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self.image)
        self.lost = LostBanner(self.image)
        self.add_widget(self.lost)
        p = theme().palette
        with self.canvas.after:
            Color(*p.on_primary)
            self._outer = Line(width=3)
            Color(*p.primary)
            self._inner = Line(width=1.5)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_args: Any) -> None:
        side = min(self.width, self.height) * 0.62
        x, y = self.center_x - side / 2, self.center_y - side / 2
        self._outer.rounded_rectangle = (x, y, side, side, 12)
        self._inner.rounded_rectangle = (x, y, side, side, 12)


class VerifyScreen(KioskScreen):
    state = State.VERIFY
    title = _("Verificar una credencial")

    def build(self) -> None:
        t = theme()
        self.feed: CameraFeed | None = None
        main = BoxLayout(spacing=t.pad)
        self.aim = AimFrame(size_hint_x=0.58)
        main.add_widget(self.aim)
        side = BoxLayout(orientation="vertical", spacing=t.pad)
        side.add_widget(FitLabel(text=_("Acerque el código QR de la credencial al recuadro."),
                                 font_size=t.font_large, bold=True, kid="verify_hint"))
        side.add_widget(FitLabel(text=_(
            "La estación lo lee sola y muestra si la credencial es válida. No necesita "
            "internet."), color=t.palette.muted, valign="top"))
        self.notice_box = NoticeSlot()
        side.add_widget(self.notice_box)
        side.add_widget(BoxLayout())
        main.add_widget(side)
        self.body.add_widget(main)
        done = TouchButton(text=_("Terminar"), icon="home", style="secondary",
                           kid="verify_done")
        done.bind(on_release=lambda *_: self.app.go(State.HOME))
        self.body.add_widget(row(done))

    def enter(self, **_params: Any) -> None:
        self.aim.lost.follow(CameraEvent("reconnected", "", 0.0))  # a fresh start
        self.notice_box.show(Notice(kind="info", message=_("Encendiendo la cámara…"),
                                    kid="verify_notice"))
        station = self.app.station
        self.feed = CameraFeed(station, self.aim.image,
                               consume=lambda tap: first_verdict(station, tap),
                               on_done=self._verdict, on_error=self._camera_failed,
                               on_event=self._camera_event)
        self.feed.start()
        self._clock_check()

    def _clock_check(self) -> None:
        from kivy.clock import Clock

        def ready(_dt: float) -> bool | None:
            if self.feed is None:
                return False
            if self.feed.frames_shown:
                self.notice_box.show(Notice(kind="info", message=_(
                    "Cámara lista. Sostenga la credencial quieta, a un palmo de la cámara."),
                    kid="verify_notice"))
                return False
            return None

        Clock.schedule_interval(ready, 0.2)

    def leave(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None

    def _verdict(self, scan: CameraScan | None) -> None:
        if scan is None or self.feed is None or self.app.machine.state is not State.VERIFY:
            return
        self.feed.stop()
        self.feed = None
        self.app.session.verification = scan.verification
        self.app.go(State.VERIFY_RESULT)

    def _camera_event(self, event: CameraEvent) -> None:
        if self.feed is None:
            return
        self.aim.lost.follow(event)
        kind = "bad" if event.kind == "lost" else "ok"
        self.notice_box.show(Notice(kind=kind, message=event.message_es, kid="verify_notice"))

    def _camera_failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        self.notice_box.show(Notice(kind="bad", message=error.user_message(),
                                    kid="verify_notice"))
