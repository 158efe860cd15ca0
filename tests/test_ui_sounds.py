"""The photo booth's sounds: real WAV files made by code, and silence (never a crash) where
the station cannot play them. The kiosk under Xvfb has no sound device at all
(``tests/test_ui_photo_booth.py``); these cover the two other ways audio fails."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

from station.ui.sounds import Chimes


def _no_device(_path: str) -> Any:
    raise OSError("ALSA: Couldn't open audio device")


class _Breaks:
    def __init__(self) -> None:
        self.calls = 0

    def stop(self) -> None:
        pass

    def play(self) -> None:
        self.calls += 1
        raise RuntimeError("device went away")


def test_the_sounds_are_short_wav_files(tmp_path: Path) -> None:
    loaded: list[str] = []
    chimes = Chimes(folder=tmp_path, loader=lambda p: loaded.append(p) or None)
    chimes.play("tick")
    for name, longest in (("tick", 0.2), ("shutter", 0.3)):
        with wave.open(str(tmp_path / f"{name}.wav")) as sound:
            seconds = sound.getnframes() / sound.getframerate()
            frames = sound.readframes(sound.getnframes())
        assert 0.05 < seconds < longest and (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        assert max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True))
                   for i in range(0, len(frames), 2)) > 3000  # audible, not silence
    assert sorted(Path(p).name for p in loaded) == ["shutter.wav", "tick.wav"]
    assert chimes.audible == {"tick": False, "shutter": False}  # the loader found no player


def test_no_sound_device_is_silent(tmp_path: Path) -> None:
    chimes = Chimes(folder=tmp_path, loader=_no_device)
    for name in ("tick", "tick", "tick", "shutter"):
        chimes.play(name)
    assert chimes.played == ["tick", "tick", "tick", "shutter"]
    assert chimes.audible == {"tick": False, "shutter": False}


def test_a_device_that_fails_while_playing_goes_silent(tmp_path: Path) -> None:
    sound = _Breaks()
    chimes = Chimes(folder=tmp_path, loader=lambda _p: sound)
    chimes.play("tick")
    chimes.play("tick")
    assert sound.calls == 1 and chimes.audible["tick"] is False
    assert chimes.played == ["tick", "tick"]
