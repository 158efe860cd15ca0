"""The student's ID photo: live preview with a face guide and the camera's hints, a countdown
and auto-capture (or a button), then review: retake or approve.

The checks, the countdown and the crop are :mod:`station.services.photo_capture`'s; this
screen only shows them. Approving stores the photo and links it to the student.
"""

from __future__ import annotations

import io
import math
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Line
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image
from kivy.uix.label import Label

from foundation.errors import DomainError, RuleViolation
from station.camera.resilient import CameraEvent
from station.core.photo_rules import Phase
from station.services import lookup
from station.services.photo_capture import (
    CapturedPhoto,
    PhotoFeedback,
    PhotoSession,
    run_capture,
    store_photo,
)
from station.ui.camera_feed import CameraFeed, FrameTap, LostBanner
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen, row
from station.ui.screens.print_progress import ProgressStrip
from station.ui.widgets import FitLabel, Notice, NoticeSlot, Panel, TouchButton, theme

GUIDE_HEIGHT = 0.62
"""Height of the face oval, as a share of the preview: where the head should be."""


class FaceGuide(FloatLayout):
    """The camera picture, an oval where the face goes, and the countdown over it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        t = theme()
        self.image = Image(fit_mode="contain", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self.image)
        self.count = Label(text="", bold=True, font_size=t.font_huge * 1.6,
                           color=(1, 1, 1, 0.95), outline_width=3,
                           outline_color=(0.05, 0.1, 0.15, 1), size_hint=(1, 1),
                           pos_hint={"x": 0, "y": 0})
        self.add_widget(self.count)
        self.lost = LostBanner(self.image)
        self.add_widget(self.lost)
        with self.canvas.after:
            self._color = Color(1, 1, 1, 0.9)
            self._oval = Line(width=3)
        self.bind(pos=self._draw, size=self._draw)

    def tone(self, rgba: tuple[float, ...]) -> None:
        self._color.rgba = rgba

    def _draw(self, *_args: Any) -> None:
        h = self.height * GUIDE_HEIGHT
        w = h * 0.74
        self._oval.ellipse = (self.center_x - w / 2, self.center_y - h / 2 + self.height * 0.04,
                              w, h)


class PhotoScreen(KioskScreen):
    state = State.PHOTO
    title = _("Fotografía del alumno")

    def build(self) -> None:
        self.feed: CameraFeed | None = None
        self.take_now = False
        self.curp = ""

    def enter(self, curp: str = "", **_params: Any) -> None:
        self.curp = curp or self.curp
        self.detail = lookup.student(self.app.station, self.curp)
        self._live()

    def leave(self) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None

    # -- live ---------------------------------------------------------------------------

    def _live(self) -> None:
        t = theme()
        p = t.palette
        self._stop()
        self.take_now = False
        self.body.clear_widgets()
        main = BoxLayout(spacing=t.pad)
        frame = Panel(bg=(0.1, 0.12, 0.14, 1), padding=t.gap, size_hint_x=1.25)
        self.guide = FaceGuide()
        frame.add_widget(self.guide)
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        side.add_widget(FitLabel(text=self.detail.student.full_name, bold=True,
                                 font_size=t.font_large, size_hint_y=None,
                                 height=t.touch * 0.9, kid="photo_name"))
        self.hint = FitLabel(text=_("Encendiendo la cámara…"), font_size=t.font_large,
                             bold=True, color=p.primary, kid="photo_hint", valign="top")
        side.add_widget(self.hint)
        self.strip = ProgressStrip(size_hint_y=None, height=t.gap * 1.6)
        side.add_widget(self.strip)
        self.notice = NoticeSlot()
        side.add_widget(self.notice)
        side.add_widget(FitLabel(text=_(
            "Que mire a la cámara, con fondo liso y buena luz. La foto se toma sola cuando "
            "todo está bien."), color=p.muted, font_size=t.font_small))
        main.add_widget(side)
        self.body.add_widget(main)
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid="photo_cancel")
        cancel.bind(on_release=lambda *_: self.app.back())
        take = TouchButton(text=_("Tomar foto ahora"), icon="camera", kid="photo_take")
        take.bind(on_release=lambda *_: setattr(self, "take_now", True))
        self.body.add_widget(row(cancel, take))
        settings = self.app.station.settings
        session = PhotoSession(hold_s=float(settings["camera.auto_capture_s"]))
        self.hold_s = float(settings["camera.auto_capture_s"])
        self.feed = CameraFeed(self.app.station, self.guide.image,
                               consume=lambda tap: self._capture(tap, session),
                               on_done=self._captured, on_error=self._failed,
                               on_event=self._camera_event)
        self.feed.start()

    def _capture(self, tap: FrameTap, session: PhotoSession) -> CapturedPhoto | None:
        feed = tap.feed

        def take_requested() -> bool:
            wanted, self.take_now = self.take_now, False
            return wanted

        return run_capture(
            tap, session, max_seconds=600,  # type: ignore[arg-type]
            on_feedback=lambda f: feed.later(self._feedback, f),
            on_event=lambda e: feed.report_events([e]),
            on_refused=lambda e: feed.later(self._refused, e),
            take_requested=take_requested, should_stop=tap.should_stop)

    def _feedback(self, feedback: PhotoFeedback) -> None:
        if self.app.machine.state is not State.PHOTO or self.feed is None:
            return
        p = theme().palette
        self.hint.text = feedback.hint_es
        self.strip.value = feedback.progress if feedback.phase is not Phase.WAITING else 0
        if feedback.phase is Phase.HOLDING:
            left = max(1, math.ceil(self.hold_s * (1 - feedback.progress)))
            self.guide.count.text = str(left)
            self.guide.tone(p.ok)
        elif feedback.phase is Phase.CAPTURE:
            self.guide.count.text = ""
            self.guide.tone(p.ok)
        else:
            self.guide.count.text = ""
            self.guide.tone((1, 1, 1, 0.9))

    def _refused(self, error: RuleViolation) -> None:
        self.notice.show(Notice(kind="warn", message=error.user_message(),
                                kid="photo_notice"))

    def _camera_event(self, event: CameraEvent) -> None:
        if self.feed is None:
            return
        self.guide.lost.follow(event)
        if event.kind == "lost":
            self.hint.text = _("Esperando la cámara…")  # the banner and notice say why
            self.guide.count.text = ""
            self.strip.value = 0
        self.notice.show(Notice(kind="bad" if event.kind == "lost" else "ok",
                                message=event.message_es, kid="photo_notice"))

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        self.notice.show(Notice(kind="bad", message=error.user_message(), kid="photo_notice"))

    # -- review -------------------------------------------------------------------------

    def _captured(self, photo: CapturedPhoto | None) -> None:
        if photo is None or self.app.machine.state is not State.PHOTO:
            return
        self._stop()
        t = theme()
        p = t.palette
        self.body.clear_widgets()
        main = BoxLayout(spacing=t.pad)
        frame = Panel(bg=p.surface, border=p.border, padding=t.gap, size_hint_x=0.6,
                      kid="photo_review")
        texture = CoreImage(io.BytesIO(photo.jpeg), ext="jpg", nocache=True).texture
        frame.add_widget(Image(texture=texture, fit_mode="contain"))
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        side.add_widget(FitLabel(text=_("¿Se ve bien la foto?"), bold=True,
                                 font_size=t.font_title, size_hint_y=None,
                                 height=t.touch * 1.1, kid="photo_question"))
        side.add_widget(FitLabel(text=_(
            "Revise que se vea toda la cara, de frente, sin sombras ni reflejos. Así se "
            "imprimirá en la credencial."), color=p.muted, valign="top"))
        main.add_widget(side)
        self.body.add_widget(main)
        again = TouchButton(text=_("Repetir"), icon="camera", style="secondary",
                            kid="photo_retake")
        again.bind(on_release=lambda *_: self._live())
        keep = TouchButton(text=_("Aprobar y guardar"), icon="check", style="ok",
                           kid="photo_approve")
        keep.bind(on_release=lambda *_: self._approve(photo))
        self.body.add_widget(row(again, keep))

    def _approve(self, photo: CapturedPhoto) -> None:
        store_photo(self.app.station, self.curp, photo)
        self.app.go(State.STUDENT, curp=self.curp)
