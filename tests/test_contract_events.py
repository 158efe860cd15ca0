"""The typed station–central contract: every event kind round-trips, and bad ones are refused.

``QUEUED`` holds one payload per kind exactly as the station wrote it to its outbox before the
events were typed (the dicts of the landed code): stations in the field hold such rows, and
central must parse them and store them byte for byte (the digest that detects a rewritten
past is computed over the stored text).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from foundation.contract import events
from foundation.contract.events import BY_KIND, EventBatch, parse_payload

ROOT = Path(__file__).resolve().parents[1]
CURP = "GOXL150826HJCNXNC2"
KEY = "0123456789abcdef"
DAY = "2026-09-01"

QUEUED: dict[str, dict[str, Any]] = {
    "sheet_issued": {"sheet": 3, "cct": "14DPR2207Z", "issued_on": DAY, "key_id": KEY,
                     "reprint_of": None, "cards": [{"folio": 1000001, "curp": CURP}],
                     "cancelled": [1000002, None]},
    "sheet_sent": {"sheet": 3, "printer": "Credenciales", "job": 17},
    "sheet_confirmed": {"sheet": 3},
    "sheet_spoiled": {"sheet": 3, "reason": "atasco de papel"},
    "sheet_confirmation_undone": {"sheet": 3},
    "card_revoked": {"folio": 1000001, "key_id": KEY, "cause": "replaced",
                     "reason": "reemplazada por cambio de escuela: folio 1000009",
                     "replaced_by": 1000009, "old_cct": "14DPR2207Z", "new_cct": "14DPR0001A"},
    "card_revoked_by_central": {"folio": 1000001, "cause": "staff", "reason": "alterada"},
    "card_reported_lost": {"folio": 1000001, "curp": CURP, "kind": "lost", "on": DAY,
                           "taken_by": "Directora Ana"},
    "photo_linked": {"curp": CURP, "photo_hash": "a" * 64},
    "printer_calibrated": {"printer": "Credenciales", "dx_mm": 0.5, "dy_mm": 0, "scale": 1.0},
    "folio_block_received": {"first": 1000000, "last": 1000999, "source": "central"},
    "folio_block_closed": {"first": 1, "last": 500, "used": 12},
    "roster_imported": {"schools_added": 1, "schools_updated": 0, "students_added": 30,
                        "students_updated": 2, "students_withdrawn": 1},
    "students_out_of_scope": {"why": "cambio de escuela", "count": 1, "curps": [CURP]},
    "station_enrolled": {"station_id": "EST-00001", "central": "https://central.example"},
    "config_applied": {"version": 4, "changed": ["fees.replacement_mxn"], "reset": [],
                       "refused": ["printer.queue"]},
    "cycle_advanced": {"cycle": "2027-2028", "previous": "2026-2027", "taken_by": "Admin"},
    "kiosk_user_added": {"user": 2, "name": "Luis", "role": "operator"},
    "kiosk_user_enabled": {"user": 2},
    "kiosk_user_disabled": {"user": 2},
    "kiosk_user_pin_changed": {"user": 2},
    "kiosk_user_locked": {"user": 2},
    "card_requested": {"curp": CURP, "requested_on": DAY, "requested_by": "madre",
                       "taken_by": "Luis"},
    "card_declined": {"curp": CURP, "declined_on": DAY, "declared_by": "padre",
                      "taken_by": "Directora Ana"},
    "card_decline_withdrawn": {"curp": CURP, "withdrawn_on": DAY, "taken_by": "Directora Ana"},
    "replacement_paid": {"curp": CURP, "old_folio": 1000001, "reason": "lost",
                         "receipt": "REC-77", "receipt_date": DAY, "fee_mxn": 28,
                         "taken_by": "Directora Ana"},
    "replacement_issued": {"curp": CURP, "old_folio": 1000001, "new_folio": 1000009,
                           "reason": "lost", "receipt": "REC-77", "issued_on": DAY},
    "hologram_range_received": {"range": 1, "cycle": "2026-2027", "first": "H26-000001",
                                "last": "H26-000500", "count": 500, "reference": "oficio 12",
                                "received_on": DAY},
    "hologram_applied": {"serial": "H26-000123", "curp": CURP, "folio": 1000001,
                         "cycle": "2026-2027", "on": DAY},
    "hologram_spoiled": {"serial": "H26-000124", "cycle": "2026-2027", "reason": "roto",
                         "on": DAY},
    "delivery_created": {"delivery": 1, "cct": "14DPR2207Z", "cycle": "2026-2027",
                         "cards": [1000001], "holograms": ["H26-000123"]},
    "delivery_closed": {"delivery": 1, "received_by": "Directora Ana", "received_on": DAY,
                        "scan": None},
    "supplies_received": {"item": "teslin", "quantity": 50, "reference": "", "on": DAY},
    "supplies_adjusted": {"item": "micas", "quantity": -3, "reason": "dañadas", "on": DAY},
    "supplies_requested": {
        "request": 1, "date": DAY, "station": "EST-00001", "station_kind": "escuela",
        "requested_by": "Directora Ana", "cycle": "2026-2027",
        "usage": {"from": None, "to": "2026-09-01T10:00:00+00:00", "sheets_printed": 2,
                  "cards_issued": 16, "replacements": 0, "blanks_cancelled": 0,
                  "sheets_spoiled": 0, "cards_spoiled": 0, "holograms_applied": 16,
                  "holograms_spoiled": 0,
                  "adjustments": [{"item": "micas", "quantity": -3, "reason": "dañadas"}]},
        "stock": {"teslin": 4, "micas": -2}, "pending": {"cards": 30, "holograms": 5},
        "requested": {"teslin": 5}, "warnings": ["Quedan pocas micas."],
        "director": "Ana", "ink": [{"name": "Negro", "level": 40}, {"name": "Cian",
                                                                    "level": None}]},
    "prior_card_registered": {"folio": 1520, "curp": CURP, "cct": "14DPR2207Z",
                              "issued_on": DAY, "taken_by": "Directora Ana"},
    "support_question_asked": {"question": 1, "text": "¿Cuándo llegan los hologramas?",
                               "asked_by": "Directora Ana", "on": DAY},
    "student_data_purged": {"reason": "retention", "cct": "14DPR2207Z", "digest": "ab" * 32,
                            "folios": [1520], "photos": 1, "print_files": 0, "on": DAY},
}
OLDEST_ROWS = {  # shapes central has always accepted with defaults
    "sheet_issued": {"sheet": 1, "cct": "14DPR2207Z", "issued_on": DAY,
                     "cards": [{"folio": 7, "curp": CURP}]},
    "card_revoked": {"folio": 7},
    "hologram_applied": {"serial": "H26-000001", "curp": CURP, "cycle": "2026-2027"},
    "sheet_spoiled": {"sheet": 1},
}


def _envelope(kind: str, payload: dict[str, Any], seq: int = 1) -> dict[str, Any]:
    return {"seq": seq, "prev_seq": seq - 1, "at": "2026-09-01T10:00:00+00:00", "kind": kind,
            "payload": payload}


def test_every_kind_has_a_queued_sample() -> None:
    assert sorted(QUEUED) == sorted(BY_KIND)
    assert len(BY_KIND) >= 33


@pytest.mark.parametrize("kind", sorted(QUEUED))
def test_round_trip_station_model_to_central(kind: str) -> None:
    built = BY_KIND[kind].model_validate(QUEUED[kind])  # what the station's ledger builds
    stored = json.dumps(built.wire(), ensure_ascii=False, sort_keys=True)
    assert json.loads(stored) == QUEUED[kind]  # the outbox row is the row of before
    body = json.dumps({"events": [_envelope(kind, json.loads(stored))]})
    (received,) = EventBatch.model_validate_json(body).events
    assert received.kind == kind and received.payload == built
    assert type(received.payload) is BY_KIND[kind]
    # Central stores the same text the station stored: the duplicate check's digest holds.
    assert json.dumps(received.payload.wire(), ensure_ascii=False, sort_keys=True) == stored
    assert received.payload_wire() == received.payload.wire() == json.loads(stored)
    assert parse_payload(kind, json.loads(stored)) == built


@pytest.mark.parametrize("kind", sorted(OLDEST_ROWS))
def test_oldest_queued_shapes_still_parse_unchanged(kind: str) -> None:
    payload = parse_payload(kind, OLDEST_ROWS[kind])
    assert payload.wire() == dict(sorted(OLDEST_ROWS[kind].items()))


def _refusal(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Central's way: FastAPI decodes the JSON (Python's json keeps a lone surrogate), then
    validates the objects."""
    with pytest.raises(ValidationError) as caught:
        EventBatch.model_validate(json.loads(json.dumps(body)))
    return caught.value.errors()


@pytest.mark.parametrize(("event", "error_type", "where"), [
    (_envelope("sheet_burnt", {"sheet": 1}), "union_tag_invalid", ("events", 0)),
    ({**_envelope("sheet_confirmed", {"sheet": 1}), "extra": 1}, "extra_forbidden",
     ("events", 0, "sheet_confirmed", "extra")),
    (_envelope("sheet_confirmed", {"sheet": 1, "curp": CURP}), "extra_forbidden",
     ("events", 0, "sheet_confirmed", "payload", "curp")),
    (_envelope("sheet_confirmed", {"sheet": "1"}), "int_type",
     ("events", 0, "sheet_confirmed", "payload", "sheet")),
    (_envelope("sheet_confirmed", {"sheet": True}), "int_type",
     ("events", 0, "sheet_confirmed", "payload", "sheet")),
    (_envelope("sheet_confirmed", {"sheet": 2**63}), "less_than_equal",
     ("events", 0, "sheet_confirmed", "payload", "sheet")),
    ({**_envelope("sheet_confirmed", {"sheet": 1}), "seq": 2**63}, "less_than_equal",
     ("events", 0, "sheet_confirmed", "seq")),
    (_envelope("photo_linked", {"curp": CURP[:17], "photo_hash": "a" * 64}),
     "string_pattern_mismatch", ("events", 0, "photo_linked", "payload", "curp")),
    (_envelope("sheet_spoiled", {"sheet": 1, "reason": "a\x00b"}), "string_pattern_mismatch",
     ("events", 0, "sheet_spoiled", "payload", "reason")),
    (_envelope("sheet_spoiled", {"sheet": 1, "reason": "\ud800"}), "string_unicode",
     ("events", 0, "sheet_spoiled", "payload", "reason")),
    (_envelope("card_requested", {**QUEUED["card_requested"], "requested_on": "2026-02-30"}),
     "value_error", ("events", 0, "card_requested", "payload", "requested_on")),
    (_envelope("sheet_confirmed", {}), "missing",
     ("events", 0, "sheet_confirmed", "payload", "sheet")),
])
def test_bad_events_are_refused_with_the_field(event: dict[str, Any], error_type: str,
                                               where: tuple[object, ...]) -> None:
    errors = _refusal({"events": [event]})
    assert (errors[0]["type"], errors[0]["loc"]) == (error_type, where), errors


def test_a_batch_has_a_size_limit() -> None:
    many = [_envelope("sheet_confirmed", {"sheet": 1}, seq) for seq in
            range(1, events.MAX_BATCH + 2)]
    assert _refusal({"events": many})[0]["type"] == "too_long"


def test_the_station_emits_every_event_through_a_model() -> None:
    """Each ``append_event`` call in the station passes one of the contract's models."""
    emitted: set[str] = set()
    for path in (ROOT / "station").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                    node.func, "id", None)) == "append_event"):
                continue
            arg = node.args[1]
            calls = [arg] if isinstance(arg, ast.Call) else [arg.body, arg.orelse] \
                if isinstance(arg, ast.IfExp) else []
            assert calls, f"{path}:{node.lineno}: append_event without a model"
            for call in calls:
                func = call.func
                name = func.value.id if isinstance(func, ast.Attribute) else func.id
                assert name in events.__dict__, f"{path}:{node.lineno}: {name}"
                emitted.add(getattr(events, name).kind)
    assert emitted == set(BY_KIND)
