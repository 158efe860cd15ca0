"""Drive the real kiosk by touch events: for tests, benchmarks, screenshots and demos.

A scenario is a generator function ``scenario(pilot)`` that yields what to wait for; the
pilot's helpers are generators too (``yield from pilot.tap("tile_verify")``). Touches are real
Kivy motion events dispatched through the window, so they hit whatever is on screen exactly
as a finger would. After the scenario (or at its first failure) the pilot writes a JSON report
and closes the app.

Every :meth:`Pilot.shot` saves ``<out>/<name>.png`` and checks the screen: texts that overflow
their widget and touch targets smaller than 9 mm are recorded in the report.

    python -m kiosk_pilot.autopilot --data DIR --size 800x480 --out DIR --scenario tour
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kivy.uix.widget import Widget

    from station.ui.app import KioskApp

Step = Generator[Any, None, None]
Scenario = Callable[["Pilot"], Step]


@cache
def _finger_class() -> type:
    from kivy.input.motionevent import MotionEvent

    class Finger(MotionEvent):
        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

    return Finger


def finger(x: float, y: float) -> Any:
    """A touch at window pixel (x, y): what ``kivy.tests.common.UnitTestTouch`` makes, without
    importing that module, which imports pytest (341 modules, ~17 MiB of Python objects) into
    the kiosk process and so into the memory the benchmarks measure."""
    from kivy.base import EventLoop

    win = EventLoop.window
    where = {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)}
    touch = _finger_class()("UnitTestTouch", 99, where, is_touch=True, type_id="touch")
    touch.profile = ["pos"]
    return touch


class PilotFailure(Exception):
    """A scenario step could not happen (a widget never appeared, a wait timed out)."""


PATIENCE = float(os.environ.get("KIOSK_PILOT_PATIENCE", "1") or 1)
"""Every wait's time limit is multiplied by this (the fixture raises it on a loaded machine):
a wait ends when its state shows up, so the limit only bounds a hang, never paces a step."""


@dataclass
class Wait:
    predicate: Callable[[], bool]
    timeout_s: float
    what: str
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.timeout_s *= PATIENCE


@dataclass
class Frames:
    count: int


@dataclass
class Report:
    size: str
    ok: bool = False
    steps: list[str] = field(default_factory=list)
    shots: dict[str, dict[str, str]] = field(default_factory=dict)
    """name → {"path", "state"}: every screenshot and the state it shows."""
    overflow: list[dict[str, Any]] = field(default_factory=list)
    small_targets: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    error: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class Pilot:
    """Finds widgets by their ``kid``, taps them, waits, takes screenshots."""

    def __init__(self, app: KioskApp, out_dir: Path, report: Report,
                 config: dict[str, Any]) -> None:
        self.app = app
        self.out_dir = out_dir
        self.report = report
        self.config = config

    # -- finding ----------------------------------------------------------------------

    def roots(self) -> list[Widget]:
        from kivy.core.window import Window
        from kivy.uix.modalview import ModalView

        modals = [w for w in Window.children if isinstance(w, ModalView)]
        return modals or [self.app.manager.current_screen]

    def find_all(self, kid: str) -> list[Widget]:
        found = []
        for root in self.roots():
            found += [w for w in root.walk(restrict=True) if getattr(w, "kid", None) == kid]
        return found

    def find(self, kid: str) -> Widget | None:
        visible = [w for w in self.find_all(kid) if _on_screen(w)]
        return visible[0] if visible else None

    def text_of(self, kid: str) -> str:
        widget = self.find(kid) or next(iter(self.find_all(kid)), None)
        if widget is None:
            return ""
        return str(getattr(widget, "text", None) or getattr(widget, "message", ""))

    @property
    def state(self) -> str:
        return str(self.app.machine.state)

    # -- waiting ----------------------------------------------------------------------

    def until(self, predicate: Callable[[], bool], what: str, timeout_s: float = 20.0) -> Step:
        yield Wait(predicate, timeout_s, what)

    def frames(self, count: int = 2) -> Step:
        yield Frames(count)

    def use_camera(self, source: str) -> None:
        """Point the station's camera at the test's video or photo ``camera_<source>``
        (``valid``, ``revoked``, ``posing``, ``desk``): every step that opens a camera screen
        says first what the camera shows, so no step reads what an earlier one left playing."""
        from station.context import update_settings

        update_settings(self.app.station, {"camera.device": self.config[f"camera_{source}"]})
        self.report.steps.append(f"camera {source}")

    def left(self, state: str, timeout_s: float = 20.0) -> Step:
        """Wait until the kiosk has left ``state`` (a tap's transition happened)."""
        yield Wait(lambda: self.state != state, timeout_s, f"salir de {state}")

    def at(self, state: str, timeout_s: float = 20.0) -> Step:
        yield Wait(lambda: self.state == state, timeout_s, f"pantalla {state}")
        yield Frames(2)

    # -- acting -----------------------------------------------------------------------

    def tap(self, kid: str, timeout_s: float = 15.0) -> Step:
        """Wait for the widget ``kid`` to be on screen and enabled, then touch it."""
        yield Wait(lambda: self._tappable(kid), timeout_s, f"botón «{kid}»")
        widget = self.find(kid)
        assert widget is not None
        self.report.steps.append(f"tap {kid}")
        yield from self.touch(*widget.to_window(*widget.center))

    def tap_payload(self, kid: str, match: Callable[[Any], bool], what: str,
                    timeout_s: float = 15.0) -> Step:
        """Tap the first widget ``kid`` whose payload matches (list rows)."""
        def candidate() -> Widget | None:
            return next((w for w in self.find_all(kid)
                         if _on_screen(w) and match(getattr(w, "payload", None))), None)
        yield Wait(lambda: candidate() is not None, timeout_s, what)
        widget = candidate()
        assert widget is not None
        self.report.steps.append(f"tap {what}")
        yield from self.touch(*widget.to_window(*widget.center))

    def type_text(self, text: str, prefix: str = "key") -> Step:
        """Type on an on-screen keyboard (``prefix`` "key") or pad ("pin", "number"): every
        key is touched, down and up, in order, within one frame, like quick fingers."""
        from kivy.base import EventLoop

        plain = {v: k for k, v in zip("AEIOU", "ÁÉÍÓÚ", strict=True)}
        kids = []
        for char in text.upper():
            if char in plain:  # the accent key, then the vowel
                kids += [f"{prefix}_accent", f"{prefix}_{plain[char]}"]
            else:
                kids.append(f"{prefix}_space" if char == " " else f"{prefix}_{char}")
        yield Wait(lambda: all(self._tappable(k) for k in set(kids)), 15, f"teclas {text}")
        for kid in kids:
            widget = self.find(kid)
            assert widget is not None
            touch = finger(*widget.to_window(*widget.center))
            EventLoop._dispatch_input("begin", touch)
            EventLoop._dispatch_input("end", touch)
        self.report.steps.append(f"type {text}")
        yield Frames(2)

    def touch(self, x: float, y: float) -> Step:
        """A finger down and up at (x, y), queued like real input: the event loop dispatches
        it, so an error in a handler reaches the app's failsafe exactly as with a finger."""
        from kivy.base import EventLoop

        touch = finger(x, y)
        EventLoop._dispatch_input("begin", touch)
        yield Frames(1)
        EventLoop._dispatch_input("end", touch)
        yield Frames(1)

    def _tappable(self, kid: str) -> bool:
        widget = self.find(kid)
        return widget is not None and not widget.disabled

    # -- looking ----------------------------------------------------------------------

    def shot(self, name: str) -> Step:
        """Let the screen settle, save it as ``<name>.png`` and check texts and targets."""
        yield Frames(4)
        from kivy.core.window import Window

        target = self.out_dir / f"{name}.png"
        saved = Window.screenshot(name=str(self.out_dir / f"{name}.png"))
        if saved:
            Path(saved).replace(target)
        self.report.shots[name] = {"path": str(target), "state": self.state}
        for root in self.roots():
            self.report.overflow += [dict(d, shot=name) for d in overflowing(root)]
            self.report.overflow += [dict(d, shot=name) for d in text_over_guides(root)]
            self.report.small_targets += [dict(d, shot=name) for d in small_targets(root)]
        self.report.steps.append(f"shot {name}")


def _on_screen(widget: Widget) -> bool:
    from kivy.core.window import Window

    if widget.width < 1 or widget.height < 1 or widget.get_root_window() is None:
        return False
    x, y = widget.to_window(*widget.center)
    if not (0 <= x <= Window.width and 0 <= y <= Window.height):
        return False
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):  # inside a scroll view: within its viewport
            px, py = parent.to_window(parent.x, parent.y)
            if not (px <= x <= px + parent.width and py <= y <= py + parent.height):
                return False
        parent = parent.parent
    return True


def overflowing(root: Widget) -> list[dict[str, Any]]:
    """Labels whose text is bigger than the label (more than a pixel of rounding)."""
    from kivy.uix.label import Label

    found = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text or not _on_screen(widget):
            continue
        widget.texture_update()
        tw, th = widget.texture_size
        too_tall = th > widget.height + 1.5
        too_wide = tw > widget.width + 1.5
        if too_tall or too_wide:
            found.append({"text": widget.text[:60], "size": [round(widget.width),
                          round(widget.height)], "texture": [tw, th]})
    return found


def text_box(label: Any) -> tuple[float, float, float, float] | None:
    """Where a label's words are drawn, in window coordinates (x, y, width, height): not the
    widget's box but the lines of text in it. Kivy draws the texture centred in the label; a
    wrapped label's texture is as wide as the label, so each line is placed by ``halign``."""
    label.texture_update()
    tw, th = label.texture_size
    if tw < 1 or th < 1:
        return None
    left = label.center_x - tw / 2
    bottom = label.center_y - th / 2
    lines = getattr(label._label, "_cached_lines", None) or []
    widths = [line.w for line in lines if getattr(line, "w", 0)]
    if label.text_size[0] is not None and widths:
        wide = max(widths)
        pad = label.padding_x if hasattr(label, "padding_x") else label.padding[0]
        if label.halign in ("center", "justify"):
            left += (tw - wide) / 2
        elif label.halign == "right":
            left += tw - wide - pad
        else:
            left += pad
        tw = wide
    x, y = label.to_window(left, bottom)
    return x, y, tw, th


def _crosses_ellipse(box: tuple[float, float, float, float],
                     ellipse: tuple[float, float, float, float], margin: float = 2.0) -> bool:
    """Whether any point of the ellipse's outline lies inside ``box`` (text drawn across the
    line; text wholly inside the oval, like a countdown number, does not cross it)."""
    import math

    bx, by, bw, bh = box
    ex, ey, ew, eh = ellipse
    cx, cy, rx, ry = ex + ew / 2, ey + eh / 2, ew / 2, eh / 2
    for i in range(360):
        a = math.radians(i)
        px, py = cx + rx * math.cos(a), cy + ry * math.sin(a)
        if bx - margin <= px <= bx + bw + margin and by - margin <= py <= by + bh + margin:
            return True
    return False


def text_over_guides(root: Widget) -> list[dict[str, Any]]:
    """Texts drawn across a guide line (the photo screen's face oval): a widget that draws
    such lines says where with ``guide_shapes()`` (ellipses, window coordinates)."""
    from kivy.uix.label import Label

    shapes = [shape for w in root.walk(restrict=True) if hasattr(w, "guide_shapes")
              and _on_screen(w) for shape in w.guide_shapes()]
    if not shapes:
        return []
    found = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not widget.text.strip() or not _on_screen(widget) \
                or widget.opacity == 0 or widget.color[3] == 0:
            continue
        box = text_box(widget)
        if box is not None and any(_crosses_ellipse(box, shape) for shape in shapes):
            found.append({"text": widget.text[:60], "over": "óvalo de la cara",
                          "box": [round(v) for v in box]})
    return found


def small_targets(root: Widget) -> list[dict[str, Any]]:
    """Tappable widgets smaller than the 9 mm minimum on either side."""
    from kivy.uix.behaviors import ButtonBehavior

    from station.ui.theme import MIN_TOUCH_MM, mm_to_px
    from station.ui.widgets import theme

    least = mm_to_px(MIN_TOUCH_MM, theme().dpi) - 1
    return [{"kid": getattr(w, "kid", ""), "size": [round(w.width), round(w.height)]}
            for w in root.walk(restrict=True)
            if isinstance(w, ButtonBehavior) and _on_screen(w)
            and min(w.width, w.height) < least]


class Autopilot:
    """Runs scenarios inside a started app, one Kivy frame at a time."""

    def __init__(self, scenarios: list[Scenario], out_dir: Path, report_path: Path,
                 size: str, config: dict[str, Any] | None = None) -> None:
        self.scenarios = scenarios
        self.config = config or {}
        self.out_dir = out_dir
        self.report_path = report_path
        self.report = Report(size=size)
        self._steps: Iterator[Any] | None = None
        self._waiting: Any = None

    def attach(self, app: KioskApp) -> None:
        from kivy.clock import Clock

        self.app = app
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.pilot = Pilot(app, self.out_dir, self.report, self.config)
        self._steps = self._all()
        def begin(*_args: object) -> None:
            # Returns None: a true value would stop the event before the app's own on_start.
            Clock.schedule_once(self._begin, 0)

        app.bind(on_start=begin)

    def _all(self) -> Step:
        for scenario in self.scenarios:
            self.report.steps.append(f"== {scenario.__name__}")
            yield from scenario(self.pilot)

    def _begin(self, _dt: float) -> None:
        from kivy.clock import Clock

        self.report.timings["start_to_home_s"] = round(
            (self.app.home_shown_at or time.monotonic()) - self.app.started_at, 3)
        # Wall-clock time of the first frame of home, for a benchmark timing the whole start.
        self.report.timings["home_shown_epoch"] = time.time() - (
            time.monotonic() - (self.app.home_shown_at or time.monotonic()))
        Clock.schedule_interval(self._tick, 0)

    def _tick(self, _dt: float) -> bool | None:
        try:
            if isinstance(self._waiting, Frames):
                self._waiting.count -= 1
                if self._waiting.count > 0:
                    return None
            elif isinstance(self._waiting, Wait) and not self._waiting.predicate():
                if time.monotonic() - self._waiting.started > self._waiting.timeout_s:
                    raise PilotFailure(f"No apareció: {self._waiting.what} "
                                       f"(pantalla actual: {self.pilot.state})")
                return None
            assert self._steps is not None
            self._waiting = next(self._steps)
            if isinstance(self._waiting, Wait):
                self._waiting.started = time.monotonic()
        except StopIteration:
            self._finish(ok=True)
            return False
        except Exception as exc:
            self.report.error = "".join(traceback.format_exception_only(exc)).strip()
            self.report.steps.append(traceback.format_exc()[-2000:])
            self._failure_shot()
            self._finish(ok=False)
            return False
        return None

    def _failure_shot(self) -> None:
        from kivy.core.window import Window

        saved = Window.screenshot(name=str(self.out_dir / "FALLA.png"))
        if saved:
            Path(saved).replace(self.out_dir / "FALLA.png")

    def _finish(self, *, ok: bool) -> None:
        self.report.ok = ok
        self.report.failures = list(self.app.failures)
        self.report_path.write_text(json.dumps(self.report.__dict__, ensure_ascii=False,
                                               indent=2, default=str), encoding="utf-8")
        self.app.exit_status = 0 if ok else 1  # type: ignore[attr-defined]
        self.app.allow_close = True  # type: ignore[attr-defined]
        self.app.stop()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from kiosk_pilot import scenarios
    from station.ui.launch import run_kiosk

    parser = argparse.ArgumentParser(description="Drive the kiosk by touch events.")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--out", type=Path, required=True, help="Folder for screenshots.")
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--scenario", default="tour",
                        help="Comma-separated names from kiosk_pilot.scenarios.")
    parser.add_argument("--config", type=Path,
                        help="JSON the scenarios read (users' PINs, school, camera...).")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    chosen = [scenarios.SCENARIOS[name] for name in args.scenario.split(",")]
    config = json.loads(args.config.read_text("utf-8")) if args.config else {}
    pilot = Autopilot(chosen, args.out, args.report, args.size, config)
    return run_kiosk(args.data, width=width, height=height, autopilot=pilot)


if __name__ == "__main__":
    raise SystemExit(main())
