"""The card's QR symbol comes from zxing-cpp's writer (issue 17): the same standard symbol the
``qrcode`` library made (same version, same data codewords; the mask may differ), it reads back
exactly, and photos of cards made with it read as often as with the old encoder."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp
from plugin_camera import qr_corpus
from qrcode.util import MODE_ALPHA_NUM, QRData

from foundation.credential.card import CredentialClaims
from foundation.credential.sign import issue_qr_text
from foundation.errors import InputError
from foundation.qr_draw import QrSymbol, qr_symbol
from station.camera.qr_reader import read_qr_texts

NAMES = ("ANA", "JUAN PÉREZ", "MARÍA DE LOS ÁNGELES GUADALUPE VILLASEÑOR", "Ñ" * 40,
         "XÓCHITL ÍÑIGUEZ DE LA TORRE", "JOSÉ MARÍA O'NEIL-IBÁÑEZ")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    key = qr_corpus().fixed_key(Path(tempfile.mkdtemp(prefix="qr-enc-test-")))
    return [issue_qr_text(CredentialClaims(folio, name, "14DPR9901D", date(2026, 9, 1)), key)
            for folio in (1, 2**32 - 1) for name in NAMES]


def _legacy(text: str, mask: int | None = None) -> QrSymbol:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0,
                       mask_pattern=mask)
    qr.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
    qr.make(fit=True)
    return QrSymbol(tuple(tuple(bool(m) for m in row) for row in qr.modules), qr.version,
                    "alphanumeric")


def _image(sym: QrSymbol, px: int = 4, quiet: int = 4) -> np.ndarray:
    grid = np.where(np.array(sym.modules), 0, 255).astype(np.uint8)
    grid = np.pad(grid, quiet, constant_values=255)
    return grid.repeat(px, 0).repeat(px, 1)


def test_symbol_is_the_standard_one_and_reads_back_exactly(texts: list[str]) -> None:
    for text in texts:
        sym = qr_symbol.__wrapped__(text)  # type: ignore[attr-defined]
        [read] = zxingcpp.read_barcodes(_image(sym))
        assert read.text == text and read.ec_level == "Q"
        assert read.extra["Version"] == str(sym.version) and sym.mode == "alphanumeric"
        assert len(sym.modules) == 17 + 4 * sym.version
        old = _legacy(text)
        assert sym.version == old.version  # never a bigger symbol (smaller modules) than before
        # Same data and error-correction codewords: qrcode with zxing-cpp's mask gives the
        # very same modules.
        assert sym.modules == _legacy(text, int(read.extra["DataMask"])).modules


def test_versions_stay_within_what_the_card_was_sized_for(texts: list[str]) -> None:
    versions = [qr_symbol(t).version for t in texts]
    assert max(versions) <= 12 and min(versions) >= 9


@pytest.mark.parametrize("text", ["sc1:lower", "SC1:ÑAND", "", "A" * 5000])
def test_text_that_cannot_be_a_card_qr_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        qr_symbol(text)


def test_photos_of_cards_read_as_often_as_with_the_old_encoder(texts: list[str]) -> None:
    """A small sample of the degraded-photo corpus (bench/bench_qr_robustness.py runs it
    all): each photo taken twice with the same degradation, the card carrying the new or
    the old encoder's symbol."""
    corpus = qr_corpus()
    card = np.full((638, 1011, 3), 235, np.uint8)  # a blank card at 300 dpi
    x, y, w, h = corpus.qr_quad(card)
    read = {"new": 0, "old": 0}
    kinds = ("clean", "perspective", "defocus", "glare", "occlusion", "small")
    for i, kind in enumerate(kinds):
        text = texts[i % len(texts)]
        for name, sym in (("new", qr_symbol(text)), ("old", _legacy(text))):
            n = len(sym.modules) + 8
            box = cv2.resize(_image(sym, px=16), (w, h), interpolation=cv2.INTER_AREA)
            pasted = card.copy()
            pasted[y:y + h, x:x + w] = box[:, :, None]
            assert n * 16 == _image(sym, px=16).shape[0]
            frame, _ = corpus.CARD_KINDS[kind](np.random.default_rng([14, i]), pasted)
            found = [q.text for q in read_qr_texts(frame, live=True)]
            assert found in ([], [text])  # never a wrong text
            read[name] += found == [text]
    assert read["new"] >= read["old"] - 1
    assert read["new"] >= len(kinds) - 2
