"""The lifecycle rules in station/core, as pure functions: no file, no database, milliseconds."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foundation.errors import InputError, RuleViolation
from station.core.cycles import (
    NEED_WORDS,
    Cycle,
    Need,
    StudentFacts,
    check_advance,
    classify,
    need_words,
    parse_cycle,
)
from station.core.dates import parse_day, show_day
from station.core.holograms import (
    HologramRange,
    HologramUse,
    audit_holograms,
    check_apply,
    check_new_range,
    check_spoil,
    parse_range,
    parse_serial,
    range_of,
    run_of,
)
from station.core.replacement import (
    Reason,
    audit_receipts,
    check_receipt,
    check_replaceable,
    check_reportable,
    lost_reason,
    normalise_receipt,
    replaced_reason,
)
from station.core.requests import (
    CardRequest,
    DeclaredBy,
    check_decline,
    check_request,
    check_withdraw,
    unattended,
)

TODAY = date(2026, 9, 20)


# --- cycles ---------------------------------------------------------------------------------

def test_cycle_parses_and_only_the_next_one_follows() -> None:
    assert str(parse_cycle(" 2026 - 2027 ")) == "2026-2027"
    assert parse_cycle("2026/2027") == Cycle(2026)
    for bad in ("2026-2028", "2026", "26-27", "2027-2026"):
        with pytest.raises(InputError):
            parse_cycle(bad)
    check_advance(Cycle(2026), Cycle(2027))
    with pytest.raises(RuleViolation, match="el siguiente ciclo es 2027-2028"):
        check_advance(Cycle(2026), Cycle(2028))
    with pytest.raises(RuleViolation, match="el siguiente ciclo es 2027-2028"):
        check_advance(Cycle(2026), Cycle(2025))
    with pytest.raises(RuleViolation, match="ya es el ciclo vigente"):
        check_advance(Cycle(2026), Cycle(2026))


@pytest.mark.parametrize(("facts", "need"), [
    (StudentFacts(enrolled=False, has_card=False), None),
    (StudentFacts(enrolled=True, has_card=False), Need.CARD),
    (StudentFacts(enrolled=True, has_card=True), Need.HOLOGRAM),
    (StudentFacts(enrolled=True, has_card=True, hologram_this_cycle=True), Need.COMPLETE),
    (StudentFacts(enrolled=True, has_card=False, declined=True), Need.DECLINED),
    (StudentFacts(enrolled=True, has_card=True, declined=True), Need.DECLINED),
    (StudentFacts(enrolled=True, has_card=False, loss_unpaid=True), Need.RECEIPT),
    # a paid replacement prints a card even while the damaged one is still active
    (StudentFacts(enrolled=True, has_card=True, replacement_awaiting=True), Need.CARD),
    # a card of the school the student left names the wrong school (normativo 7), even with
    # this cycle's hologram and an old loss without receipt; a decline still stands
    (StudentFacts(enrolled=True, has_card=True, card_other_school=True), Need.CARD),
    (StudentFacts(enrolled=True, has_card=True, hologram_this_cycle=True,
                  card_other_school=True, loss_unpaid=True), Need.CARD),
    (StudentFacts(enrolled=True, has_card=True, card_other_school=True, declined=True),
     Need.DECLINED),
    (StudentFacts(enrolled=False, has_card=True, card_other_school=True), None),
])
def test_classify(facts: StudentFacts, need: Need | None) -> None:
    assert classify(facts) is need


@given(st.builds(StudentFacts, enrolled=st.just(True), has_card=st.booleans(),
                 hologram_this_cycle=st.booleans(), declined=st.booleans(),
                 replacement_awaiting=st.booleans(), loss_unpaid=st.booleans(),
                 card_other_school=st.booleans()))
def test_a_declined_student_is_never_pending(facts: StudentFacts) -> None:
    need = classify(facts)
    assert (need is Need.DECLINED) == facts.declined
    if need is Need.HOLOGRAM or need is Need.COMPLETE:  # only a card of their own school
        assert facts.has_card and not facts.card_other_school
    if need is Need.HOLOGRAM:
        assert not facts.hologram_this_cycle


def test_need_words_say_why_a_student_with_a_card_needs_another() -> None:
    assert need_words(Need.CARD, card_other_school=True) == (
        "cambió de escuela: necesita credencial de su nueva escuela")
    assert need_words(Need.CARD) == NEED_WORDS[Need.CARD] == "necesita credencial"
    assert need_words(Need.HOLOGRAM, card_other_school=True) == NEED_WORDS[Need.HOLOGRAM]


def test_dates_in_both_spellings_and_never_in_the_future() -> None:
    assert parse_day("03/09/2026", what="x", today=TODAY) == date(2026, 9, 3)
    assert parse_day("2026-09-03", what="x", today=TODAY) == date(2026, 9, 3)
    assert parse_day("", what="x", today=TODAY) == TODAY
    with pytest.raises(InputError, match="No se entiende la fecha del recibo"):
        parse_day("31/02/2026", what="la fecha del recibo", today=TODAY)
    with pytest.raises(InputError, match="posterior a hoy"):
        parse_day("21/09/2026", what="la fecha", today=TODAY)
    assert show_day("2026-09-03T10:00:00+00:00") == "03/09/2026"


# --- holograms ----------------------------------------------------------------------------

def test_serials_and_ranges() -> None:
    r = parse_range("h 000100", "H000199")
    assert (r.prefix, r.first, r.last, r.width, r.size) == ("H", 100, 199, 6, 100)
    assert r.holds(parse_serial("H000150")) and not r.holds(parse_serial("H00150"))
    with pytest.raises(InputError, match="mismo rollo"):
        parse_range("H000100", "X000199")
    with pytest.raises(InputError, match="al revés"):
        parse_range("H000199", "H000100")
    with pytest.raises(InputError, match="no parece"):
        parse_serial("holograma")
    assert [str(s) for s in run_of(parse_serial("H000198"), 3)] == [
        "H000198", "H000199", "H000200"]
    with pytest.raises(InputError, match="dígitos"):
        run_of(parse_serial("H998"), 3)


def test_a_range_is_received_once_and_a_serial_must_be_received() -> None:
    old = HologramRange("H", 100, 199, 6, "2026-2027", 1)
    check_new_range(HologramRange("H", 200, 299, 6), [old])
    check_new_range(HologramRange("J", 100, 199, 6), [old])
    with pytest.raises(RuleViolation, match="se enciman con el rango H000100–H000199"):
        check_new_range(HologramRange("H", 150, 250, 6), [old])
    assert range_of(parse_serial("H000150"), [old]) is old
    with pytest.raises(RuleViolation, match="no pertenece a ningún rango"):
        range_of(parse_serial("H000200"), [old])


def test_applying_a_hologram() -> None:
    ok = {"range_cycle": "2026-2027", "cycle": "2026-2027", "earlier_use": None,
          "student": "ANA", "folio": 7, "card_hologram": None}
    check_apply("H1", **ok)
    with pytest.raises(RuleViolation, match="ya se usó: se colocó"):
        check_apply("H1", **{**ok, "earlier_use": "se colocó el 01/09/2026 en …"})
    with pytest.raises(RuleViolation, match="no tiene credencial vigente"):
        check_apply("H1", **{**ok, "folio": None})
    with pytest.raises(RuleViolation, match="es del ciclo 2025-2026"):
        check_apply("H1", **{**ok, "range_cycle": "2025-2026"})
    with pytest.raises(RuleViolation, match="ya tiene el holograma H0"):
        check_apply("H1", **{**ok, "card_hologram": "H0"})
    with pytest.raises(InputError, match="motivo"):
        check_spoil("H1", earlier_use=None, reason=" ")


def test_hologram_audit_cross_checks_serials_and_supplies() -> None:
    ranges = [HologramRange("H", 100, 109, 6, "2026-2027", 1)]
    uses = [HologramUse("H000100", 1, "applied", "2026-2027", 1),
            HologramUse("H000101", 1, "spoiled", "2026-2027", None, "roto")]
    good = audit_holograms(ranges, uses, {1: 10}, 0)
    assert good.problems == [] and (good.received, good.applied, good.spoiled, good.stock) == (
        10, 1, 1, 8)
    bad = audit_holograms(
        ranges, [*uses, HologramUse("H000100", 1, "applied", "2026-2027", 2),
                 HologramUse("H000300", 1, "applied", "2026-2027", 3),
                 HologramUse("H000102", 1, "spoiled", "2026-2027", None, "")],
        {1: 9}, 5)
    text = "\n".join(bad.problems)
    for expected in ("H000100 se usó 2 veces", "H000300 no pertenece", "dañado sin motivo",
                     "registró 9 de entrada", "sin número de serie", "Existencia de hologramas"):
        assert expected in text


# --- loss and replacement ---------------------------------------------------------------

def test_receipts_are_required_normalised_and_used_once() -> None:
    assert normalise_receipt(" rec-2026/0012 ") == "REC20260012" == normalise_receipt(
        "REC 2026 0012")
    with pytest.raises(RuleViolation, match="requiere el recibo original"):
        normalise_receipt("  ")
    with pytest.raises(InputError, match="no es válida"):
        normalise_receipt("ab")
    check_receipt(TODAY, card_issued_on=date(2026, 9, 1), already_used_on=None, reference="R1")
    with pytest.raises(RuleViolation, match="ya se usó para otra reposición"):
        check_receipt(TODAY, card_issued_on=date(2026, 9, 1), already_used_on="2026-09-10",
                      reference="R1")
    with pytest.raises(RuleViolation, match="anterior a la expedición"):
        check_receipt(date(2026, 8, 1), card_issued_on=date(2026, 9, 1), already_used_on=None,
                      reference="R1")
    assert audit_receipts(["R0001", "R0002"]) == []
    problems = audit_receipts(["R0001", "r-0001"])
    assert "R0001 está registrado 2 veces" in problems[0]
    assert "«r-0001» no está escrito en forma normal" in problems[1]


def test_what_can_be_reported_and_replaced() -> None:
    check_reportable(5, "active", None)
    with pytest.raises(RuleViolation, match="ya está dada de baja: reportada"):
        check_reportable(5, "revoked", "reportada como extraviada el 01/09/2026")
    with pytest.raises(RuleViolation, match="planilla marcada como dañada"):
        check_reportable(5, "spoiled", "atasco")
    base = {"folio": 5, "status": "active", "status_reason": None, "report": None,
            "replaced_with_receipt": None}
    assert check_replaceable(**base, reason=Reason.DAMAGED) is Reason.DAMAGED
    lost = {**base, "status": "revoked", "report": Reason.STOLEN}
    assert check_replaceable(**lost, reason=Reason.LOST) is Reason.STOLEN
    with pytest.raises(RuleViolation, match="no por daño"):
        check_replaceable(**lost, reason=Reason.DAMAGED)
    with pytest.raises(RuleViolation, match="ya se tramitó"):
        check_replaceable(**{**base, "replaced_with_receipt": "R1"}, reason=Reason.DAMAGED)
    with pytest.raises(RuleViolation, match="no se puede reponer"):
        check_replaceable(**{**base, "status": "revoked"}, reason=Reason.DAMAGED)
    assert Reason.parse("Daño") is Reason.DAMAGED and Reason.parse("robo") is Reason.STOLEN
    words = lost_reason(Reason.LOST, date(2026, 9, 3))
    assert words == "reportada como extraviada el 03/09/2026"
    assert replaced_reason(words, Reason.LOST, 40) == f"{words}; reemplazada por el folio 40"
    assert "reposición por daño" in replaced_reason(None, Reason.DAMAGED, 40)


# --- declines and requests ----------------------------------------------------------------

def test_decline_and_request_rules() -> None:
    check_decline("ANA", None)
    with pytest.raises(RuleViolation, match="ya tiene registrada la renuncia"):
        check_decline("ANA", "2026-09-01")
    with pytest.raises(RuleViolation, match="no tiene una renuncia"):
        check_withdraw("ANA", None)
    with pytest.raises(RuleViolation, match="tiene registrada una renuncia") as refusal:
        check_request("ANA", "2026-09-01", None)
    assert "retire primero la renuncia" in refusal.value.user_message()
    with pytest.raises(RuleViolation, match="solicitud de credencial pendiente"):
        check_request("ANA", None, "2026-09-01")
    assert DeclaredBy.parse("Madre") is DeclaredBy.TUTOR
    with pytest.raises(InputError):
        DeclaredBy.parse("vecino")


def test_unattended_requests_after_n_days() -> None:
    reqs = [CardRequest(1, "A", "ANA", "X", date(2026, 9, 1), None),
            CardRequest(2, "B", "BETO", "X", date(2026, 9, 10), None),
            CardRequest(3, "C", "CARLA", "X", date(2026, 8, 1), date(2026, 8, 5)),
            CardRequest(4, "D", "DORA", "X", date(2026, 8, 20), None)]
    late = unattended(reqs, today=TODAY, days=10)
    assert [(u.request.name, u.days_waiting) for u in late] == [("DORA", 31), ("ANA", 19)]
    assert unattended(reqs, today=TODAY, days=19)[-1].request.name == "DORA"
