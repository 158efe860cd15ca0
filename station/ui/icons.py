"""Line icons drawn with Kivy's canvas: sharp at any size, no icon font or image files.

Each icon is a list of strokes on a 24×24 grid (y down, like SVG). An icon always comes with
a word next to it on screen: colour and shape are never the only signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

Stroke = tuple[Any, ...]

ICONS: dict[str, list[Stroke]] = {
    "home": [("line", [3, 11, 12, 3, 21, 11]), ("line", [5.5, 9.5, 5.5, 21, 18.5, 21, 18.5, 9.5]),
             ("line", [10, 21, 10, 15, 14, 15, 14, 21])],
    "back": [("line", [20, 12, 4, 12]), ("line", [10, 6, 4, 12, 10, 18])],
    "next": [("line", [9, 5, 16, 12, 9, 19])],
    "prev": [("line", [15, 5, 8, 12, 15, 19])],
    "user": [("circle", 12, 8, 4), ("arc", 12, 22, 8, -90, 90)],
    "users": [("circle", 9, 8.5, 3.5), ("arc", 9, 21, 7, -90, 90), ("circle", 17, 7.5, 3),
              ("arc", 17, 18, 5.5, 0, 90)],
    "logout": [("line", [10, 4, 4, 4, 4, 20, 10, 20]), ("line", [9, 12, 21, 12]),
               ("line", [17, 8, 21, 12, 17, 16])],
    "search": [("circle", 10, 10, 6), ("line", [14.5, 14.5, 20.5, 20.5])],
    "print": [("line", [7, 9, 7, 3, 17, 3, 17, 9]), ("rrect", 3, 9, 18, 8, 2),
              ("line", [7, 14, 7, 21, 17, 21, 17, 14]), ("dot", 17.5, 12, 0.9)],
    "camera": [("rrect", 3, 7, 18, 13, 2), ("line", [8, 7, 9.5, 4, 14.5, 4, 16, 7]),
               ("circle", 12, 13.5, 3.6)],
    "check": [("line", [4.5, 12.5, 9.5, 17.5, 19.5, 6.5])],
    "cross": [("line", [6, 6, 18, 18]), ("line", [18, 6, 6, 18])],
    "ok_circle": [("circle", 12, 12, 9.5), ("line", [7.5, 12.5, 10.8, 15.8, 16.8, 8.8])],
    "bad_circle": [("circle", 12, 12, 9.5), ("line", [8.5, 8.5, 15.5, 15.5]),
                   ("line", [15.5, 8.5, 8.5, 15.5])],
    "warning": [("line", [12, 3, 22, 20.5, 2, 20.5], True), ("line", [12, 9, 12, 14.5]),
                ("dot", 12, 17.5, 1.0)],
    "info": [("circle", 12, 12, 9.5), ("line", [12, 11, 12, 17]), ("dot", 12, 7.5, 1.0)],
    "clock": [("circle", 12, 12, 9.5), ("line", [12, 6.5, 12, 12, 16, 14])],
    "gear": [("circle", 12, 12, 3.2), ("circle", 12, 12, 7.2),
             ("line", [12, 2, 12, 4.8]), ("line", [12, 19.2, 12, 22]),
             ("line", [2, 12, 4.8, 12]), ("line", [19.2, 12, 22, 12]),
             ("line", [4.9, 4.9, 6.9, 6.9]), ("line", [17.1, 17.1, 19.1, 19.1]),
             ("line", [4.9, 19.1, 6.9, 17.1]), ("line", [17.1, 6.9, 19.1, 4.9])],
    "sync": [("arc", 12, 12, 8, 20, 160), ("line", [17.5, 2.5, 19.5, 6.5, 15.2, 7.5]),
             ("arc", 12, 12, 8, 200, 340), ("line", [6.5, 21.5, 4.5, 17.5, 8.8, 16.5])],
    "flag": [("line", [5, 22, 5, 3]), ("line", [5, 4, 18, 4, 15, 8.5, 18, 13, 5, 13])],
    "card": [("rrect", 2, 5, 20, 14, 2), ("circle", 7.5, 10.5, 2.2),
             ("line", [4.5, 16, 10.5, 16]), ("line", [13, 9, 19, 9]),
             ("line", [13, 12.5, 19, 12.5])],
    "qr": [("rect", 3, 3, 7, 7), ("rect", 14, 3, 7, 7), ("rect", 3, 14, 7, 7),
           ("dot", 6.5, 6.5, 1.2), ("dot", 17.5, 6.5, 1.2), ("dot", 6.5, 17.5, 1.2),
           ("line", [14, 14, 14, 21]), ("line", [17.5, 14, 21, 14, 21, 17.5]),
           ("line", [17.5, 18, 17.5, 21, 21, 21])],
    "school": [("line", [2, 9, 12, 3, 22, 9]), ("line", [4, 21, 20, 21]),
               ("line", [5.5, 10, 5.5, 21]), ("line", [18.5, 10, 18.5, 21]),
               ("line", [10, 21, 10, 15, 14, 15, 14, 21]), ("circle", 12, 10.5, 1.8)],
    "list": [("line", [8.5, 6, 21, 6]), ("line", [8.5, 12, 21, 12]), ("line", [8.5, 18, 21, 18]),
             ("dot", 4.5, 6, 1.2), ("dot", 4.5, 12, 1.2), ("dot", 4.5, 18, 1.2)],
    "keyboard": [("rrect", 2, 6, 20, 13, 2), ("line", [7, 15.5, 17, 15.5]),
                 ("dot", 6, 10, 0.9), ("dot", 10, 10, 0.9), ("dot", 14, 10, 0.9),
                 ("dot", 18, 10, 0.9)],
    "backspace": [("line", [8, 5, 21, 5, 21, 19, 8, 19, 2.5, 12], True),
                  ("line", [11, 9, 17, 15]), ("line", [17, 9, 11, 15])],
    "lock": [("rrect", 4, 10.5, 16, 11, 2), ("arc", 12, 10.5, 5, -90, 90),
             ("line", [7, 10.5, 7, 8]), ("line", [17, 10.5, 17, 8]), ("dot", 12, 16, 1.3)],
    "image": [("rrect", 3, 4, 18, 16, 2), ("line", [3, 17, 9, 11, 14, 16, 16.5, 13.5, 21, 18]),
              ("circle", 16, 8.5, 1.8)],
    "box": [("line", [3, 8, 12, 3.5, 21, 8, 21, 17, 12, 21.5, 3, 17], True),
            ("line", [3, 8, 12, 12.5, 21, 8]), ("line", [12, 12.5, 12, 21.5])],
    "star": [("line", [12, 2.5, 14.6, 8.8, 21.5, 9.3, 16.2, 13.7, 17.9, 20.5, 12, 16.8,
                       6.1, 20.5, 7.8, 13.7, 2.5, 9.3, 9.4, 8.8], True)],
    "hologram": [("circle", 12, 12, 9.5),
                 ("line", [12, 6.5, 13.4, 10.1, 17.2, 10.3, 14.2, 12.6, 15.3, 16.3, 12, 14.2,
                           8.7, 16.3, 9.8, 12.6, 6.8, 10.3, 10.6, 10.1], True)],
    "unchecked": [("rrect", 4, 4, 16, 16, 2.5)],
    "checked": [("rrect", 4, 4, 16, 16, 2.5), ("line", [7.5, 12.5, 10.8, 15.5, 16.5, 8.5])],
    "plus": [("line", [12, 5, 12, 19]), ("line", [5, 12, 19, 12])],
    "minus": [("line", [5, 12, 19, 12])],
    "document": [("line", [14, 3, 5, 3, 5, 21, 19, 21, 19, 8, 14, 3, 14, 8, 19, 8]),
                 ("line", [8.5, 12.5, 15.5, 12.5]), ("line", [8.5, 16.5, 15.5, 16.5])],
    "pause": [("line", [9, 5, 9, 19]), ("line", [15, 5, 15, 19])],
    "eye": [("arc", 12, 20, 12.5, -50, 50), ("arc", 12, 4, 12.5, 130, 230),
            ("circle", 12, 12, 3)],
}


class Icon(Widget):
    """A line icon from :data:`ICONS`, centred in the widget and scaled to its smaller side."""

    name = StringProperty("info")
    color = ColorProperty((0, 0, 0, 1))
    max_side = NumericProperty(0)
    """When set, the icon is never drawn larger than this (pixels)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, name=self._draw, color=self._draw)
        self._draw()

    def _draw(self, *_args: Any) -> None:
        self.canvas.clear()
        side = min(self.width, self.height)
        if self.max_side:
            side = min(side, self.max_side)
        if side <= 0:
            return
        scale = side / 24.0
        ox = self.x + (self.width - side) / 2
        oy = self.y + (self.height - side) / 2 + side
        width = max(1.0, side / 15.0)

        def pt(x: float, y: float) -> tuple[float, float]:
            return ox + x * scale, oy - y * scale

        with self.canvas:
            Color(*self.color)
            for stroke in ICONS.get(self.name, ICONS["info"]):
                _stroke(stroke, pt, scale, width)


def _flat(points: Sequence[float], pt: Any) -> list[float]:
    out: list[float] = []
    for i in range(0, len(points), 2):
        out.extend(pt(points[i], points[i + 1]))
    return out


def _stroke(stroke: Stroke, pt: Any, scale: float, width: float) -> None:
    kind = stroke[0]
    if kind == "line":
        closed = len(stroke) > 2 and bool(stroke[2])
        Line(points=_flat(stroke[1], pt), width=width, close=closed, joint="round", cap="round")
    elif kind == "circle":
        cx, cy = pt(stroke[1], stroke[2])
        Line(circle=(cx, cy, stroke[3] * scale), width=width)
    elif kind == "arc":
        # Angles in degrees, clockwise from 12 o'clock (Kivy's convention).
        cx, cy = pt(stroke[1], stroke[2])
        Line(circle=(cx, cy, stroke[3] * scale, stroke[4], stroke[5]), width=width, cap="round")
    elif kind in ("rect", "rrect"):
        x, y, w, h = stroke[1:5]
        left, top = pt(x, y)
        radius = (stroke[5] if kind == "rrect" else 0.3) * scale
        Line(rounded_rectangle=(left, top - h * scale, w * scale, h * scale, radius),
             width=width)
    elif kind == "dot":
        cx, cy = pt(stroke[1], stroke[2])
        r = stroke[3] * scale + width / 2
        Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r))
