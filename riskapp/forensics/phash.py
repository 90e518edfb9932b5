"""Perceptual hashes of photos and the index that finds near-identical ones (pure: no Flask).

The hash is imagehash's pHash: 64 bits from the low frequencies of the picture's DCT, which a
re-encoding, a resize or a small crop barely move. Two photos match when their hashes differ in
at most MATCH_DISTANCE bits. The index is multi-index hashing: the 64 bits are cut into 8 bands
of 8 bits; two hashes within 7 bits of each other agree on at least one whole band (pigeonhole:
7 differing bits touch at most 7 of the 8 bands), so only hashes sharing a band are compared.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator

import imagehash
from PIL import Image

# At most 6 of 64 bits apart: re-encoded, resized and slightly cropped copies measured 0–4
# (tests/forensics/test_phash.py); unrelated photos land around 32. Must stay ≤ 7 for the bands.
MATCH_DISTANCE = 6
BANDS = 8
BAND_BITS = 64 // BANDS
# A flat or nearly flat picture (a blank wall, a solid test image) has almost every bit equal:
# such hashes match each other without meaning anything, so they are not compared.
MIN_SET_BITS, MAX_SET_BITS = 8, 56


def phash_hex(image: Image.Image) -> str:
    """The picture's 64-bit pHash as 16 hex digits."""
    return str(imagehash.phash(image.convert("RGB")))


def distance(a: int, b: int) -> int:
    """Hamming distance of two 64-bit hashes."""
    return (a ^ b).bit_count()


def is_informative(value: int) -> bool:
    """Does the hash carry detail enough to be compared (not a flat picture)?"""
    return MIN_SET_BITS <= value.bit_count() <= MAX_SET_BITS


def bands(value: int) -> Iterator[tuple[int, int]]:
    """(band number, its 8 bits) of a 64-bit hash."""
    for band in range(BANDS):
        yield band, (value >> (band * BAND_BITS)) & 0xFF


class BandIndex:
    """Multi-index hashing over 8 bands of 8 bits: candidates share at least one band."""

    def __init__(self) -> None:
        self._tables: list[dict[int, list[tuple[int, object]]]] = [
            defaultdict(list) for _ in range(BANDS)]

    def add(self, value: int, ref: object) -> None:
        for band, bits in bands(value):
            self._tables[band][bits].append((value, ref))

    def near(self, value: int, max_distance: int = MATCH_DISTANCE) -> dict[object, int]:
        """Every stored ref within max_distance bits of value, with its distance."""
        if max_distance >= BANDS:
            raise ValueError("the band index finds distances below the number of bands only")
        found: dict[object, int] = {}
        for band, bits in bands(value):
            for other, ref in self._tables[band].get(bits, ()):
                if ref not in found:
                    gap = distance(value, other)
                    if gap <= max_distance:
                        found[ref] = gap
        return found


def pairs_within(items: Iterable[tuple[object, int]],
                 max_distance: int = MATCH_DISTANCE) -> list[tuple[object, object, int]]:
    """Every pair (earlier ref, later ref, distance) within max_distance, in input order."""
    index, pairs = BandIndex(), []
    for ref, value in items:
        for other, gap in index.near(value, max_distance).items():
            pairs.append((other, ref, gap))
        index.add(value, ref)
    return pairs


def phash_of_bytes(data: bytes) -> str | None:
    """The pHash of an image file's bytes; None when Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return phash_hex(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
