"""Seeded mutations of CBOR bytes for the decoder fuzz (tests/test_credential_strict.py).

Byte-level (bit flips, truncations, insertions, deletions, "interesting" bytes) and
structure-aware: the decoded item tree is changed (values of other types and sizes, keys
added, dropped, repeated or reordered, tags wrapped around values) and written back by a small
encoder that may pick non-shortest heads and indefinite lengths, which cbor2 never writes.
"""

from __future__ import annotations

import random
import struct
from typing import Any

import cbor2

INTERESTING = bytes([0x00, 0x01, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1F, 0x20, 0x38, 0x3B,
                     0x40, 0x5B, 0x5F, 0x60, 0x7B, 0x7F, 0x80, 0x9B, 0x9F, 0xA0, 0xBB, 0xBF,
                     0xC0, 0xC1, 0xC2, 0xC3, 0xD2, 0xD8, 0xF4, 0xF5, 0xF6, 0xF7, 0xF9, 0xFA,
                     0xFB, 0xFF])

REPLACEMENTS: tuple[Any, ...] = (
    0, -1, 1, 23, 24, 255, 256, 2**32 - 1, 2**32, 2**40, 2**63 - 1, 2**63, 2**64 - 1, 2**64,
    2**70, -(2**63), -(2**64), -(2**70), 1.5, float("nan"), float("inf"), True, False, None,
    cbor2.undefined, "", "X", "ANA\nLÓPEZ", "ANA\u202eZEPOL", "ÑÑ" * 300, "JOSE\u0301",
    "14DPR2207Z", "\udcff".encode("utf-8", "surrogatepass"), "A\udcff", b"", b"\x00" * 32, [], {},
    [[[[[[[[[[1]]]]]]]]]], {1: 2}, cbor2.CBORSimpleValue(99), 10957, 47481, 47482, 2932896,
)


def _head(rng: random.Random, major: int, n: int) -> bytes:
    """A head for ``n``, shortest or (sometimes) needlessly long: still well-formed CBOR."""
    widths = [w for w, top in ((0, 23), (1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF),
                               (8, 2**64 - 1)) if n <= top]
    width = widths[0] if rng.random() < 0.8 else rng.choice(widths)
    if width == 0:
        return bytes([major << 5 | n])
    info = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes([major << 5 | info]) + n.to_bytes(width, "big")


def encode(rng: random.Random, item: Any) -> bytes:
    """CBOR for ``item`` with random (valid) head widths and indefinite lengths."""
    indefinite = rng.random() < 0.05
    if isinstance(item, bool):
        return b"\xf5" if item else b"\xf4"
    if item is None:
        return b"\xf6"
    if isinstance(item, int):
        if 0 <= item < 2**64:
            return _head(rng, 0, item)
        if -(2**64) <= item < 0:
            return _head(rng, 1, -1 - item)
        return cbor2.dumps(item)  # a bignum, tag 2 or 3
    if isinstance(item, float):
        return b"\xfb" + struct.pack(">d", item)
    if isinstance(item, bytes | str):
        raw = item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
        major = 2 if isinstance(item, bytes) else 3
        if indefinite:
            cut = rng.randrange(len(raw) + 1)
            return (bytes([major << 5 | 31]) + _head(rng, major, cut) + raw[:cut]
                    + _head(rng, major, len(raw) - cut) + raw[cut:] + b"\xff")
        return _head(rng, major, len(raw)) + raw
    if isinstance(item, list | tuple):
        body = b"".join(encode(rng, v) for v in item)
        return (b"\x9f" + body + b"\xff") if indefinite else _head(rng, 4, len(item)) + body
    if isinstance(item, dict):
        body = b"".join(encode(rng, k) + encode(rng, v) for k, v in item.items())
        return (b"\xbf" + body + b"\xff") if indefinite else _head(rng, 5, len(item)) + body
    if isinstance(item, cbor2.CBORTag):
        return _head(rng, 6, item.tag) + encode(rng, item.value)
    return cbor2.dumps(item)


def _mutate_tree(rng: random.Random, item: Any) -> Any:
    """One change somewhere in the tree (maps and arrays are copied, never changed in place)."""
    if isinstance(item, cbor2.CBORTag):
        if rng.random() < 0.2:
            return cbor2.CBORTag(rng.choice([0, 1, 2, 18, 24, 55799, 2**40]), item.value)
        return cbor2.CBORTag(item.tag, _mutate_tree(rng, item.value))
    if isinstance(item, dict) and item and rng.random() < 0.7:
        out = dict(item)
        key = rng.choice(list(out))
        roll = rng.random()
        if roll < 0.55:
            out[key] = _mutate_tree(rng, out[key])
        elif roll < 0.65:
            del out[key]
        elif roll < 0.75:
            out[rng.choice([-1, 5, 8, 99, "1", 2**64])] = rng.choice(REPLACEMENTS)
        elif roll < 0.9:
            items = list(out.items())
            rng.shuffle(items)
            out = dict(items)
        else:
            out[key] = cbor2.CBORTag(rng.choice([0, 1, 2, 24, 100, 1004]), out[key])
        return out
    if isinstance(item, list | tuple) and item and rng.random() < 0.7:
        out_list = list(item)
        i = rng.randrange(len(out_list))
        roll = rng.random()
        if roll < 0.7:
            out_list[i] = _mutate_tree(rng, out_list[i])
        elif roll < 0.85:
            del out_list[i]
        else:
            out_list.insert(i, rng.choice(REPLACEMENTS))
        return out_list
    if isinstance(item, bytes) and len(item) > 2 and rng.random() < 0.5:
        # A bstr holding CBOR (the protected header, the payload): change what is inside.
        try:
            inner = cbor2.loads(item)
        except Exception:  # not CBOR inside: change its bytes instead
            return bytes_mutation(rng, item)
        return encode(rng, _mutate_tree(rng, inner))
    if isinstance(item, str) and item and rng.random() < 0.5:
        i = rng.randrange(len(item) + 1)
        return item[:i] + rng.choice(["\n", "\u202e", "\u200b", "\x00", "\u0301", "Ñ", " ", "A"]) \
            + item[i:]
    if isinstance(item, int) and not isinstance(item, bool) and rng.random() < 0.5:
        return item + rng.choice([-1, 1, 2**32, 2**63, 2**64, -(2**64)])
    return rng.choice(REPLACEMENTS)


def bytes_mutation(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    roll = rng.random()
    if roll < 0.35 and out:  # bit flips
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif roll < 0.5:  # truncation
        del out[rng.randrange(len(out) + 1):]
    elif roll < 0.65:  # insertion of random or interesting bytes
        pos = rng.randrange(len(out) + 1)
        junk = (bytes(rng.choice(INTERESTING) for _ in range(rng.randint(1, 3)))
                if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 9)))
        out[pos:pos] = junk
    elif roll < 0.75 and out:  # deletion of a range
        a = rng.randrange(len(out))
        del out[a:a + rng.randint(1, 4)]
    elif out:  # overwrite with an interesting byte (a head of another type or width)
        out[rng.randrange(len(out))] = rng.choice(INTERESTING)
    return bytes(out)


def mutate(rng: random.Random, data: bytes, tree: Any) -> bytes:
    """One mutated copy of ``data`` (whose decoded item is ``tree``)."""
    roll = rng.random()
    if roll < 0.5:
        return bytes_mutation(rng, data)
    if roll < 0.6:  # the same item, re-framed: only the heads change
        return encode(rng, tree)
    return encode(rng, _mutate_tree(rng, tree))
