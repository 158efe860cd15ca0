"""When a QR seen by the camera deserves a (new) verdict: one per card shown, not one per frame.

A card held in front of the camera appears in thirty frames a second, and disappears from a
few of them (a reflection, a blur) while it is still there. :class:`ScanDeduper` answers, for
each frame's decoded texts, which ones are *new*: not seen in the last ``forget_after_s``
seconds. A card held still gives one verdict; taken away and shown again after that quiet
time, it gives another (the person may want to check again). Pure: time comes from the caller.

>>> d = ScanDeduper(forget_after_s=2.0)
>>> [d.feed(t, ["SC1:A"]) for t in (0.0, 0.1, 0.2)]
[['SC1:A'], [], []]
>>> d.feed(1.0, []), d.feed(1.5, ["SC1:A"]), d.feed(4.0, ["SC1:A"])
([], [], ['SC1:A'])
"""

from __future__ import annotations

from collections.abc import Iterable


class ScanDeduper:
    """Tracks the texts seen lately; at most ``max_tracked`` of them (oldest dropped)."""

    def __init__(self, forget_after_s: float = 2.0, *, max_tracked: int = 64) -> None:
        if forget_after_s <= 0:
            raise ValueError("forget_after_s must be positive")
        self.forget_after_s = forget_after_s
        self.max_tracked = max_tracked
        self._last_seen: dict[str, float] = {}

    def feed(self, t: float, texts: Iterable[str]) -> list[str]:
        """The texts of this frame that are new, in the order given (each once)."""
        for text, seen in list(self._last_seen.items()):
            if t - seen > self.forget_after_s or t < seen:  # quiet long enough, or clock reset
                del self._last_seen[text]
        new = []
        for text in dict.fromkeys(texts):
            if text not in self._last_seen:
                new.append(text)
            self._last_seen.pop(text, None)
            self._last_seen[text] = t  # re-insert: the dict stays in last-seen order
        while len(self._last_seen) > self.max_tracked:
            del self._last_seen[next(iter(self._last_seen))]
        return new

    def clear(self) -> None:
        self._last_seen.clear()
