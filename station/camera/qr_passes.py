"""Image passes that make a hard QR readable: each one is tried only when the plain read failed.

Measured on the generated corpus of degraded card photos (``bench/bench_qr_decode.py``): a
plain zxing-cpp read gets clean, tilted, noisy, dark and low-contrast frames; what it misses is
mostly out-of-focus cards (a fixed-focus webcam at 12-20 cm), which a small Wiener
deconvolution kernel recovers, then small or partly covered codes (upscaling) and the rest of
the blur (unsharp masking). CLAHE and extra binarizers added nothing on that corpus, so they
are not here. Every pass keeps the frame's geometry except for its ``scale``.

>>> import numpy as np
>>> [p.name for p in PASSES]
['plain', 'deblur', 'upscale', 'sharpen']
>>> PASSES[1].apply(np.zeros((8, 8), np.uint8)).shape
(8, 8)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

UPSCALE_MAX_SIDE = 1600
"""Images larger than this are not upscaled (a still photo gets the tile pass instead)."""


@lru_cache(maxsize=4)
def wiener_kernel(sigma: float = 1.5, noise_to_signal: float = 0.01, size: int = 9) -> np.ndarray:
    """A ``size``×``size`` spatial Wiener filter undoing a Gaussian blur of ``sigma`` pixels.

    Applied as three separable pairs (:func:`wiener_separable`), far cheaper than an FFT,
    and σ = 1.5 px fits the defocus of a card 2.5-4 pixels per module away.

    >>> k = wiener_kernel()
    >>> k.shape, round(float(k.sum()), 3)
    ((9, 9), 1.0)
    """
    n = 64
    freq = np.fft.fftfreq(n)
    otf = np.exp(-2 * np.pi**2 * sigma**2 * (freq[None, :] ** 2 + freq[:, None] ** 2))
    kernel = np.fft.fftshift(np.real(np.fft.ifft2(otf / (otf * otf + noise_to_signal))))
    c, r = n // 2, size // 2
    kernel = kernel[c - r : c + r + 1, c - r : c + r + 1].astype(np.float32)
    kernel /= kernel.sum()
    kernel.flags.writeable = False
    return kernel


@lru_cache(maxsize=1)
def wiener_separable(rank: int = 3) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """:func:`wiener_kernel` as a sum of ``rank`` separable (row, column) kernel pairs.

    Its singular values fall fast (1.85, 0.72, 0.18, then 0.007): three pairs rebuild it to
    within 0.5 % of its peak, and three 9+9-tap passes cost a fraction of one 9×9 filter.

    >>> k = sum(np.outer(ky, kx) for kx, ky in wiener_separable())
    >>> bool(np.abs(k - wiener_kernel()).max() < 0.01 * np.abs(wiener_kernel()).max())
    True
    """
    u, s, vt = np.linalg.svd(wiener_kernel().astype(np.float64))
    return tuple(((vt[i] * np.sqrt(s[i])).astype(np.float32),
                  (u[:, i] * np.sqrt(s[i])).astype(np.float32)) for i in range(rank))


def _deblur(grey: np.ndarray) -> np.ndarray:
    acc: np.ndarray | None = None
    for kx, ky in wiener_separable():
        part = cv2.sepFilter2D(grey, cv2.CV_32F, kx, ky)
        acc = part if acc is None else cv2.add(acc, part)
    assert acc is not None
    return np.clip(acc, 0, 255, out=acc).astype(np.uint8)


def _deblur_full(grey: np.ndarray) -> np.ndarray:
    """The deblur pass before issue 17 (one 9×9 filter): kept for the benchmark."""
    return cv2.filter2D(grey, -1, wiener_kernel())


def _upscale(grey: np.ndarray) -> np.ndarray:
    # Bilinear: zxing-cpp binarizes the result, and bicubic's sharper edges read no more
    # codes on the corpus while costing several times as much.
    return cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)


def _upscale_cubic(grey: np.ndarray) -> np.ndarray:
    """The upscale pass before issue 17: kept for the benchmark."""
    return cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


def _sharpen(grey: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(grey, (0, 0), 1.0)
    return cv2.addWeighted(grey, 4.0, blurred, -3.0, 0)


@dataclass(frozen=True, slots=True)
class Pass:
    """One way of preparing a grey image; ``scale`` maps its pixels back: ``x / scale``."""

    name: str
    apply: Callable[[np.ndarray], np.ndarray]
    scale: float = 1.0
    max_side: int | None = None
    downscale: bool = True
    """Let zxing-cpp also search smaller copies (pointless after upscaling, and slow)."""
    invert: bool = True
    """Also look for light-on-dark codes. Cards are printed dark on light: only the plain pass
    keeps it, so a frame without a code does not pay for it four times."""

    def fits(self, grey: np.ndarray) -> bool:
        return self.max_side is None or max(grey.shape[:2]) <= self.max_side


PASSES: tuple[Pass, ...] = (
    Pass("plain", lambda g: g),
    Pass("deblur", _deblur, invert=False),
    Pass("upscale", _upscale, scale=2.0, max_side=UPSCALE_MAX_SIDE, downscale=False,
         invert=False),
    Pass("sharpen", _sharpen, invert=False),
)
"""In the order they are tried; the cheap pass that reads most comes first."""

PASSES_BEFORE: tuple[Pass, ...] = (
    Pass("plain", lambda g: g),
    Pass("deblur", _deblur_full),
    Pass("upscale", _upscale_cubic, scale=2.0, max_side=UPSCALE_MAX_SIDE, downscale=False),
    Pass("sharpen", _sharpen),
)
"""The passes before issue 17 (a 9×9 deblur filter, bicubic upscale, every pass also looking
for inverted codes): ``bench/bench_qr_robustness.py`` measures both on the same photos."""
