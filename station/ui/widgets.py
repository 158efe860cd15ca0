"""Building blocks of every screen: labels that fit, big buttons, badges, panels, notices.

Sizes come from the current :class:`~station.ui.theme.Theme` (:func:`theme`), set once by
the app for its screen. Anything tappable is at least ``theme().touch`` pixels on both sides.
Widgets the autopilot needs carry a ``kid`` (kiosk id).
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line, RoundedRectangle
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from station.ui.icons import Icon
from station.ui.theme import Color as RGBA
from station.ui.theme import Theme, make_theme

_theme: Theme = make_theme(800, 480)


def theme() -> Theme:
    return _theme


def set_theme(value: Theme) -> None:
    global _theme
    _theme = value


class Surface:
    """Mixin: a rounded background (and optional border) that follows the widget."""

    bg = ColorProperty((0, 0, 0, 0))
    border = ColorProperty((0, 0, 0, 0))
    radius = NumericProperty(0)
    kid = StringProperty("")
    payload = ObjectProperty(None, allownone=True)

    def init_surface(self) -> None:
        w: Any = self
        with w.canvas.before:
            self._bg_color = Color(*self.bg)
            self._bg_rect = RoundedRectangle(pos=w.pos, size=w.size, radius=[self.radius])
            self._border_color = Color(*self.border)
            self._border_line = Line(rounded_rectangle=(*w.pos, *w.size, self.radius), width=1.2)
        w.bind(pos=self._update_surface, size=self._update_surface, bg=self._update_surface,
               border=self._update_surface, radius=self._update_surface)

    def _update_surface(self, *_args: Any) -> None:
        w: Any = self
        self._bg_color.rgba = self.bg
        self._bg_rect.pos, self._bg_rect.size = w.pos, w.size
        self._bg_rect.radius = [self.radius]
        self._border_color.rgba = self.border
        self._border_line.rounded_rectangle = (w.x, w.y, max(w.width, 1), max(w.height, 1),
                                               max(self.radius, 1))


class Panel(Surface, BoxLayout):
    """A box with a background colour and rounded corners."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("radius", theme().radius)
        super().__init__(**kwargs)
        self.init_surface()


# A FitLabel draws its text at the top when ``valign`` is "top" (Label centres it always when
# only the width is fixed); the texture keeps its real size, so overflow stays measurable.
Builder.load_string("""
<-FitLabel>:
    canvas:
        Color:
            rgba: 1, 1, 1, 1
        Rectangle:
            texture: self.texture
            size: self.texture_size
            pos: (int(self.center_x - self.texture_size[0] / 2.), \
                  int(self.top - self.texture_size[1]) if self.valign == "top" \
                  else int(self.center_y - self.texture_size[1] / 2.))
""")


class FitLabel(Label):
    """Text that wraps in its width and shrinks (down to ``min_font``) to fit its height.

    With ``auto_height`` the label grows to its text instead (for scrolling content);
    ``valign="top"`` keeps a paragraph at the top of its room.
    """

    min_font = NumericProperty(0)
    auto_height = BooleanProperty(False)
    _base_font: float = 0
    kid = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("font_size", t.font_body)
        kwargs.setdefault("color", t.palette.text)
        kwargs.setdefault("halign", "left")
        kwargs.setdefault("valign", "middle")
        super().__init__(**kwargs)
        self._base_font = self.font_size
        if not self.min_font:
            self.min_font = max(12, int(self._base_font * 0.7))
        if self.auto_height:
            self.size_hint_y = None
        self.bind(width=self._wrap, text=self._reset, texture_size=self._fit)
        self.bind(width=self._reset)
        self._wrap()

    def _wrap(self, *_args: Any) -> None:
        self.text_size = (max(self.width, 1), None)

    def _reset(self, *_args: Any) -> None:
        if self._base_font and self.font_size != self._base_font:
            self.font_size = self._base_font

    def _fit(self, *_args: Any) -> None:
        if self.auto_height:
            self.height = self.texture_size[1]
            return
        if self.height <= 1 or self.texture_size[1] <= self.height:
            return
        if self.font_size > self.min_font:
            ratio = (self.height / self.texture_size[1]) ** 0.5
            # Whole pixel sizes only: the text renderer keeps one font object per size.
            self.font_size = max(int(self.min_font),
                                 int(min(self.font_size - 1, self.font_size * ratio)))

    def on_height(self, *_args: Any) -> None:
        if self._base_font and not self.auto_height and self.font_size != self._base_font:
            # Room may have grown: start again from the designed size.
            self.font_size = self._base_font


def line_label(text: str = "", **kwargs: Any) -> Label:
    """One line that ends in "…" when it does not fit (names in lists)."""
    t = theme()
    kwargs.setdefault("font_size", t.font_body)
    kwargs.setdefault("color", t.palette.text)
    kwargs.setdefault("halign", "left")
    kwargs.setdefault("valign", "middle")
    label = Label(text=text, shorten=True, shorten_from="right", max_lines=1, **kwargs)
    label.bind(size=lambda w, s: setattr(w, "text_size", (max(s[0], 1), s[1])))
    return label


_STYLES = {
    # style: (background, pressed background, text colour, border)
    "primary": ("primary", "primary_pressed", "on_primary", None),
    "ok": ("ok", "primary_pressed", "on_primary", None),
    "danger": ("bad", "primary_pressed", "on_primary", None),
    "secondary": ("surface", "selected", "primary", "primary"),
    "quiet": ("neutral_soft", "selected", "text", None),
    "bar": ("bar", "primary_pressed", "on_primary", None),
}


class TouchButton(ButtonBehavior, Surface, BoxLayout):
    """A big button with an icon and a word. ``style``: primary, ok, danger, secondary, quiet."""

    text = StringProperty("")
    icon = StringProperty("")
    style = OptionProperty("primary", options=list(_STYLES))
    font_size = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", t.touch)
        kwargs.setdefault("radius", t.radius)
        kwargs.setdefault("padding", (t.pad, 0))
        kwargs.setdefault("spacing", t.gap)
        kwargs.setdefault("min_state_time", 0.05)
        super().__init__(**kwargs)
        self.init_surface()
        self.font_size = self.font_size or t.font_body
        self._icon = Icon(size_hint=(None, None), size=(t.touch * 0.42, t.touch * 0.42))
        self._label = FitLabel(text=self.text, font_size=self.font_size, bold=True,
                               halign="center")
        self._icon_box = BoxLayout(size_hint_x=None, width=self._icon.width)
        self._icon_box.add_widget(_centered(self._icon))
        if self.icon:
            self.add_widget(self._icon_box)
        self.add_widget(self._label)
        self.bind(text=self._sync, icon=self._sync, style=self._paint, state=self._paint,
                  disabled=self._paint)
        self._sync()

    def _sync(self, *_args: Any) -> None:
        self._label.text = self.text
        self._icon.name = self.icon or "info"
        has_icon = self._icon_box.parent is self
        if self.icon and not has_icon:
            self.add_widget(self._icon_box, index=len(self.children))
        elif not self.icon and has_icon:
            self.remove_widget(self._icon_box)
        self._label.halign = "left" if self.icon else "center"
        self._paint()

    def _paint(self, *_args: Any) -> None:
        p = theme().palette
        bg, pressed, fg, border = _STYLES[self.style]
        if self.disabled:
            self.bg, self.border = p.neutral_soft, p.border
            color: RGBA = p.disabled_text
        else:
            self.bg = getattr(p, pressed if self.state == "down" else bg)
            self.border = getattr(p, border) if border else (0, 0, 0, 0)
            color = getattr(p, fg)
        self._label.color = self._label.disabled_color = color
        self._icon.color = color


def _centered(widget: Widget) -> Widget:
    from kivy.uix.anchorlayout import AnchorLayout

    box = AnchorLayout(anchor_x="center", anchor_y="center")
    box.add_widget(widget)
    return box


class Tile(ButtonBehavior, Surface, BoxLayout):
    """A home-screen tile: a large icon, a title and one line that says what it is for."""

    def __init__(self, *, title: str, subtitle: str, icon: str, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("padding", (t.pad, t.gap))
        kwargs.setdefault("spacing", t.gap // 2)
        kwargs.setdefault("radius", t.radius * 2)
        super().__init__(bg=p.surface, border=p.border, **kwargs)
        self.init_surface()
        self.add_widget(Icon(name=icon, color=p.primary, size_hint_y=1.0,
                             max_side=t.touch * 1.25))
        self.add_widget(FitLabel(text=title, bold=True, font_size=t.font_large,
                                 halign="center", color=p.text, size_hint_y=0.7))
        if subtitle:
            self.add_widget(FitLabel(text=subtitle, font_size=t.font_small, halign="center",
                                     color=p.muted, size_hint_y=0.45))
        self.bind(state=self._press)

    def _press(self, *_args: Any) -> None:
        p = theme().palette
        self.bg = p.selected if self.state == "down" else p.surface


class Badge(Surface, BoxLayout):
    """A status chip: icon + word on a soft colour. ``kind``: ok, warn, bad, info, neutral.

    :meth:`set` changes it in place (list rows reuse their widgets).
    """

    def __init__(self, *, text: str = "", kind: str = "neutral", icon: str = "",
                 **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("size_hint", (None, None))
        kwargs.setdefault("height", round(t.font_small * 1.9))
        kwargs.setdefault("padding", (t.gap, 0))
        kwargs.setdefault("spacing", t.gap // 2)
        super().__init__(radius=kwargs["height"] / 2, **kwargs)
        self.init_surface()
        self._side = t.font_small * 1.05
        self._icon = Icon(size_hint=(None, None), size=(self._side, self._side))
        self._icon_box = _centered(self._icon)
        self._icon_box.size_hint_x, self._icon_box.width = None, self._side
        self._label = Label(bold=True, font_size=t.font_small, size_hint_x=None)
        self.add_widget(self._icon_box)
        self.add_widget(self._label)
        self.set(text, kind, icon)

    def set(self, text: str, kind: str = "neutral", icon: str = "") -> None:
        t = theme()
        strong, soft = t.palette.tone(kind)
        self.bg = soft
        self._label.text, self._label.color = text, strong
        self._label.texture_update()
        self._label.width = self._label.texture_size[0]
        self._icon.name, self._icon.color = icon or "info", strong
        self._icon_box.opacity = 1 if icon else 0
        self._icon_box.width = self._side if icon else 0
        self.width = self._label.width + (self._side + t.gap // 2 if icon else 0) + 2 * t.gap


class Notice(Surface, BoxLayout):
    """A message with its icon and tone: what happened, then the way out.

    As tall as its text (at least one touch target) unless a ``size_hint_y`` is given.
    """

    message = StringProperty("")

    def __init__(self, *, kind: str = "info", message: str = "", **kwargs: Any) -> None:
        t = theme()
        strong, soft = t.palette.tone(kind)
        kwargs.setdefault("padding", (t.pad, t.gap))
        kwargs.setdefault("spacing", t.pad)
        self._auto = "size_hint_y" not in kwargs
        if self._auto:
            kwargs["size_hint_y"] = None
        super().__init__(bg=soft, border=strong, radius=t.radius, message=message, **kwargs)
        self.init_surface()
        icon = {"ok": "ok_circle", "warn": "warning", "bad": "bad_circle"}.get(kind, "info")
        self._side = t.touch * 0.55
        box = BoxLayout(size_hint_x=None, width=self._side)
        box.add_widget(_centered(Icon(name=icon, color=strong, size_hint=(None, None),
                                      size=(self._side, self._side))))
        self.add_widget(box)
        self._label = FitLabel(text=message, color=t.palette.text)
        self.add_widget(self._label)
        self.bind(message=self._update, width=self._update)
        self._update()

    def _update(self, *_args: Any) -> None:
        t = theme()
        self._label.text = self.message
        if self._auto:
            inner = max(10.0, self.width - self._side - 3 * t.pad)
            self.height = max(t.touch, text_height(self.message, t.font_body, inner) + 2 * t.gap
                              + 6)


class NoticeSlot(BoxLayout):
    """A place for one :class:`Notice` at a time, as tall as the notice it shows."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", 0)
        super().__init__(**kwargs)

    def show(self, notice: Notice | None) -> None:
        self.clear_widgets()
        if notice is None:
            self.height = 0
            return
        self.add_widget(notice)
        self.height = notice.height
        notice.bind(height=self.setter("height"))


class Spacer(Widget):
    """Empty room that takes what is left in a box."""


class Selectable(ButtonBehavior, Surface, BoxLayout):
    """A list row that can be tapped; ``selected`` shows it highlighted and with a tick."""

    selected = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", t.touch)
        kwargs.setdefault("padding", (t.pad, 0))
        kwargs.setdefault("spacing", t.pad)
        super().__init__(bg=t.palette.surface, border=t.palette.border,
                         radius=t.radius, **kwargs)
        self.init_surface()
        self.bind(selected=self._paint, state=self._paint, disabled=self._paint)
        self._paint()

    def _paint(self, *_args: Any) -> None:
        p = theme().palette
        self.bg = p.selected if (self.selected or self.state == "down") else (
            p.neutral_soft if self.disabled else p.surface)
        self.border = p.primary if self.selected else p.border


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Width in pixels of ``text`` on one line (to size chips and columns)."""
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=text, font_size=font_size, bold=bold)
    label.refresh()
    return float(label.content_width)


def text_height(text: str, font_size: float, width: float, *, bold: bool = False) -> float:
    """Height in pixels of ``text`` wrapped in ``width``."""
    from kivy.core.text import Label as CoreLabel

    label = CoreLabel(text=text, font_size=font_size, bold=bold, text_size=(width, None))
    label.refresh()
    return float(label.content_height)


def later(callback: Any, delay: float = 0) -> None:
    """Run ``callback()`` on the UI thread after ``delay`` seconds."""
    Clock.schedule_once(lambda _dt: callback(), delay)
