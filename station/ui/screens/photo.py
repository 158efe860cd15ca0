"""The student's ID photo: live preview with a face guide and the camera's hints, a countdown
and auto-capture (or a button), then review: retake or approve.

Made for the student in front of the camera: the preview is a mirror (flipped on screen only;
the photo is stored as the camera took it), the hint is written over the picture just above
the face oval, where the student is looking, and when every check holds the screen counts
3-2-1 (one number a second, on Kivy's clock, with a tick each and a shutter at the end; a tap
on the picture stops the count, another starts it again). The checks and the crop are
:mod:`station.services.photo_capture`'s; this screen only shows them. Approving stores the
photo and links it to the student.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Line, RoundedRectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image
from kivy.uix.label import Label

from foundation.errors import DomainError, RuleViolation
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
from station.ui.sounds import Chimes
from station.ui.widgets import FitLabel, Notice, NoticeSlot, Panel, TouchButton, theme

if TYPE_CHECKING:
    from station.camera.resilient import CameraEvent

GUIDE_HEIGHT = 0.6
"""Height of the face oval, as a share of the preview: where the head should be."""
GUIDE_DROP = 0.03
"""The oval sits this share of the preview below the middle: room above it for the hint."""
HINT_BAND = (0.8, 0.99)
"""The hint's band over the picture (shares of the preview's height, bottom to top): above
the oval, towards the camera the student looks at."""
LOST_BAND = (0.01, 0.18)
"""The "camera unplugged" banner's band: below the oval, never over it."""
COUNT_FROM = 3
COUNT_STEP_S = 1.0
"""The countdown: 3, 2, 1, one a second, then the photo."""


class FaceGuide(FloatLayout):
    """The camera picture, an oval where the face goes, the hint above it, the countdown in
    it and the lost-camera banner below it. A tap anywhere on it calls ``on_tap``."""

    def __init__(self, on_tap: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        t = theme()
        self.on_tap = on_tap
        self.image = Image(fit_mode="contain", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self.image)
        self.count = Label(text="", bold=True, font_size=t.font_huge * 1.6,
                           color=(1, 1, 1, 0.95), outline_width=3,
                           outline_color=(0.05, 0.1, 0.15, 1), size_hint=(1, 1),
                           pos_hint={"x": 0, "y": 0})
        self.count.kid = "photo_count"  # type: ignore[attr-defined]
        self.add_widget(self.count)
        self.hint = FitLabel(text=_("Encendiendo la cámara…"), font_size=t.font_large,
                             bold=True, color=(1, 1, 1, 1), halign="center",
                             outline_width=2, outline_color=(0.05, 0.1, 0.15, 1),
                             size_hint=(None, None), kid="photo_hint")
        with self.hint.canvas.before:  # a dark band behind the words: readable on any picture
            self._hint_bg_color = Color(0.05, 0.1, 0.15, 0.0)
            self._hint_bg = RoundedRectangle(radius=[t.radius])
        self.hint.bind(pos=self._hint_band, size=self._hint_band, text=self._hint_band)
        self.add_widget(self.hint)
        self.lost = LostBanner(self.image, size_hint=(None, None), pos_hint={})
        self.add_widget(self.lost)
        with self.canvas.after:
            self._color = Color(1, 1, 1, 0.9)
            self._oval = Line(width=3)
        self.bind(pos=self._layout, size=self._layout)
        self.image.bind(norm_image_size=self._layout, pos=self._layout)

    def tone(self, rgba: tuple[float, ...]) -> None:
        # Called with every camera frame's feedback: the same colour again must not make
        # the window redraw (on llvmpipe each redraw costs as much as a camera frame's).
        if tuple(self._color.rgba) != tuple(rgba):
            self._color.rgba = rgba

    def picture(self) -> tuple[float, float, float, float]:
        """Where the camera's picture is drawn (x, y, width, height): the oval, the hint and
        the banner are placed on it, not on the letterbox around it."""
        image = self.image
        if image.texture is None:
            return self.x, self.y, self.width, self.height
        w, h = image.norm_image_size
        return image.center_x - w / 2, image.center_y - h / 2, w, h

    def oval(self) -> tuple[float, float, float, float]:
        """The face oval (x, y, width, height) in this widget's parent's coordinates."""
        x, y, w, h = self.picture()
        oh = h * GUIDE_HEIGHT
        ow = oh * 0.74
        return x + (w - ow) / 2, y + (h - oh) / 2 - h * GUIDE_DROP, ow, oh

    def _layout(self, *_args: Any) -> None:
        x, y, w, h = self.picture()
        for label, (low, high) in ((self.hint, HINT_BAND), (self.lost, LOST_BAND)):
            label.size = (w * 0.96, h * (high - low))
            label.pos = (x + w * 0.02, y + h * low)
        self._draw()

    def guide_shapes(self) -> list[tuple[float, float, float, float]]:
        """The outlines no text may cross, in window coordinates (the screenshot check)."""
        x, y, w, h = self.oval()
        wx, wy = self.to_window(x, y)
        return [(wx, wy, w, h)]

    def _draw(self, *_args: Any) -> None:
        self._oval.ellipse = self.oval()

    def _hint_band(self, *_args: Any) -> None:
        label = self.hint
        self._hint_bg.pos, self._hint_bg.size = label.pos, label.size
        self._hint_bg_color.a = 0.55 if label.text else 0.0

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos) and self.on_tap is not None:
            self.on_tap()
            return True
        return bool(super().on_touch_down(touch))


class PhotoScreen(KioskScreen):
    state = State.PHOTO
    title = _("Fotografía del alumno")

    def build(self) -> None:
        self.feed: CameraFeed | None = None
        self.take_now = False
        self.curp = ""
        self.counting: int | None = None
        self.taking = False
        self.paused = False
        self.counted: list[int] = []
        self._count_clock: Any = None
        self.chimes = Chimes()

    def enter(self, curp: str = "", **_params: Any) -> None:
        self.curp = curp or self.curp
        self.detail = lookup.student(self.app.station, self.curp)
        self._live()

    def leave(self) -> None:
        self._stop()

    def _stop(self) -> None:
        self._cancel_count()
        if self.feed is not None:
            self.feed.stop()
            self.feed = None

    # -- live ---------------------------------------------------------------------------

    def _live(self) -> None:
        t = theme()
        p = t.palette
        self._stop()
        self.take_now = False
        self.taking = False
        self.paused = False
        self.counted = []
        self.body.clear_widgets()
        main = BoxLayout(spacing=t.pad)
        frame = Panel(bg=(0.1, 0.12, 0.14, 1), padding=t.gap, size_hint_x=1.25)
        self.guide = FaceGuide(on_tap=self._tapped)
        self.hint = self.guide.hint
        frame.add_widget(self.guide)
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        side.add_widget(FitLabel(text=self.detail.student.full_name, bold=True,
                                 font_size=t.font_large, size_hint_y=None,
                                 height=t.touch * 0.9, kid="photo_name"))
        self.strip = ProgressStrip(size_hint_y=None, height=t.gap * 1.6)
        side.add_widget(self.strip)
        self.notice = NoticeSlot()
        side.add_widget(self.notice)
        side.add_widget(FitLabel(text=_(
            "Que mire a la cámara, con fondo liso y buena luz. Cuando todo está bien, la "
            "pantalla cuenta 3, 2, 1 y toma la foto; toque la imagen para detener la cuenta."),
            color=p.muted, font_size=t.font_small, valign="top"))
        main.add_widget(side)
        self.body.add_widget(main)
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid="photo_cancel")
        cancel.bind(on_release=lambda *_: self.app.back())
        take = TouchButton(text=_("Tomar foto ahora"), icon="camera", kid="photo_take")
        take.bind(on_release=lambda *_: setattr(self, "take_now", True))
        self.body.add_widget(row(cancel, take))
        settings = self.app.station.settings
        # The screen's own 3-2-1 decides when to take the photo (``auto=False``); the session
        # still measures and checks every frame, and checks the frame taken once more.
        session = PhotoSession(hold_s=float(settings["camera.auto_capture_s"]), auto=False)
        self.feed = CameraFeed(self.app.station, self.guide.image,
                               consume=lambda tap: self._capture(tap, session),
                               on_done=self._captured, on_error=self._failed,
                               on_event=self._camera_event, mirror=True)
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
        if feedback.problems:  # a check fails (or the face moved): its hint, no count
            self._cancel_count()
            self.hint.text = feedback.hint_es
            self.guide.tone((1, 1, 1, 0.9))
            self.strip.value = 0
            return
        self.guide.tone(p.ok)
        if self.taking:
            return  # the count ended: the photo is being taken
        if self.paused:
            self.hint.text = _("Cuenta detenida")
        elif self.counting is None:
            self._start_count()

    # -- the countdown: Kivy's clock, one number a second -----------------------------------

    def _start_count(self) -> None:
        self.counting = COUNT_FROM
        self._show_count()
        self._count_clock = Clock.schedule_interval(self._count_step, COUNT_STEP_S)

    def _show_count(self) -> None:
        assert self.counting is not None
        self.counted.append(self.counting)
        self.guide.count.text = str(self.counting)
        self.hint.text = _("¡No te muevas!")
        self.strip.value = (COUNT_FROM - self.counting + 1) / COUNT_FROM
        self.chimes.play("tick")

    def _count_step(self, _dt: float) -> bool | None:
        if self.counting is None:
            return False
        self.counting -= 1
        if self.counting >= 1:
            self._show_count()
            return None
        self._cancel_count()
        self.taking = True
        self.take_now = True  # the camera thread takes the next frame (checked once more)
        return False

    def _cancel_count(self) -> None:
        if self._count_clock is not None:
            self._count_clock.cancel()
            self._count_clock = None
        self.counting = None
        if hasattr(self, "guide"):
            self.guide.count.text = ""

    def _tapped(self) -> None:
        """A tap on the picture stops a running count; another lets it start again."""
        if self.counting is not None:
            self._cancel_count()
            self.paused = True
            self.hint.text = _("Cuenta detenida")
            self.notice.show(Notice(kind="info", kid="photo_notice", message=_(
                "Se detuvo la cuenta. Toque la imagen para volver a contar.")))
        elif self.paused:
            self.paused = False
            self.notice.show(None)

    def _refused(self, error: RuleViolation) -> None:
        self.taking = False  # the count starts again once every check holds
        self.notice.show(Notice(kind="warn", message=error.user_message(),
                                kid="photo_notice"))

    def _camera_event(self, event: CameraEvent) -> None:
        if self.feed is None:
            return
        self.guide.lost.follow(event)
        if event.kind == "lost":
            self.hint.text = _("Esperando la cámara…")  # the banner and notice say why
            self._cancel_count()
            self.guide.tone((1, 1, 1, 0.9))
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
        self.chimes.play("shutter")
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
