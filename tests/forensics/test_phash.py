"""The perceptual hash matches copies of a photo and not other photos; the band index finds
exactly the pairs brute force finds."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from riskapp.forensics import phash
from tests.forensics.images import cropped, reencoded, resized, scene


def _hash(image) -> int:
    return int(phash.phash_hex(image), 16)


@pytest.mark.parametrize("copy", [reencoded, resized, lambda image: cropped(image, 0.02),
                                  lambda image: resized(reencoded(cropped(image, 0.015)))],
                         ids=["re-encoded", "resized", "cropped 2 %", "all three"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_copy_of_a_photo_matches(copy, seed):
    original = scene(seed)
    assert phash.distance(_hash(original), _hash(copy(original))) <= phash.MATCH_DISTANCE


def test_different_photos_do_not_match():
    hashes = [_hash(scene(seed)) for seed in range(1, 9)]
    gaps = [phash.distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(gaps) > phash.MATCH_DISTANCE * 2


def test_a_flat_picture_is_not_compared():
    flat = _hash(Image.new("RGB", (400, 300), (30, 140, 60)))
    assert not phash.is_informative(flat)
    assert phash.is_informative(_hash(scene(4)))


def test_the_hash_is_sixteen_hex_digits_and_none_for_a_non_picture():
    assert len(phash.phash_hex(scene(5))) == 16
    assert phash.phash_of_bytes(b"%PDF-1.4 not a picture") is None


def _near(rng, value: int, bits: int) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


def test_the_band_index_finds_every_pair_brute_force_finds():
    rng = random.Random(7)
    values = [rng.getrandbits(64) for _ in range(600)]
    # Plant near copies at every distance up to the threshold and a little beyond.
    values += [_near(rng, rng.choice(values), rng.randint(0, 9)) for _ in range(300)]
    items = list(enumerate(values))
    brute = {(i, j, phash.distance(a, b)) for i, a in items for j, b in items[i + 1:]
             if phash.distance(a, b) <= phash.MATCH_DISTANCE}
    assert len(brute) >= 150
    assert set(phash.pairs_within(items)) == brute


def test_the_index_refuses_a_distance_it_cannot_guarantee():
    with pytest.raises(ValueError):
        phash.BandIndex().near(0, max_distance=phash.BANDS)
