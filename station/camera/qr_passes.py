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

    A 9×9 kernel costs ~5 ms on a 1280×720 frame (``cv2.filter2D``), far less than an FFT,
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


def _deblur(grey: np.ndarray) -> np.ndarray:
    return cv2.filter2D(grey, -1, wiener_kernel())


def _upscale(grey: np.ndarray) -> np.ndarray:
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

    def fits(self, grey: np.ndarray) -> bool:
        return self.max_side is None or max(grey.shape[:2]) <= self.max_side


PASSES: tuple[Pass, ...] = (
    Pass("plain", lambda g: g),
    Pass("deblur", _deblur),
    Pass("upscale", _upscale, scale=2.0, max_side=UPSCALE_MAX_SIDE, downscale=False),
    Pass("sharpen", _sharpen),
)
"""In the order they are tried; the cheap pass that reads most comes first."""
