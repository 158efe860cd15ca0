"""QR symbol makers for the QR benchmarks: today's encoder, the one before it, the options.

``legacy_symbol`` is ``foundation.qr_draw.qr_symbol`` as it was before issue 17 (the pure-Python
``qrcode`` library with its best-mask search), kept here so every benchmark can run it beside
the current encoder in the same run.
"""

from __future__ import annotations

import qrcode
from qrcode.util import MODE_ALPHA_NUM, QRData

from foundation import qr_draw
from foundation.qr_draw import QrSymbol

_QRCODE_ECC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
               "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def legacy_symbol(text: str, ecc: str = "Q", mask: int | None = None) -> QrSymbol:
    """The ``qrcode`` library's symbol (best mask unless ``mask`` fixes one)."""
    qr = qrcode.QRCode(error_correction=_QRCODE_ECC[ecc], border=0, mask_pattern=mask)
    qr.add_data(QRData(text.encode("ascii"), mode=MODE_ALPHA_NUM))
    qr.make(fit=True)
    return QrSymbol(tuple(tuple(bool(m) for m in row) for row in qr.modules), qr.version,
                    "alphanumeric")


def zxing_symbol(text: str, ecc: str = "Q") -> QrSymbol:
    """The current encoder (zxing-cpp's writer), uncached."""
    return qr_draw.qr_symbol.__wrapped__(text, ecc)  # type: ignore[attr-defined]


def segno_symbol(text: str, ecc: str = "Q") -> QrSymbol | None:
    """segno's symbol, or None when segno is not installed (it is not a dependency)."""
    try:
        import segno
    except ImportError:
        return None
    qr = segno.make_qr(text, error=ecc.lower(), boost_error=False, mode="alphanumeric")
    rows = tuple(tuple(bool(v) for v in row) for row in qr.matrix)
    return QrSymbol(rows, int(qr.version), "alphanumeric")
