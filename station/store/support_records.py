"""The station's questions to its DRSE (técnico 12) and what central says about them and about
the problem reports the DRSE turned over to DGTI (técnico 10).

A question is a ledger event (``support_question_asked``): it waits in the outbox while the
station is offline and reaches central exactly once. Central's side — the state of each
question and escalated report, newest only — is kept in ``sync_state`` under
``support:question:<n>`` and ``support:report:<file>``, with the pull cursor in
``support_cursor``: a newer state replaces an older one, so pulling twice changes nothing.

>>> import tempfile, pathlib
>>> from station.store.db import Database
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "ledger.sqlite3")
>>> with db.write() as conn:
...     ask(conn, text="¿Cuándo llegan los hologramas?", asked_by="Directora", on="2026-09-01")
1
>>> with db.read() as conn:
...     [(q.number, q.status) for q in questions(conn)]
[(1, 'en espera de enviarse')]
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from foundation.contract.events import SupportQuestionAsked
from station.store import sync_state
from station.store.ledger import append_event

_KIND = SupportQuestionAsked.kind
_PREFIX = "support:"
CURSOR = "support_cursor"
STATUS_ES = {"recibida": "recibida por la DRSE", "turnada": "turnada a la oficina estatal",
             "respondida": "respondida"}


@dataclass(frozen=True, slots=True)
class Question:
    number: int
    text: str
    asked_by: str
    asked_at: str
    status: str
    """In words: «en espera de enviarse», «recibida por la DRSE», «turnada…», «respondida»."""
    answer: str | None
    answered_by: str | None
    answered_at: str | None

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "asked_by": self.asked_by,
                "asked_at": self.asked_at, "status": self.status, "answer": self.answer,
                "answered_by": self.answered_by, "answered_at": self.answered_at}


def ask(conn: sqlite3.Connection, *, text: str, asked_by: str, on: str) -> int:
    """Queue a question for the DRSE; its number (1, 2, … at this station)."""
    row = conn.execute("SELECT count(*) FROM events WHERE kind = ?", (_KIND,)).fetchone()
    number = int(row[0]) + 1
    append_event(conn, SupportQuestionAsked(question=number, text=text, asked_by=asked_by,
                                            on=on))
    return number


def _states(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    return {key: json.loads(value)
            for key, value in sync_state.states_with_prefix(conn, _PREFIX).items()}


def questions(conn: sqlite3.Connection) -> list[Question]:
    """Every question asked here, newest first, with central's latest word on it."""
    acked = sync_state.get_int(conn, "acked_through")
    states = _states(conn)
    out = []
    for seq, at, payload in conn.execute(
            "SELECT seq, at, payload FROM events WHERE kind = ? ORDER BY seq DESC", (_KIND,)):
        p = json.loads(payload)
        state = states.get(f"question:{p['question']}", {})
        status = STATUS_ES.get(state.get("status", ""), "")
        if not status:
            status = "enviada, sin respuesta" if seq <= acked else "en espera de enviarse"
        out.append(Question(int(p["question"]), p["text"], p["asked_by"], at, status,
                            state.get("answer"), state.get("answered_by"),
                            state.get("answered_at")))
    return out


def report_answers(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Problem reports the DRSE turned over to DGTI, by file name: status and answer."""
    return {key.removeprefix("report:"): value for key, value in _states(conn).items()
            if key.startswith("report:")}


def store_messages(conn: sqlite3.Connection, messages: Iterable[Mapping[str, Any]],
                   cursor: int) -> int:
    """Keep central's newest state of each question or report; how many carry an answer."""
    answered = 0
    for m in messages:
        key = f"{_PREFIX}{m['subject']}:{m['ref']}"
        old = sync_state.get_state(conn, key)
        if old is not None and int(json.loads(old).get("rev", 0)) >= int(m["rev"]):
            continue
        sync_state.set_state(conn, key, json.dumps(dict(m), ensure_ascii=False))
        answered += m.get("answer") is not None
    sync_state.set_state(conn, CURSOR, cursor)
    return answered
