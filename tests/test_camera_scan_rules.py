"""One verdict per card shown: the de-duplication rule on its own (pure, time given)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.core.scan_rules import ScanDeduper


def test_a_card_held_still_for_five_seconds_gives_one_verdict() -> None:
    d = ScanDeduper(forget_after_s=2.0)
    new = [d.feed(i / 30, ["SC1:A"]) for i in range(150)]
    assert sum(len(n) for n in new) == 1 and new[0] == ["SC1:A"]


def test_flicker_while_held_does_not_repeat() -> None:
    d = ScanDeduper(forget_after_s=2.0)
    seen = []
    for i in range(90):  # the code is missed in two frames of three (glare, blur)
        seen += d.feed(i / 30, ["SC1:A"] if i % 3 == 0 else [])
    assert seen == ["SC1:A"]


def test_shown_again_after_a_pause_gives_a_new_verdict() -> None:
    d = ScanDeduper(forget_after_s=2.0)
    assert d.feed(0.0, ["SC1:A"]) == ["SC1:A"]
    assert d.feed(1.0, []) == []
    assert d.feed(1.5, ["SC1:A"]) == []  # out of sight 1.5 s: the same showing
    assert d.feed(3.0, []) == []
    assert d.feed(4.0, ["SC1:A"]) == ["SC1:A"]  # out of sight 2.5 s: shown again


def test_two_cards_in_one_frame_and_one_added_later() -> None:
    d = ScanDeduper()
    assert d.feed(0.0, ["SC1:A", "SC1:B", "SC1:A"]) == ["SC1:A", "SC1:B"]
    assert d.feed(0.1, ["SC1:B", "SC1:C"]) == ["SC1:C"]


def test_a_clock_that_goes_back_starts_over() -> None:
    d = ScanDeduper()
    d.feed(100.0, ["SC1:A"])
    assert d.feed(0.0, ["SC1:A"]) == ["SC1:A"]  # a new video file, or the clock reset


def test_memory_is_bounded() -> None:
    d = ScanDeduper(max_tracked=4)
    for i in range(10):
        d.feed(0.0, [f"SC1:{i}"])
    assert d.feed(0.0, ["SC1:0"]) == ["SC1:0"]  # forgotten: only the last 4 are kept
    assert d.feed(0.0, ["SC1:9"]) == []


def test_forget_time_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ScanDeduper(forget_after_s=0)


@given(st.lists(st.tuples(st.floats(0, 0.5), st.lists(st.sampled_from("ABC"), max_size=3)),
                max_size=60))
def test_never_twice_within_the_forget_time(steps: list[tuple[float, list[str]]]) -> None:
    d = ScanDeduper(forget_after_s=2.0)
    t = 0.0
    reported: dict[str, float] = {}
    last_seen: dict[str, float] = {}
    for dt, texts in steps:
        t += dt
        for text in d.feed(t, texts):
            # A repeat is allowed only after the card was out of sight for more than 2 s.
            assert text not in last_seen or t - last_seen[text] > 2.0
            reported[text] = t
        for text in texts:
            last_seen[text] = t
    assert set(reported) <= {"A", "B", "C"}
