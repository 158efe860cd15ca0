"""Loss, theft, damage and replacement of a card (normativos 8, 9).

A loss or theft is reported to the school and the card is revoked at once. A replacement
needs the original receipt of the state fee paid at an *oficina recaudadora*; the receipt's
reference and date are recorded and a reference is accepted only once. A damaged card stays
valid until its replacement is issued; then it is revoked as replaced.

>>> normalise_receipt(" rec-2026 / 00123 ")
'REC202600123'
>>> Reason.parse("extravío").words
'extravío'
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import date

from foundation.errors import InputError, RuleViolation
from station.core.dates import show_day

_RECEIPT = re.compile(r"^[A-Z0-9]{4,40}$")


class Reason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"

    @property
    def words(self) -> str:
        return {"lost": "extravío", "stolen": "robo", "damaged": "daño"}[self.value]

    @property
    def revokes_at_once(self) -> bool:
        """A lost or stolen card is revoked when reported; a damaged one when replaced."""
        return self is not Reason.DAMAGED

    @classmethod
    def parse(cls, text: str) -> Reason:
        """English value or Spanish word (extravío, robo, daño), accents optional."""
        plain = _plain(text)
        for reason, words in _REASON_WORDS.items():
            if plain in words:
                return reason
        raise InputError(f"Motivo de reposición desconocido: «{text}».",
                         way_out="Use extravio, robo o dano.")


_REASON_WORDS = {
    Reason.LOST: {"lost", "extravio", "perdida", "extraviada"},
    Reason.STOLEN: {"stolen", "robo", "robada"},
    Reason.DAMAGED: {"damaged", "dano", "maltrato", "danada"},
}


def _plain(text: str) -> str:
    nfd = unicodedata.normalize("NFD", (text or "").strip().lower())
    return "".join(c for c in nfd if not unicodedata.combining(c))


def normalise_receipt(reference: str) -> str:
    """The receipt reference as recorded: letters and digits only, upper case.

    Spaces, dashes, dots and slashes are dropped so that the same receipt typed twice in
    different ways (``REC-2026/0012``, ``rec 2026 0012``) is recognised and refused.
    """
    raw = (reference or "").strip()
    if not raw:
        raise RuleViolation(
            "La reposición de la credencial requiere el recibo original del pago de derechos.",
            way_out="Escriba el número (referencia) del recibo de la oficina recaudadora.")
    clean = re.sub(r"[\s/.\-_]", "", raw).upper()
    if not _RECEIPT.match(clean):
        raise InputError(f"La referencia de recibo «{raw}» no es válida: debe tener de 4 a 40 "
                         "letras o números (se permiten guiones, puntos y diagonales).")
    return clean


def check_receipt(
    receipt_date: date, *, card_issued_on: date, already_used_on: str | None,
    reference: str,
) -> None:
    """A receipt is accepted once, and must be dated on or after the card it replaces."""
    if already_used_on is not None:
        raise RuleViolation(
            f"El recibo {reference} ya se usó para otra reposición (registrada el "
            f"{show_day(already_used_on)}). Cada recibo se acepta una sola vez.",
            way_out="Pida el recibo original del pago de esta reposición.")
    if receipt_date < card_issued_on:
        raise RuleViolation(
            f"El recibo {reference} es del {show_day(receipt_date)}, anterior a la expedición "
            f"de la credencial que se repone ({show_day(card_issued_on)}).",
            way_out="Revise la fecha: el pago debe ser posterior a la credencial perdida.")


def lost_reason(reason: Reason, reported_on: date) -> str:
    """The revocation reason verification shows for a lost or stolen card.

    >>> lost_reason(Reason.LOST, date(2026, 9, 3))
    'reportada como extraviada el 03/09/2026'
    """
    what = "robada" if reason is Reason.STOLEN else "extraviada"
    return f"reportada como {what} el {show_day(reported_on)}"


def replaced_reason(previous: str | None, reason: Reason, new_folio: int) -> str:
    """The revocation reason once the replacement is issued (keeps the loss report words)."""
    if previous and reason.revokes_at_once:
        return f"{previous}; reemplazada por el folio {new_folio}"
    return f"reemplazada por el folio {new_folio} (reposición por {reason.words})"


def settled_reason(reason: Reason, loss: tuple[str, str] | None, new_folio: int) -> str:
    """Why the old card is revoked once its paid replacement is printed; ``loss`` is the
    (kind, reported_on) of its loss or theft report, if any.

    >>> settled_reason(Reason.LOST, ("lost", "2026-09-03"), 612)
    'reportada como extraviada el 03/09/2026; reemplazada por el folio 612'
    """
    previous = lost_reason(Reason(loss[0]), date.fromisoformat(loss[1][:10])) if loss else None
    return replaced_reason(previous, reason, new_folio)


def audit_receipts(references: Iterable[str]) -> list[str]:
    """Problems: a receipt recorded more than once, or one that is not normalised."""
    refs = list(references)
    plain = Counter(re.sub(r"[^A-Z0-9]", "", r.upper()) for r in refs)
    problems = [f"El recibo {ref} está registrado {n} veces." for ref, n in plain.items() if n > 1]
    problems += [f"El recibo «{r}» no está escrito en forma normal (sólo letras mayúsculas "
                 "y números)." for r in refs if not _RECEIPT.match(r)]
    return problems


def check_loss_date(folio: int, reported_on: date, issued_on: date) -> None:
    """A card cannot be lost before it existed: the loss date is on or after its issue day.

    >>> check_loss_date(512, date(2026, 9, 1), date(2026, 9, 3))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    foundation.errors.RuleViolation: La fecha del reporte (01/09/2026) es anterior a ...
    """
    if reported_on < issued_on:
        raise RuleViolation(
            f"La fecha del reporte ({show_day(reported_on)}) es anterior a la expedición de "
            f"la credencial con folio {folio} ({show_day(issued_on)}).",
            way_out="Revise la fecha del reporte: la pérdida o el robo ocurre después de "
                    "expedirla.")


def check_reportable(folio: int, status: str, status_reason: str | None) -> None:
    """Only a card in use (active) can be reported lost or stolen."""
    if status == "spoiled":
        raise RuleViolation(f"El folio {folio} es de una planilla marcada como dañada: esa "
                            "credencial nunca se entregó.")
    if status == "revoked":
        raise RuleViolation(f"La credencial con folio {folio} ya está dada de baja: "
                            f"{status_reason or 'sin motivo registrado'}.")


def check_replaceable(
    *, folio: int, status: str, status_reason: str | None, report: Reason | None,
    replaced_with_receipt: str | None, reason: Reason,
) -> Reason:
    """May the card ``folio`` be replaced for ``reason``? Returns the reason to record.

    A card already replaced, a spoiled one, or one revoked for anything but a loss report
    cannot be replaced; a card reported lost or stolen is replaced for that reason.
    """
    if replaced_with_receipt is not None:
        raise RuleViolation(f"La reposición de la credencial con folio {folio} ya se tramitó "
                            f"(recibo {replaced_with_receipt}).")
    if status == "spoiled":
        raise RuleViolation(f"El folio {folio} es de una planilla marcada como dañada: no es una "
                            "credencial entregada.", way_out="Reimprima la planilla.")
    if report is not None:
        if reason is Reason.DAMAGED:
            raise RuleViolation(
                f"La credencial con folio {folio} se reportó como "
                f"{'robada' if report is Reason.STOLEN else 'extraviada'}: la reposición es por "
                f"{report.words}, no por daño.", way_out=f"Use el motivo {report.words}.")
        return report
    if status == "revoked":
        raise RuleViolation(f"La credencial con folio {folio} está dada de baja "
                            f"({status_reason or 'sin motivo'}); no se puede reponer.")
    return reason


def revocation_facts(*, status: str | None, loss: tuple[str, str] | None,
                     replaced_by: int | None, moved_to: int | None) -> dict[str, object]:
    """Why a card is revoked, for the verification answer, from what the ledger holds of it.

    ``loss`` is (kind, reported_on) of a loss or theft report; ``replaced_by`` the folio of a
    paid replacement; ``moved_to`` the folio of the card of the student's new school. A
    report wins over a replacement when both exist (the reason the card went is the report).

    >>> revocation_facts(status="revoked", loss=None, replaced_by=None, moved_to=512)
    {'revocation': 'replaced', 'replaced_by': 512}
    >>> revocation_facts(status="revoked", loss=("stolen", "2026-03-02"), replaced_by=90,
    ...                  moved_to=None)
    {'revocation': 'stolen', 'reported_on': '2026-03-02', 'replaced_by': 90}
    >>> revocation_facts(status="spoiled", loss=None, replaced_by=None, moved_to=None)
    {'revocation': 'spoiled'}
    """
    if status is None:
        return {"revocation": "other"}
    if status == "spoiled":
        return {"revocation": "spoiled"}
    out: dict[str, object] = {"revocation": "other"}
    if loss:
        out.update(revocation=loss[0], reported_on=loss[1])
    if replaced_by is not None:
        out["replaced_by"] = replaced_by
        if not loss:
            out["revocation"] = "replaced"
    if moved_to is not None and not loss:  # the student changed school: a new card there
        out.update(revocation="replaced", replaced_by=moved_to)
    return out
