"""Scenarios the autopilot plays on the real kiosk (see :mod:`kiosk_pilot.autopilot`).

Each drives a whole flow by touch, takes a screenshot of every screen it passes (numbered in
the order of the tour), and puts what it saw in ``pilot.report.data`` for the test to check
against the ledger and the printer. ``pilot.config`` holds the test's facts (users and PINs,
the school, the camera files): see ``tests/plugin_ui.py``.
"""

from __future__ import annotations

import time
from typing import Any

from kiosk_pilot.autopilot import Pilot, Scenario, Step
from station.ui.machine import State


def _data(pilot: Pilot) -> dict[str, Any]:
    return pilot.report.data


def _screen(pilot: Pilot, state: State) -> Any:
    return pilot.app.screens[state]


def go_home(pilot: Pilot) -> Step:
    """Back along the path (or straight home) with the top bar, as a person would."""
    for _ in range(8):
        if pilot.state == "home":
            break
        kid = "bar_home" if pilot.find("bar_home") is not None else "bar_back"
        before = pilot.state
        yield from pilot.tap(kid)
        yield from pilot.left(before)  # the tap's move, however slow the machine
    yield from pilot.at("home")


def all_students(pilot: Pilot) -> Step:
    """From home: the roster of the test's school, every student listed."""
    yield from pilot.tap("tile_roster")
    yield from pick_school(pilot, "roster")
    yield from pilot.tap("filter_all")


def pick_school(pilot: Pilot, then: str, cct: str | None = None) -> Step:
    """On a station with several schools, the school list comes first: tap the test's (or
    ``cct``). Once chosen, a DRSE station keeps it; another one is picked from the roster's
    «Otra escuela»."""
    cct = cct or pilot.config["cct"]
    yield from pilot.until(lambda: pilot.state in (then, "schools"), f"{then} o escuelas")
    if pilot.state == then and pilot.app.session.cct not in (None, cct):
        yield from pilot.tap("change_school")
        yield from pilot.at("schools")
    elif pilot.state == "schools":  # a DRSE station asks only until a school is chosen
        _data(pilot).setdefault("school_asked_again", []).append(then)
    if pilot.state == "schools":
        yield from pilot.tap_payload("school_row", lambda p: p == cct, f"escuela {cct}")
    yield from pilot.at(then)


def sign_in(pilot: Pilot, who: str = "operator") -> Step:
    user: dict[str, Any] = pilot.config["users"][who]
    if pilot.app.machine.user is not None:
        yield from pilot.tap("bar_sign_out")
    yield from pilot.at("home")
    yield from pilot.tap("tile_sign_in")
    yield from pilot.at("sign_in")
    yield from pilot.tap(f"user_{user['id']}")
    yield from pilot.type_text(user["pin"], prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.app.machine.user is not None, "sesión iniciada")
    yield from pilot.at("home")


def signin_flow(pilot: Pilot) -> Step:
    """Home, the users, a wrong PIN, the right one, home with the operator's tiles."""
    yield from pilot.at("home")
    yield from pilot.shot("01-inicio")
    yield from pilot.tap("tile_sign_in")
    yield from pilot.at("sign_in")
    yield from pilot.shot("02-elegir-usuario")
    user = pilot.config["users"]["operator"]
    yield from pilot.tap(f"user_{user['id']}")
    yield from pilot.tap("pin_1")
    yield from pilot.tap("pin_1")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: "equivocado" in pilot.text_of("pin_message"),
                           "aviso de PIN equivocado")
    yield from pilot.shot("03-pin-equivocado")
    _data(pilot)["wrong_pin_message"] = pilot.text_of("pin_message")
    yield from pilot.type_text(user["pin"], prefix="pin")
    yield from pilot.tap("pin_enter")
    yield from pilot.until(lambda: pilot.app.machine.user is not None, "sesión iniciada")
    yield from pilot.at("home")
    yield from pilot.shot("04-inicio-operador")
    _data(pilot)["operator_tiles"] = sorted(str(getattr(w, "kid", "")) for w in
                                            _screen(pilot, State.HOME).tiles.children)


def roster_flow(pilot: Pilot) -> Step:
    """The roster: filters, a search typed on the keyboard, a refused selection (no photo)."""
    yield from pilot.tap("tile_roster")
    yield from pilot.until(lambda: pilot.state in ("roster", "schools"), "alumnos o escuelas")
    if pilot.state == "schools":
        yield from pilot.shot("05-elegir-escuela")
        cct = pilot.config["cct"]
        yield from pilot.tap_payload("school_row", lambda p: p == cct, f"escuela {cct}")
    yield from pilot.at("roster")
    yield from pilot.shot("05-alumnos-pendientes")
    yield from pilot.tap("filter_all")
    yield from pilot.shot("06-alumnos-todos")
    yield from roster_by_class(pilot)
    roster = _screen(pilot, State.ROSTER)
    target = roster.entries[3]
    from station.services.lookup import normalize

    typed = normalize(target.list_name.split()[0])[:4]
    yield from pilot.tap("search")
    yield from pilot.type_text(typed)
    yield from pilot.shot("07-buscar-con-teclado")
    _data(pilot)["search"] = {"typed": typed, "shown": [d["name"] for d in roster.list.data]}
    # Small letters one tap away; the accent key says what it is, armed or not.
    keys = ("key_shift", "key_A", "key_accent")
    before = [pilot.text_of(k) for k in keys]
    yield from pilot.tap("key_shift")
    yield from pilot.tap("key_accent")
    yield from pilot.until(lambda: pilot.text_of("key_A") == "a", "minúsculas")
    _data(pilot)["keyboard"] = {"before": before, "after": [pilot.text_of(k) for k in keys]}
    yield from pilot.tap("key_accent")
    yield from pilot.tap("key_shift")
    yield from pilot.tap("key_done")
    yield from pilot.tap("search_clear")
    yield from pilot.tap("filter_no_photo")
    no_photo = pilot.config["no_photo"]
    yield from pilot.tap_payload("row_check", lambda p: p == no_photo, "alumno sin foto")
    yield from pilot.tap("print_selected")
    yield from pilot.until(lambda: pilot.find("dialog_ok") is not None, "aviso de foto faltante")
    yield from pilot.shot("08-aviso-sin-foto")
    _data(pilot)["no_photo_message"] = pilot.text_of("dialog_message")
    yield from pilot.tap("dialog_ok")
    yield from pilot.at("roster")
    yield from partial_print(pilot, no_photo)
    yield from pilot.tap_payload("row_open", lambda p: p == no_photo, "abrir alumno")
    yield from pilot.at("student")
    yield from pilot.shot("09-alumno-sin-foto")
    yield from photo_flow(pilot)
    yield from pilot.tap("bar_back")
    yield from pilot.at("roster")
    yield from pilot.tap("filter_pending")


def _bounds(pilot: Pilot, kid: str) -> dict[str, Any]:
    from kivy.core.window import Window

    widget = pilot.find_all(kid)[0]
    x, y = widget.to_window(widget.x, widget.y)
    return {"kid": kid, "x": x, "y": y, "right": x + widget.width, "top": y + widget.height,
            "window": [Window.width, Window.height]}


def roster_by_class(pilot: Pilot) -> Step:
    """Every filter chip inside the window; a grade and a group chosen, every student they
    show ticked at once, then the ticks and the filters taken off again."""
    from station.services.lookup import FILTERS

    kids = [f"filter_{name}" for name in (*FILTERS, "grado", "grupo")]
    kids += ["select_shown", "change_school"]
    yield from pilot.until(lambda: all(pilot.find_all(k) for k in kids), "filtros")
    _data(pilot)["filter_bounds"] = [_bounds(pilot, k) for k in kids]
    roster = _screen(pilot, State.ROSTER)
    grado, grupo = roster.entries[-1].grado, roster.entries[-1].grupo
    yield from pilot.tap("filter_grado")
    yield from pilot.tap(f"grado_{grado}")
    yield from pilot.tap("filter_grupo")
    yield from pilot.tap(f"grupo_{grupo}")
    yield from pilot.until(lambda: roster.grupo == grupo, "grupo elegido")
    yield from pilot.tap("select_shown")
    yield from pilot.until(lambda: bool(roster.selected), "alumnos marcados")
    yield from pilot.shot("06b-alumnos-de-un-grupo")
    _data(pilot)["by_class"] = {
        "grado": grado, "grupo": grupo,
        "shown": [(e.grado, e.grupo) for e in roster._shown()],
        "selected": sorted(roster.selected), "shown_curps": sorted(e.curp for e in
                                                                   roster._shown()),
        "expected": sorted(e.curp for e in roster.entries
                           if (e.grado, e.grupo) == (grado, grupo))}
    yield from pilot.tap("select_shown")  # "Quitar las marcas"
    yield from pilot.until(lambda: not roster.selected, "marcas quitadas")
    yield from pilot.tap("filter_grado")
    yield from pilot.tap("grado_all")
    yield from pilot.until(lambda: roster.grado is None and roster.grupo is None, "todos")
    # The school stays chosen; the roster offers to change it.
    yield from pilot.tap("change_school")
    yield from pilot.at("schools")
    cct = pilot.config["cct"]
    yield from pilot.tap_payload("school_row", lambda p: p == cct, f"escuela {cct}")
    yield from pilot.at("roster")


def partial_print(pilot: Pilot, no_photo: str) -> Step:
    """A selection with a student without a photo: the others print, that one is named."""
    roster = _screen(pilot, State.ROSTER)
    yield from pilot.tap("filter_pending")  # the ready one near the top of the list
    ready = next(e for e in roster._shown() if e.has_photo)
    yield from pilot.tap_payload("row_check", lambda p: p == ready.curp, "alumno listo")
    yield from pilot.tap("print_selected")
    yield from pilot.until(lambda: pilot.find("partial_yes") is not None, "aviso parcial")
    yield from pilot.shot("08b-imprimir-los-listos")
    message = pilot.text_of("partial_message")
    yield from pilot.tap("partial_yes")
    yield from pilot.at("print_preview")
    _data(pilot)["partial"] = {"message": message, "ready": ready.curp,
                               "preview_curps": pilot.app.machine.params.get("curps")}
    yield from pilot.tap("bar_back")
    yield from pilot.at("roster")
    yield from pilot.tap_payload("row_check", lambda p: p == ready.curp, "quitar selección")
    yield from pilot.tap("filter_no_photo")
    yield from pilot.tap_payload("row_check", lambda p: p == no_photo, "quitar selección")
    yield from pilot.until(lambda: not roster.selected, "sin selección")


def photo_flow(pilot: Pilot) -> Step:
    """From the student without a photo: the camera (a video of someone posing), the hints,
    the countdown, the photo taken by itself, approved."""
    pilot.use_camera("posing")
    yield from pilot.tap("student_photo_take")
    yield from pilot.at("photo")
    yield from pilot.until(lambda: _screen(pilot, State.PHOTO).feed is not None and
                           _screen(pilot, State.PHOTO).feed.frames_shown > 3, "cámara", 20)
    hints: list[str] = []

    def hint_shown() -> bool:
        # Kept when seen: by the time a screenshot is saved the photo may already be taken.
        text = pilot.text_of("photo_hint")
        if text not in ("", "Encendiendo la cámara…"):
            hints.append(text)
        return bool(hints)

    yield from pilot.until(hint_shown, "indicación")
    _data(pilot)["photo_hints"] = hints[:1]
    yield from pilot.shot("09b-foto-indicaciones")
    yield from pilot.until(lambda: pilot.find("photo_approve") is not None, "foto tomada", 60)
    yield from pilot.shot("09c-foto-revisar")
    yield from pilot.tap("photo_approve")
    yield from pilot.at("student")
    yield from pilot.shot("09d-alumno-con-foto")


def print_flow(pilot: Pilot) -> Step:
    """Print every pending student with a photo, review, spoil one sheet, reprint it."""
    roster = _screen(pilot, State.ROSTER)
    ready = roster._ready()
    _data(pilot)["printed_curps"] = ready
    yield from pilot.tap("print_pending")
    yield from pilot.at("print_preview")
    yield from pilot.until(lambda: pilot.find("preview_print") is not None and
                           not pilot.find("preview_print").disabled, "vista previa lista", 60)
    preview = _screen(pilot, State.PRINT_PREVIEW)
    yield from pilot.until(lambda: 0 in preview.images, "imagen de la hoja 1", 30)
    yield from pilot.shot("10-vista-previa-hoja-1")
    yield from pilot.tap("preview_zoom")
    yield from pilot.until(lambda: pilot.find("preview_picture_close") is not None,
                           "hoja ampliada", 30)
    yield from pilot.shot("10b-hoja-ampliada")
    yield from pilot.tap("preview_picture_close")
    pages = len(preview.pages)
    _data(pilot)["preview"] = {"pages": pages, "summary": pilot.text_of("preview_summary"),
                               "detail": pilot.text_of("preview_detail")}
    if pages > 1:
        yield from pilot.tap("preview_next")
        yield from pilot.until(lambda: pages - 1 in preview.images or 1 in preview.images,
                               "imagen de la hoja 2", 30)
        yield from pilot.shot("11-vista-previa-hoja-2")
    yield from pilot.tap("preview_print")
    yield from pilot.until(lambda: pilot.find("confirm_print_yes") is not None, "confirmación")
    yield from pilot.shot("12-confirmar-impresion")
    yield from pilot.tap("confirm_print_yes")
    yield from pilot.at("print_progress")
    progress = _screen(pilot, State.PRINT_PROGRESS)
    yield from pilot.until(lambda: pilot.state != "print_progress" or (
        progress.job is not None and progress.job.fraction > 0.2), "avance", 60)
    if pilot.state == "print_progress":
        yield from pilot.shot("13-imprimiendo")
    yield from pilot.at("print_review", timeout_s=120)
    yield from pilot.until(lambda: _screen(pilot, State.PRINT_REVIEW).image.texture is not None,
                           "imagen de la hoja impresa", 30)
    yield from pilot.shot("14-revisar-hoja")
    sheets = [s.id for s in _screen(pilot, State.PRINT_REVIEW).sheets]
    _data(pilot)["produced_sheets"] = sheets
    review = _screen(pilot, State.PRINT_REVIEW)
    _data(pilot)["review_numbers"] = [pilot.text_of("review_sheet")]

    def showing(sheet_id: int) -> bool:
        return review.current is not None and review.current.id == sheet_id

    for sheet_id in sheets[:-1]:
        yield from pilot.until(lambda s=sheet_id: showing(s), f"hoja {sheet_id}")
        yield from pilot.tap("review_good")  # enabled once its picture is shown
    last = sheets[-1]
    yield from pilot.until(lambda: showing(last), f"hoja {last}")
    _data(pilot)["review_numbers"].append(pilot.text_of("review_sheet"))
    yield from pilot.tap("review_bad")
    yield from pilot.until(lambda: pilot.find("reason_0") is not None, "motivos")
    yield from pilot.shot("15-motivo-hoja-danada")
    yield from pilot.tap("reason_0")
    yield from pilot.until(lambda: pilot.find("review_reprint") is not None, "resumen")
    yield from pilot.shot("16-revision-terminada")
    _data(pilot)["spoiled_sheet"] = last
    yield from pilot.tap("review_reprint")
    yield from pilot.at("print_preview")
    yield from pilot.until(lambda: pilot.find("preview_print") is not None and
                           not pilot.find("preview_print").disabled, "vista previa", 60)
    yield from pilot.tap("preview_print")
    yield from pilot.tap("confirm_print_yes")
    yield from pilot.at("print_review", timeout_s=120)
    yield from pilot.until(lambda: pilot.find("review_good") is not None, "hoja reimpresa")
    _data(pilot)["reprinted_sheets"] = [s.id for s in _screen(pilot, State.PRINT_REVIEW).sheets]
    yield from pilot.tap("review_good")
    yield from pilot.until(lambda: pilot.find("review_finish") is not None, "fin de revisión")
    yield from pilot.tap("review_finish")
    yield from pilot.at("home")


def verify_flow(pilot: Pilot) -> Step:
    """The verify screen with nothing in sight; a valid card from the video camera, then a
    card of a spoiled sheet from a photo."""
    # The empty desk first: the screen waits, whatever the machine's speed, for its picture.
    pilot.use_camera("desk")
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify")
    yield from pilot.until(lambda: _screen(pilot, State.VERIFY).feed is not None and
                           _screen(pilot, State.VERIFY).feed.frames_shown > 2, "cámara", 20)
    yield from pilot.shot("17-verificar")
    yield from pilot.tap("verify_done")
    yield from pilot.at("home")
    pilot.use_camera("valid")
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify_result", timeout_s=30)
    yield from pilot.shot("18-credencial-valida")
    _data(pilot)["verdict_valid"] = {"headline": pilot.text_of("verdict_headline"),
                                     "facts": pilot.text_of("verdict_facts"),
                                     "photo": pilot.find("verdict_photo") is not None}
    # The test's second card: a photo of a card whose sheet was marked spoiled.
    pilot.use_camera("revoked")
    yield from pilot.tap("verdict_again")
    yield from pilot.at("verify_result", timeout_s=30)
    yield from pilot.shot("19-credencial-no-valida")
    _data(pilot)["verdict_revoked"] = {"headline": pilot.text_of("verdict_headline"),
                                       "reason": pilot.text_of("verdict_reason")}
    yield from pilot.tap("verdict_done")
    yield from pilot.at("home")


def settings_flow(pilot: Pilot) -> Step:
    """As the director: settings, the printer and a specimen, calibration, the camera."""
    yield from sign_in(pilot, "director")
    _data(pilot)["director_tiles"] = sorted(str(getattr(w, "kid", "")) for w in
                                            _screen(pilot, State.HOME).tiles.children)
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.shot("20-ajustes")
    yield from pilot.tap("settings_printer")
    yield from pilot.at("printer")
    yield from pilot.until(lambda: pilot.find("printer_notice") is not None, "estado", 30)
    yield from pilot.shot("21-impresora")
    _data(pilot)["printer_notice"] = pilot.text_of("printer_notice")
    yield from pilot.tap("printer_specimen")
    yield from pilot.until(lambda: pilot.find("specimen_done_ok") is not None,
                           "muestra impresa", 90)
    _data(pilot)["specimen_message"] = pilot.text_of("specimen_done_message")
    yield from pilot.tap("specimen_done_ok")
    yield from pilot.tap("bar_back")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_calibration")
    yield from pilot.at("calibration")
    yield from pilot.tap("nudge_dx_plus_0.1")
    yield from pilot.tap("nudge_dx_plus_1")
    yield from pilot.tap("nudge_dy_minus_0.1")
    yield from pilot.shot("22-calibracion")
    yield from pilot.tap("calibration_save")
    yield from pilot.until(lambda: pilot.find("calibration_saved_ok") is not None,
                           "calibración guardada")
    _data(pilot)["calibration_message"] = pilot.text_of("calibration_saved_message")
    yield from pilot.tap("calibration_saved_ok")
    yield from pilot.tap("bar_back")
    yield from pilot.at("settings")
    pilot.use_camera("desk")
    yield from pilot.tap("settings_camera")
    yield from pilot.at("camera")
    yield from pilot.until(lambda: pilot.find("camera_choice") is not None, "cámaras", 30)
    yield from pilot.until(lambda: _screen(pilot, State.CAMERA).feed is not None and
                           _screen(pilot, State.CAMERA).feed.frames_shown > 2, "vista", 20)
    yield from pilot.shot("23-camara")
    yield from pilot.tap("bar_back")
    yield from pilot.at("settings")
    yield from pilot.tap("bar_back")
    yield from pilot.at("home")


def supplies_flow(pilot: Pilot) -> Step:
    """Supplies: stock and ink, a roll of holograms and Teslin received, a resupply request."""
    yield from pilot.tap("tile_supplies")
    yield from pilot.at("supplies")
    yield from pilot.until(lambda: pilot.find("supplies_receive") is not None, "existencias", 30)
    yield from pilot.shot("24-insumos")
    yield from pilot.tap("supplies_receive")
    yield from pilot.tap("item_hologramas")
    yield from pilot.type_text("H000100")
    yield from pilot.tap("roll_first_save")
    yield from pilot.type_text("H000199")
    yield from pilot.shot("25-rollo-de-hologramas")
    yield from pilot.tap("roll_last_save")
    yield from pilot.until(lambda: pilot.find("supplies_receive") is not None, "existencias", 30)
    yield from pilot.tap("supplies_receive")
    yield from pilot.tap("item_teslin")
    yield from pilot.type_text("150", prefix="number")
    yield from pilot.shot("26-cantidad-recibida")
    yield from pilot.tap("number_enter")
    yield from pilot.type_text("REM 778")
    yield from pilot.tap("reference_save")
    yield from pilot.until(lambda: pilot.find("supplies_request") is not None, "existencias", 30)
    _data(pilot)["supplies_notice"] = pilot.text_of("supplies_notice")
    yield from pilot.tap("supplies_request")
    yield from pilot.until(lambda: pilot.find("request_print") is not None, "solicitud", 60)
    _data(pilot)["request_message"] = pilot.text_of("request_done_message")
    yield from pilot.tap("request_print")
    yield from pilot.until(lambda: pilot.find("request_printed_ok") is not None,
                           "solicitud impresa", 90)
    yield from pilot.tap("request_printed_ok")
    yield from go_home(pilot)


def holograms_flow(pilot: Pilot) -> Step:
    """Who needs the cycle's hologram: one serial typed for one card, then the rest in order."""
    yield from pilot.tap("tile_holograms")
    yield from pick_school(pilot, "holograms")
    yield from pilot.shot("27-hologramas")
    screen = _screen(pilot, State.HOLOGRAMS)
    first = screen.needing[0]
    _data(pilot)["holograms_needed"] = len(screen.needing)
    yield from pilot.tap_payload("holo_apply", lambda p: p == first.curp, "registrar holograma")
    yield from pilot.type_text("H000100")
    yield from pilot.shot("28-serie-del-holograma")
    yield from pilot.tap("serial_save")
    yield from pilot.until(lambda: pilot.find("holo_done_ok") is not None, "registrado")
    yield from pilot.tap("holo_done_ok")
    yield from pilot.tap("holo_bulk")
    yield from pilot.type_text("H000101")
    yield from pilot.tap("first_serial_save")
    # The list to stick them by: nothing is recorded until the operator confirms.
    yield from pilot.until(lambda: pilot.find("plan_all") is not None, "lista para pegar")
    yield from pilot.shot("28b-lista-para-pegar")
    plan = list(screen.rows)
    _data(pilot)["plan"] = {"order": [(r.grado, r.grupo, r.name) for r in plan],
                            "serials": [r.serial for r in plan],
                            "applied_before": _applied(pilot)}
    yield from pilot.tap("plan_print")
    yield from pilot.until(lambda: pilot.find("plan_printed_ok") is not None, "lista impresa",
                           90)
    yield from pilot.tap("plan_printed_ok")
    # The first one tears: recorded as spoiled, the student gets the next serial of the roll.
    yield from pilot.tap_payload("plan_other", lambda p: p == plan[0].curp, "otro")
    yield from pilot.tap("plan_spoil_0")
    yield from pilot.until(lambda: screen.rows and screen.rows[0].serial != plan[0].serial,
                           "siguiente holograma")
    _data(pilot)["plan"]["after_spoil"] = [r.serial for r in screen.rows]
    yield from pilot.tap_payload("plan_stuck", lambda p: p == plan[0].curp, "pegado")
    yield from pilot.until(lambda: all(r.curp != plan[0].curp for r in screen.rows), "uno")
    _data(pilot)["plan"]["applied_after_one"] = _applied(pilot)
    yield from pilot.tap("plan_all")
    yield from pilot.tap("plan_confirm_yes")
    yield from pilot.until(lambda: pilot.find("holo_bulk_done_ok") is not None, "asignados")
    _data(pilot)["holograms_bulk"] = pilot.text_of("holo_bulk_done_message")
    yield from pilot.tap("holo_bulk_done_ok")
    yield from pilot.until(lambda: pilot.find("holo_none") is not None, "lista vacía")
    yield from go_home(pilot)


def _applied(pilot: Pilot) -> list[tuple[str, str]]:
    with pilot.app.station.db.read() as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT serial, state FROM hologram_uses ORDER BY serial")]


def lifecycle_flow(pilot: Pilot) -> Step:
    """Trámites as the director: a decline, a loss report, a replacement with its receipt."""
    yield from all_students(pilot)
    roster = _screen(pilot, State.ROSTER)
    issued = [e for e in roster.entries if e.issued]
    lost = issued[0]
    _data(pilot)["lost_curp"] = lost.curp
    yield from pilot.tap_payload("row_open", lambda p: p == lost.curp, "alumno con credencial")
    yield from pilot.at("student")
    yield from pilot.shot("29-alumno")
    yield from pilot.tap("student_lifecycle")
    yield from pilot.at("lifecycle")
    yield from pilot.shot("30-tramites")
    yield from pilot.tap("life_loss")
    yield from pilot.tap("loss_lost")
    yield from pilot.until(lambda: pilot.find("life_done") is not None, "extravío registrado")
    _data(pilot)["loss_message"] = pilot.text_of("life_done")
    yield from pilot.tap("life_replacement")
    yield from pilot.tap("reason_lost")
    yield from pilot.type_text("A123456")
    yield from pilot.tap("receipt_save")
    yield from pilot.tap("receipt_month_minus")  # last month, then back: the card is today's
    yield from pilot.until(lambda: pilot.find("receipt_month_plus") is not None and
                           not pilot.find("receipt_month_plus").disabled, "mes anterior")
    yield from pilot.shot("31-fecha-del-recibo")
    _data(pilot)["receipt_month_before"] = pilot.text_of("receipt_day")
    _data(pilot)["today"] = pilot.app.station.today().isoformat()
    yield from pilot.tap("receipt_month_plus")
    yield from pilot.until(lambda: pilot.find("receipt_month_plus").disabled, "hoy")
    yield from pilot.tap("receipt_save")
    yield from pilot.until(lambda: pilot.find("life_done") is not None, "reposición registrada")
    _data(pilot)["replacement_message"] = pilot.text_of("life_done")
    yield from pilot.shot("32-reposicion-registrada")
    # The family now says they do not want it: decline, then they change their mind.
    yield from pilot.tap("life_decline")
    yield from pilot.tap("who_tutor")
    yield from pilot.until(lambda: pilot.find("life_withdraw") is not None, "renuncia")
    _data(pilot)["decline_message"] = pilot.text_of("life_done")
    yield from pilot.tap("life_withdraw")
    yield from pilot.until(lambda: pilot.find("life_decline") is not None, "renuncia retirada")
    _data(pilot)["withdraw_message"] = pilot.text_of("life_done")
    yield from go_home(pilot)


def sync_flow(pilot: Pilot) -> Step:
    yield from pilot.tap("tile_settings")
    yield from pilot.at("settings")
    yield from pilot.tap("settings_sync")
    yield from pilot.at("sync")
    yield from pilot.shot("33-sincronizacion")
    _data(pilot)["sync_notice"] = pilot.text_of("sync_notice")
    yield from go_home(pilot)


def report_flow(pilot: Pilot) -> Step:
    """A problem report with a few words typed on the keyboard."""
    yield from pilot.tap("tile_report")
    yield from pilot.at("report")
    yield from pilot.shot("34-reportar")
    yield from pilot.tap("category_impresora")
    yield from pilot.type_text("NO JALA EL PAPEL")
    yield from pilot.shot("35-describir-problema")
    yield from pilot.tap("report_create")
    yield from pilot.until(lambda: pilot.find("report_done") is not None, "reporte", 60)
    yield from pilot.shot("36-reporte-guardado")
    _data(pilot)["report_message"] = pilot.text_of("report_done")
    yield from pilot.tap("report_finish")
    yield from pilot.at("home")


def failsafe_flow(pilot: Pilot) -> Step:
    """A handler that raises (a test fault bound to a real button): the failsafe, then home."""
    def broken_handler(*_args: Any) -> None:
        raise RuntimeError("falla de prueba con CURP GOXL150826HJCNXNC2")

    # A camera with no card in sight: with the valid card's video still playing, a slow
    # machine read the card and left the verify screen before the faulty button was tapped.
    pilot.use_camera("desk")
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify")
    button = pilot.find("verify_done")
    assert button is not None
    button.fbind("on_release", broken_handler)
    yield from pilot.tap("verify_done")
    yield from pilot.at("failsafe")
    yield from pilot.shot("37-algo-salio-mal")
    _data(pilot)["failsafe_reference"] = pilot.text_of("failsafe_reference")
    button.funbind("on_release", broken_handler)
    yield from pilot.tap("failsafe_home")
    yield from pilot.at("home")
    _data(pilot)["after_failsafe_user"] = getattr(pilot.app.machine.user, "name", None)


def idle_flow(pilot: Pilot) -> Step:
    """No touch for the idle time: signed out and back home."""
    yield from sign_in(pilot, "operator")
    pilot.use_camera("desk")  # nothing to read: the verify screen waits for the idle time
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify")
    pilot.app.station.settings["kiosk.idle_timeout_s"] = 2.0  # instead of minutes
    yield from pilot.until(lambda: pilot.app.machine.user is None and pilot.state == "home",
                           "cierre por inactividad", 15)
    yield from pilot.until(lambda: pilot.text_of("home_greeting") != "", "saludo")
    _data(pilot)["idle_signed_out"] = pilot.app.machine.user is None
    _data(pilot)["idle_greeting"] = pilot.text_of("home_greeting")
    yield from pilot.shot("38-sesion-cerrada")


def tour(pilot: Pilot) -> Step:
    from kiosk_pilot import scenarios_admin as more

    for part in (signin_flow, roster_flow, print_flow, verify_flow, more.camera_lost_flow,
                 settings_flow, more.printer_list_flow, supplies_flow, holograms_flow,
                 lifecycle_flow, sync_flow, report_flow, failsafe_flow, idle_flow,
                 more.users_flow, more.hologram_spoiled_flow, more.school_report_flow):
        pilot.report.steps.append(f"== {part.__name__}")
        started = time.monotonic()
        yield from part(pilot)
        pilot.report.timings[part.__name__] = round(time.monotonic() - started, 2)


def director_lifecycle(pilot: Pilot) -> Step:
    """The trámites on their own (for trying the screen): the director signs in first."""
    yield from sign_in(pilot, "director")
    yield from lifecycle_flow(pilot)


def smoke(pilot: Pilot) -> Step:
    yield from signin_flow(pilot)


SCENARIOS: dict[str, Scenario] = {
    "tour": tour, "smoke": smoke, "signin": signin_flow, "roster": roster_flow,
    "print": print_flow, "verify": verify_flow, "settings": settings_flow,
    "report": report_flow, "failsafe": failsafe_flow, "idle": idle_flow,
    "supplies": supplies_flow, "holograms": holograms_flow, "lifecycle": lifecycle_flow,
    "sync": sync_flow, "photo": photo_flow, "director_lifecycle": director_lifecycle,
}


def _bench() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_bench

    return {"startup": scenarios_bench.startup, "session200": scenarios_bench.session200,
            "preview_fps": scenarios_bench.preview_fps}


def _admin() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_admin as more

    return {"camera_lost": more.camera_lost_flow, "printer_list": more.printer_list_flow,
            "users": more.users_flow, "hologram_spoiled": more.hologram_spoiled_flow,
            "school_report": more.school_report_flow, "admin": more.admin_tour}


def _sync() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_sync

    return {"sync_news": scenarios_sync.sync_news_flow}


def _setup() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_setup

    return {"setup_enroll": scenarios_setup.setup_enroll_flow,
            "setup_offline": scenarios_setup.setup_offline_flow}


def _booth() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_booth

    return {"booth": scenarios_booth.booth}


SCENARIOS.update(_bench())
SCENARIOS.update(_booth())
SCENARIOS.update(_setup())
SCENARIOS.update(_admin())
SCENARIOS.update(_sync())


def _printer() -> dict[str, Scenario]:
    from kiosk_pilot import scenarios_printer

    return {"printer_trouble": scenarios_printer.printer_trouble_flow}


SCENARIOS.update(_printer())
