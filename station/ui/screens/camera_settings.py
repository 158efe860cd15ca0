"""Camera settings: what the camera sees now, the cameras this machine has, choose one."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.scrollview import ScrollView

from foundation.errors import DomainError
from station.camera.factory import CameraCheck, list_cameras
from station.core.camera_faults import Finding
from station.services.settings_edit import update_settings
from station.ui.camera_feed import CameraFeed
from station.ui.i18n import _
from station.ui.machine import State
from station.ui.screens.base import KioskScreen
from station.ui.widgets import (
    FitLabel,
    Notice,
    NoticeSlot,
    Panel,
    Selectable,
    line_label,
    theme,
)
from station.ui.worker import Job


class CameraScreen(KioskScreen):
    state = State.CAMERA
    title = _("Cámara")

    def build(self) -> None:
        t = theme()
        self.feed: CameraFeed | None = None
        main = BoxLayout(spacing=t.pad)
        frame = Panel(bg=(0.1, 0.12, 0.14, 1), padding=t.gap, size_hint_x=0.5)
        self.view = Image(fit_mode="contain")
        frame.add_widget(self.view)
        main.add_widget(frame)
        side = BoxLayout(orientation="vertical", spacing=t.gap)
        self.current = FitLabel(bold=True, size_hint_y=None, height=t.touch * 0.8,
                                kid="camera_current")
        side.add_widget(self.current)
        self.notice_box = NoticeSlot()
        side.add_widget(self.notice_box)
        self.choices = BoxLayout(orientation="vertical", spacing=t.gap, size_hint_y=None)
        self.choices.bind(minimum_height=self.choices.setter("height"))
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(self.choices)
        side.add_widget(scroll)
        main.add_widget(side)
        self.body.add_widget(main)

    def enter(self, **_params: Any) -> None:
        self.current.text = _("Cámara en uso: {device}").format(
            device=self._device_words(str(self.app.station.settings["camera.device"])))
        self._say("info", _("Buscando cámaras…"))
        self.view.texture = None
        settings = self.app.station.settings
        width, height = int(settings["camera.width"]), int(settings["camera.height"])
        self.app.run_job(Job(_("Cámaras"),
                             lambda _p: list_cameras(width, height, seconds=0.5),
                             on_done=self._listed, keeps_awake=False))

    def leave(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None

    def _start_feed(self) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.view.texture = None
        self.feed = CameraFeed(self.app.station, self.view, on_error=self._feed_failed)
        self.feed.start()

    def _feed_failed(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            raise error
        self._say("bad", error.user_message())

    def _say(self, kind: str, text: str) -> None:
        self.notice_box.show(Notice(kind=kind, message=text, kid="camera_notice"))

    def _listed(self, found: tuple[list[CameraCheck], list[Finding]]) -> None:
        t = theme()
        checks, findings = found
        self.choices.clear_widgets()
        self.choices.add_widget(self._choice("auto", _("Automática (la primera que funcione)"),
                                             True, ""))
        for check in checks:
            self.choices.add_widget(self._choice(check.device, check.name or check.device,
                                                 check.works, check.problem_es))
        if findings:
            first = findings[0]
            self._say("warn", f"{first.message_es} {first.way_out_es}")
        elif checks:
            self._say("ok", _("Toque una cámara para usarla."))
        else:
            self._say("info", _("No se encontraron cámaras conectadas."))
        self.choices.height = max(self.choices.minimum_height, t.touch)
        # Only now: a webcam in use by the preview would look busy to the search.
        self._start_feed()

    def _choice(self, device: str, name: str, works: bool, problem: str) -> Selectable:
        t = theme()
        chosen = str(self.app.station.settings["camera.device"]) == device
        item = Selectable(kid="camera_choice", payload=device, selected=chosen,
                          height=t.touch * 1.1, disabled=not works)
        texts = BoxLayout(orientation="vertical")
        texts.add_widget(line_label(name, bold=True))
        status = _("funciona") if works else problem or _("no funciona")
        texts.add_widget(line_label(status, font_size=t.font_small, color=t.palette.muted))
        item.add_widget(texts)
        item.bind(on_release=lambda *_: self._use(device))
        return item

    def _use(self, device: str) -> None:
        update_settings(self.app.station, {"camera.device": device})
        self.enter()

    @staticmethod
    def _device_words(device: str) -> str:
        return _("automática") if device == "auto" else device
