"""Short sounds for the photo booth: a tick per count of 3-2-1 and a shutter when the photo
is taken, so a student looking at the camera (not the screen) knows what is happening.

The sounds are made here, by code (a sine beep and a filtered noise burst, 16-bit mono WAV,
a few KiB), into a private folder at first use, and played through Kivy's ``SoundLoader``.
A station without a sound device (or whose audio library fails) stays silent: loading or
playing never raises, and :attr:`Chimes.played` still records what would have sounded
(the tests read it).
"""

from __future__ import annotations

import logging
import math
import os
import random
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger(__name__)

RATE = 22_050


def _samples_tick() -> list[float]:
    """A soft 880 Hz beep, 0.12 s, faded in and out (no click)."""
    n = int(RATE * 0.12)
    return [0.45 * math.sin(2 * math.pi * 880 * i / RATE) * min(1.0, i / 200, (n - i) / 600)
            for i in range(n)]


def _samples_shutter() -> list[float]:
    """A camera-like click: two short noise bursts, decaying, low-passed."""
    rng = random.Random(7)  # the same file every time
    out, last = [], 0.0
    for i in range(int(RATE * 0.16)):
        t = i / RATE
        envelope = math.exp(-t * 60) + 0.6 * math.exp(-max(0.0, t - 0.07) * 70) * (t > 0.07)
        last = 0.6 * last + 0.4 * rng.uniform(-1, 1)  # one-pole low-pass: less hiss
        out.append(0.8 * envelope * last)
    return out


SOUNDS: dict[str, Callable[[], list[float]]] = {"tick": _samples_tick,
                                                "shutter": _samples_shutter}


def write_wav(path: Path, samples: list[float]) -> Path:
    frames = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples)
    tmp = path.with_name(path.name + ".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    os.replace(tmp, path)
    return path


def sound_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"station-kiosk-sounds-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _kivy_loader(path: str) -> Any:
    from kivy.core.audio import SoundLoader

    return SoundLoader.load(path)


class Chimes:
    """The booth's sounds; silent (never failing) where the station cannot play them."""

    def __init__(self, folder: Path | None = None,
                 loader: Callable[[str], Any] = _kivy_loader) -> None:
        self.folder = folder
        self.loader = loader
        self.played: list[str] = []
        self.audible: dict[str, bool] = {}
        self._sounds: dict[str, Any] = {}
        self._loaded = False

    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for name, make in SOUNDS.items():
            sound = None
            try:
                folder = self.folder or sound_folder()
                path = folder / f"{name}.wav"
                if not path.exists():
                    write_wav(path, make())
                sound = self.loader(str(path))
            except Exception as exc:  # no audio device, no audio library: stay silent
                LOGGER.info("Sin sonido para %s: %s", name, type(exc).__name__)
            self._sounds[name] = sound
            self.audible[name] = sound is not None

    def play(self, name: str) -> None:
        self.played.append(name)
        self.load()
        sound = self._sounds.get(name)
        if sound is None:
            return
        try:
            sound.stop()
            sound.play()
        except Exception as exc:  # the device went away: silent from now on
            LOGGER.info("No se pudo reproducir %s: %s", name, type(exc).__name__)
            self._sounds[name] = None
            self.audible[name] = False
