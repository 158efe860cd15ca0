"""Autopilot scenarios for issue 16's photo booth, sheet review and USB copy.

- ``booth_photo``: the mirrored preview, the hint over the picture, the 3-2-1 countdown on
  Kivy's clock (a tap stops it, another starts it again), the sounds (silent without a sound
  device), the lost-camera banner below the face oval, and the check that catches text
  across the oval (shown on purpose with the banner moved over it);
- ``booth_review``: two sheets waiting, numbered "Hoja 1 de 2" / "Hoja 2 de 2", "Sí, salió
  bien" disabled until the sheet's picture is shown (the picture is held back on purpose),
  «Deshacer» of a confirmation, and «Deshacer» gone after its time on the clock;
- ``booth_usb``: a problem report copied onto the USB stick the test mounted.

What was seen goes into ``pilot.report.data["booth"]`` for ``tests/test_ui_photo_booth.py``.
"""

from __future__ import annotations

import threading
from typing import Any

from kiosk_pilot.autopilot import Pilot, Step, text_over_guides
from kiosk_pilot.scenarios import _screen, go_home, sign_in
from kiosk_pilot.scenarios_admin import _unplug_and_back
from station.ui.machine import State


def _booth(pilot: Pilot) -> dict[str, Any]:
    return pilot.report.data.setdefault("booth", {})


def booth_photo(pilot: Pilot) -> Step:
    from kivy.clock import Clock

    data = _booth(pilot)
    yield from sign_in(pilot)
    yield from pilot.tap("tile_roster")
    yield from pilot.until(lambda: pilot.state in ("roster", "schools"), "alumnos")
    if pilot.state == "schools":
        cct = pilot.config["cct"]
        yield from pilot.tap_payload("school_row", lambda p: p == cct, f"escuela {cct}")
    yield from pilot.at("roster")
    pilot.app.go(State.STUDENT, curp=pilot.config["no_photo"])
    yield from pilot.at("student")
    yield from pilot.tap("student_photo_take")
    yield from pilot.at("photo")
    screen = _screen(pilot, State.PHOTO)
    screen.paused = True  # no count yet: first the camera unplugged (a tap resumes, below)
    # The camera unplugged: the banner goes below the oval, never across it.
    yield from _unplug_and_back(pilot, State.PHOTO, "b1-foto-camara-desconectada",
                                "photo_notice")
    # The check itself catches text across the oval: the banner put back where it used to be.
    lost = screen.guide.lost
    lost.text, old_hint = "Cámara desconectada, reconectando…", dict(lost.pos_hint)
    lost.pos_hint = {"center_x": 0.5, "center_y": 0.5}
    yield from pilot.frames(3)
    data["overlap_caught"] = text_over_guides(pilot.app.manager.current_screen)
    lost.text, lost.pos_hint = "", old_hint
    screen.guide._layout()  # back below the oval
    yield from pilot.frames(3)
    # The countdown, watched on the clock.
    counts: list[tuple[str, float]] = []
    screen.guide.count.bind(text=lambda _w, v: counts.append((v, Clock.get_boottime())))
    guide = screen.guide
    data["paused_hint"] = pilot.text_of("photo_hint")
    yield from pilot.touch(*guide.to_window(*guide.center))  # a tap: counting may start
    yield from pilot.until(lambda: screen.guide.count.text == "3", "cuenta 3", 40)
    data["hint_while_counting"] = pilot.text_of("photo_hint")
    data["hint_over_picture"] = guide.hint.parent is guide
    image = guide.image
    w, h = image.norm_image_size
    x, y = image.to_window(image.center_x - w / 2, image.center_y - h / 2)
    data["preview_rect"] = [x, y, w, h]
    data["mirror"] = screen.feed.mirror
    # A tap on the picture stops the count; another lets it start again.
    yield from pilot.touch(*guide.to_window(*guide.center))
    yield from pilot.frames(2)
    data["after_tap"] = {"count": guide.count.text, "hint": pilot.text_of("photo_hint"),
                         "paused": screen.paused, "counting": screen.counting}
    yield from pilot.shot("b2-foto-cuenta-detenida")  # the live (mirrored) preview
    counts.append(("tap", Clock.get_boottime()))
    yield from pilot.touch(*guide.to_window(*guide.center))
    yield from pilot.until(lambda: pilot.find("photo_approve") is not None, "foto tomada", 60)
    data["counts"] = counts
    data["sounds"] = list(screen.chimes.played)
    data["audible"] = dict(screen.chimes.audible)
    yield from pilot.shot("b4-foto-revisar")
    yield from pilot.tap("photo_approve")
    yield from pilot.at("student")
    yield from go_home(pilot)


def booth_review(pilot: Pilot) -> Step:
    from station.services import preview
    from station.ui.screens import print_review

    data = _booth(pilot)
    gate = threading.Event()
    render = preview.render_sheet_file

    def held_back(*args: Any, **kwargs: Any) -> bytes:
        gate.wait(30)  # the sheet's picture arrives only when the test says so
        return render(*args, **kwargs)

    preview.render_sheet_file = held_back  # type: ignore[assignment]
    print_review.UNDO_S = 120.0  # first, time to look at it and use it
    try:
        yield from pilot.tap("tile_review")
        yield from pilot.at("print_review")
        review = _screen(pilot, State.PRINT_REVIEW)
        yield from pilot.frames(3)
        data["first"] = {"number": pilot.text_of("review_sheet"),
                         "good_disabled": pilot.find("review_good").disabled,
                         "picture": review.picture_of}
        yield from pilot.shot("b5-revisar-sin-imagen")
        gate.set()
        yield from pilot.until(lambda: not pilot.find("review_good").disabled, "imagen", 30)
        first = review.current.id
        data["first"]["enabled_with_picture"] = review.picture_of == first
        yield from pilot.tap("review_good")
        yield from pilot.until(lambda: review.current is not None and review.current.id != first,
                               "hoja 2")
        data["second"] = {"number": pilot.text_of("review_sheet"),
                          "undo": pilot.find("review_undo") is not None}
        yield from pilot.shot("b6-revisar-deshacer")
        yield from pilot.tap("review_undo")
        yield from pilot.until(lambda: review.current is not None and review.current.id == first,
                               "hoja 1 otra vez")
        data["after_undo"] = {"number": pilot.text_of("review_sheet"), "sheet": first,
                              "undo": pilot.find("review_undo") is not None}
        print_review.UNDO_S = 1.0  # then «Deshacer» expires on the clock
        offered = len(review.undo_offered)
        yield from pilot.tap("review_good")
        # Offered with the next sheet, then gone by itself (waiting for its absence: no race).
        yield from pilot.until(lambda: len(review.undo_offered) > offered
                               and review.undoable is None
                               and pilot.find("review_undo") is None, "deshacer vencido", 20)
        data["undo_expired"] = review.undo_offered[offered:] == [first]
        yield from pilot.tap("review_good")
        yield from pilot.until(lambda: pilot.find("review_done") is not None, "resumen")
        data["summary"] = pilot.text_of("review_done")
        yield from pilot.tap("review_finish")
        yield from pilot.at("home")
    finally:
        gate.set()
        preview.render_sheet_file = render  # type: ignore[assignment]


def booth_usb(pilot: Pilot) -> Step:
    data = _booth(pilot)
    yield from pilot.tap("tile_report")
    yield from pilot.at("report")
    yield from pilot.tap("category_impresora")
    yield from pilot.type_text("NO JALA")
    yield from pilot.tap("report_create")
    yield from pilot.until(lambda: pilot.find("report_usb") is not None, "reporte", 60)
    yield from pilot.tap("report_usb")
    yield from pilot.until(lambda: pilot.find("usb_copied_ok") is not None
                           or pilot.find("dialog_ok") is not None, "copiado", 30)
    data["usb_message"] = pilot.text_of("usb_copied_message") or pilot.text_of(
        "dialog_message")
    yield from pilot.shot("b7-reporte-copiado-usb")
    yield from pilot.tap("usb_copied_ok" if pilot.find("usb_copied_ok") else "dialog_ok")
    yield from pilot.tap("report_finish")
    yield from pilot.at("home")


def booth(pilot: Pilot) -> Step:
    import time

    for part in (booth_photo, booth_review, booth_usb):
        pilot.report.steps.append(f"== {part.__name__}")
        started = time.monotonic()
        yield from part(pilot)
        pilot.report.timings[part.__name__] = round(time.monotonic() - started, 2)
