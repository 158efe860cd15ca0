"""Typing without a keyboard: an on-screen Spanish keyboard, a PIN pad and a search field.

The system's virtual keyboard is not used: ours has keys of at least 9 mm, the letters Ñ and
Ü, an accent key that says what it does, capitals and small letters, and no key that could
leave the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from station.ui.i18n import _
from station.ui.icons import Icon
from station.ui.widgets import FitLabel, Surface, TouchButton, _centered, theme

LETTER_ROWS = ("QWERTYUIOP", "ASDFGHJKLÑ", "ZXCVBNMÜ")
DIGIT_ROW = "1234567890"
ACCENTED = str.maketrans("AEIOUaeiou", "ÁÉÍÓÚáéíóú")
"""The accent key (´) marks the next vowel: SOFÍA, RAMÍREZ, JOSÉ on a touchscreen."""


class Key(TouchButton):
    """One key; its ``kid`` is ``key_<char>`` (``key_space``, ``key_back``...)."""


class OnScreenKeyboard(BoxLayout):
    """Letters (capitals first: names in SCEJAL are upper case; «abc» switches to small
    letters), optional digits, space, erase, the accent key.

    Calls ``on_key(char)`` for a character, ``on_key("\\b")`` to erase, ``on_done()`` for the
    hide key — left out (``done=False``) where the form has its own Save button: one way to
    confirm, not two.
    """

    def __init__(self, *, on_key: Callable[[str], None], on_done: Callable[[], None],
                 digits: bool = False, extra: str = "", done: bool = True,
                 **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", max(3, t.gap // 2))
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self._on_key, self._on_done = on_key, on_done
        self._accent = False
        self._lower = False
        self._letters: list[Key] = []
        rows = ([DIGIT_ROW] if digits else []) + list(LETTER_ROWS)
        if extra:
            rows[-1] = rows[-1] + extra
        key_h = max(t.touch * 0.86, t.touch - 6) if t.compact else t.touch
        key_h = max(key_h, round(t.dpi * 9 / 25.4))
        for row in rows:
            line = BoxLayout(spacing=self.spacing, size_hint_y=None, height=key_h)
            for char in row:
                line.add_widget(self._key(char, char, f"key_{char}", key_h))
            if row is rows[-1]:
                back = Key(icon="backspace", text="", style="secondary", kid="key_back",
                           height=key_h, size_hint_x=1.6)
                back.bind(on_release=lambda *_: self._on_key("\b"))
                line.add_widget(back)
            self.add_widget(line)
        bottom = BoxLayout(spacing=self.spacing, size_hint_y=None, height=key_h)
        self.shift = Key(text="abc", style="secondary", kid="key_shift", height=key_h,
                         size_hint_x=1.4)
        self.shift.bind(on_release=lambda *_: self._set_lower(not self._lower))
        bottom.add_widget(self.shift)
        # Drawn like a key that matters (outlined, with its word): the bare ´ was overlooked.
        self.accent = Key(text=_("´ acento"), style="secondary", kid="key_accent", height=key_h,
                          size_hint_x=1.8)
        self.accent.bind(on_release=lambda *_: self._arm_accent(not self._accent))
        bottom.add_widget(self.accent)
        space = Key(text=_("espacio"), style="secondary", kid="key_space", height=key_h,
                    size_hint_x=4 if done else 5.4)
        space.bind(on_release=lambda *_: self._on_key(" "))
        bottom.add_widget(space)
        if done:
            done_key = Key(text=_("Listo"), icon="check", style="primary", kid="key_done",
                           height=key_h, size_hint_x=2)
            done_key.bind(on_release=lambda *_: self._on_done())
            bottom.add_widget(done_key)
        self.add_widget(bottom)
        self._arm_accent(False)
        self.height = (len(rows) + 1) * key_h + len(rows) * self.spacing

    def _key(self, label: str, char: str, kid: str, height: float) -> Key:
        key = Key(text=label, style="secondary", kid=kid, height=height, padding=(0, 0))
        key.bind(on_release=lambda *_: self._type(char.lower() if self._lower else char))
        if char.isalpha():
            self._letters.append(key)
        return key

    def _set_lower(self, lower: bool) -> None:
        """Small letters or capitals; the key names what it switches to."""
        self._lower = lower
        self.shift.text = "ABC" if lower else "abc"
        for key in self._letters:
            key.text = key.text.lower() if lower else key.text.upper()

    def _arm_accent(self, armed: bool) -> None:
        self._accent = armed
        # Armed, it says so in words and in the key's colour: the next vowel gets the accent.
        self.accent.style = "primary" if armed else "secondary"
        self.accent.text = _("á é í ó ú") if armed else _("´ acento")

    def _type(self, char: str) -> None:
        if self._accent:
            char = char.translate(ACCENTED)  # a consonant after ´ stays as it is
            self._arm_accent(False)
        self._on_key(char)


class SearchField(ButtonBehavior, Surface, BoxLayout):
    """A text box filled by the on-screen keyboard: tap it to type, ✕ to clear."""

    text = StringProperty("")
    hint = StringProperty("")
    icon = StringProperty("search")
    active = BooleanProperty(False)
    max_length = NumericProperty(40)

    def __init__(self, **kwargs: Any) -> None:
        t = theme()
        p = t.palette
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", t.touch)
        kwargs.setdefault("padding", (t.pad, 0))
        kwargs.setdefault("spacing", t.gap)
        kwargs.setdefault("kid", "search")
        super().__init__(bg=p.surface, border=p.border, radius=t.radius, **kwargs)
        self.init_surface()
        side = t.touch * 0.45
        icon_box = BoxLayout(size_hint_x=None, width=side)
        icon_box.add_widget(_centered(Icon(name=self.icon, color=p.muted,
                                           size_hint=(None, None), size=(side, side))))
        self.add_widget(icon_box)
        self._label = FitLabel(text=self.hint, color=p.muted)
        self.add_widget(self._label)
        self._clear = TouchButton(icon="cross", text="", style="quiet", kid=f"{self.kid}_clear",
                                  size_hint_x=None, width=t.touch, height=t.touch)
        self._clear.bind(on_release=lambda *_: setattr(self, "text", ""))
        self.bind(text=self._show, active=self._show, hint=self._show)
        self._show()

    def type(self, char: str) -> None:
        if char == "\b":
            self.text = self.text[:-1]
        elif len(self.text) < self.max_length:
            self.text += char

    def _show(self, *_args: Any) -> None:
        p = theme().palette
        cursor = "|" if self.active else ""
        self._label.text = (self.text + cursor) if (self.text or self.active) else self.hint
        self._label.color = p.text if self.text else p.muted
        self.border = p.primary if self.active else p.border
        if self.text and self._clear.parent is None:
            self.add_widget(self._clear)
        elif not self.text and self._clear.parent is self:
            self.remove_widget(self._clear)


def digit_grid(kid: str, *, on_digit: Callable[[str], None], on_erase: Callable[[], None],
               enter_text: str, on_enter: Callable[[], None]) -> GridLayout:
    """The 3×4 pad of :class:`PinPad` and :class:`NumberPad`: 1–9, erase, 0, enter.

    Keys are ``<kid>_<digit>``, ``<kid>_back`` and ``<kid>_enter`` for the autopilot.
    """
    t = theme()
    grid = GridLayout(cols=3, spacing=t.gap)

    def digit(char: str) -> Key:
        key = Key(text=char, style="secondary", kid=f"{kid}_{char}", size_hint_y=1,
                  height=t.touch, font_size=t.font_title)
        key.bind(on_release=lambda *_: on_digit(char))
        return key

    for char in "123456789":
        grid.add_widget(digit(char))
    erase = Key(icon="backspace", text="", style="secondary", kid=f"{kid}_back",
                size_hint_y=1, height=t.touch)
    erase.bind(on_release=lambda *_: on_erase())
    grid.add_widget(erase)
    grid.add_widget(digit("0"))
    enter = Key(icon="check", text=enter_text, style="primary", kid=f"{kid}_enter",
                size_hint_y=1, height=t.touch)
    enter.bind(on_release=lambda *_: on_enter())
    grid.add_widget(enter)
    return grid


class PinPad(BoxLayout):
    """Dots for the digits typed, and a 3×4 pad: 1–9, erase, 0, enter.

    Calls ``on_enter(pin)``; :meth:`clear` empties it. The digits are never shown.
    """

    def __init__(self, *, on_enter: Callable[[str], None], max_digits: int = 8,
                 **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", t.gap)
        super().__init__(**kwargs)
        self._pin = ""
        self._max = max_digits
        self._on_enter = on_enter
        self._dots = FitLabel(text="", font_size=t.font_title, halign="center",
                              size_hint_y=None, height=t.touch * 0.8, kid="pin_dots",
                              font_name="DejaVuSans")
        self.add_widget(self._dots)
        self.add_widget(digit_grid("pin", on_digit=self._add, on_erase=self._erase,
                                   enter_text=_("Entrar"),
                                   on_enter=lambda: self._on_enter(self._pin)))
        self._show()

    @property
    def pin(self) -> str:
        return self._pin

    def clear(self) -> None:
        self._pin = ""
        self._show()

    def _add(self, char: str) -> None:
        if len(self._pin) < self._max:
            self._pin += char
            self._show()

    def _erase(self) -> None:
        self._pin = self._pin[:-1]
        self._show()

    def _show(self) -> None:
        self._dots.text = " ".join("●" for _ in self._pin) if self._pin else _("Escriba su PIN")


class NumberPad(BoxLayout):
    """A number shown as typed, a 3×4 pad (1–9, erase, 0, OK): quantities, not PINs."""

    def __init__(self, *, on_enter: Callable[[int], None], max_digits: int = 6,
                 ok_text: str = "", **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", t.gap)
        super().__init__(**kwargs)
        self._digits = ""
        self._max = max_digits
        self._on_enter = on_enter
        self._shown = FitLabel(text="0", font_size=t.font_title, bold=True, halign="center",
                               size_hint_y=None, height=t.touch * 0.8, kid="number_value")
        self.add_widget(self._shown)
        self.add_widget(digit_grid(
            "number", on_digit=lambda char: self._set(self._digits + char),
            on_erase=lambda: self._set(self._digits[:-1]), enter_text=ok_text or _("Aceptar"),
            on_enter=lambda: self._on_enter(int(self._digits or 0))))

    def _set(self, digits: str) -> None:
        self._digits = digits.lstrip("0")[: self._max]
        self._shown.text = self._digits or "0"


class TextForm(BoxLayout):
    """A question, a field filled by the on-screen keyboard, and Cancel / Save."""

    def __init__(self, *, prompt: str, hint: str, on_save: Callable[[str], None],
                 on_cancel: Callable[[], None], icon: str = "keyboard", digits: bool = True,
                 extra: str = "", save_text: str = "", kid: str = "form",
                 max_length: int = 40, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", t.gap)
        super().__init__(**kwargs)
        self.add_widget(FitLabel(text=prompt, bold=True, size_hint_y=None,
                                 height=t.touch * 0.7, kid=f"{kid}_prompt"))
        self.field = SearchField(hint=hint, kid=f"{kid}_field", active=True, icon=icon,
                                 max_length=max_length)
        cancel = TouchButton(text=_("Cancelar"), icon="cross", style="secondary",
                             kid=f"{kid}_cancel", size_hint_x=0.32)
        cancel.bind(on_release=lambda *_: on_cancel())
        save = TouchButton(text=save_text or _("Guardar"), icon="check", kid=f"{kid}_save",
                           size_hint_x=0.32)
        save.bind(on_release=lambda *_: on_save(self.field.text.strip()))
        line = BoxLayout(size_hint_y=None, height=t.touch, spacing=t.gap)
        for widget in (self.field, cancel, save):
            line.add_widget(widget)
        self.add_widget(line)
        self.add_widget(OnScreenKeyboard(on_key=self.field.type, digits=digits, extra=extra,
                                         done=False,  # «Guardar» above is the one confirm
                                         on_done=lambda: on_save(self.field.text.strip())))
        self.add_widget(BoxLayout())
