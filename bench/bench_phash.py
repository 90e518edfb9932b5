"""Photo-reuse detection: pHash per photo and matching over 100,000 photos.

Run: python bench/bench_phash.py. Prints, side by side with its reference:
- hashing a phone-sized JPEG (1600 × 1200) vs what the upload already costs (decode, re-encode,
  thumbnail: riskapp.evidence.services.checked_content);
- every pair within 6 bits among 100,000 hashes with the 8-band index vs brute force (all pairs of
  5,000 measured, scaled by n² to 100,000);
- one new photo against the 100,000 (what a submit's scan does) vs a linear scan.
The machine's load average is printed with the figures (other work on the machine slows them).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskapp import create_app  # noqa: E402
from riskapp.evidence.services import Upload, checked_content  # noqa: E402
from riskapp.forensics import phash  # noqa: E402
from tests.forensics.images import jpeg, scene  # noqa: E402

PHOTOS = 12
HASHES = 100_000
BRUTE_SAMPLE = 5_000


def _ms(function, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) * 1000 / repeat


def hashing_rate() -> tuple[float, float]:
    files = [jpeg(scene(seed, size=(1600, 1200)), quality=85) for seed in range(PHOTOS)]
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False})
    files_iter = iter(files * 2)
    hash_ms = _ms(lambda: phash.phash_of_bytes(next(files_iter)), PHOTOS)
    with app.test_request_context():
        files_iter = iter(files * 2)
        upload_ms = _ms(lambda: checked_content(Upload("x.jpg", next(files_iter))), PHOTOS)
    return hash_ms, upload_ms


def synthetic_hashes(count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Random hashes with 1 % near copies (0–6 bits changed) planted among them."""
    values = [rng.getrandbits(64) for _ in range(count - count // 100)]
    for _ in range(count // 100):
        value = rng.choice(values)
        for bit in rng.sample(range(64), rng.randint(0, phash.MATCH_DISTANCE)):
            value ^= 1 << bit
        values.append(value)
    return list(enumerate(values))


def brute_pairs(items) -> int:
    found = 0
    for position, (_ref, value) in enumerate(items):
        for _other, other_value in items[position + 1:]:
            found += (value ^ other_value).bit_count() <= phash.MATCH_DISTANCE
    return found


def main() -> None:
    hash_ms, upload_ms = hashing_rate()
    rng = random.Random(2026)
    items = synthetic_hashes(HASHES, rng)
    start = time.perf_counter()
    pairs = phash.pairs_within(items)
    index_s = time.perf_counter() - start
    sample = items[:BRUTE_SAMPLE]
    start = time.perf_counter()
    brute_pairs(sample)
    brute_s = (time.perf_counter() - start) * (HASHES / BRUTE_SAMPLE) ** 2
    index = phash.BandIndex()
    for ref, value in items:
        index.add(value, ref)
    probes = [rng.choice(items)[1] for _ in range(200)]
    probe_iter = iter(probes)
    near_ms = _ms(lambda: index.near(next(probe_iter)), len(probes))
    target = probes[0]
    linear_ms = _ms(lambda: [ref for ref, value in items
                             if (value ^ target).bit_count() <= phash.MATCH_DISTANCE], 3)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"machine load (1/5/15 min): {load}; {os.cpu_count()} cores")
    print(f"{'measure':<52}{'riskapp':>14}{'reference':>14}")
    print(f"{'pHash of a 1600x1200 JPEG (ms) vs upload checks':<52}{hash_ms:>14.1f}"
          f"{upload_ms:>14.1f}")
    print(f"{'all pairs <= 6 bits, 100,000 photos (s) vs brute':<52}{index_s:>14.2f}"
          f"{brute_s:>14.0f}")
    print(f"{'one photo against 100,000 (ms) vs linear scan':<52}{near_ms:>14.3f}"
          f"{linear_ms:>14.1f}")
    print(f"pairs found: {len(pairs)} (1,000 near copies planted)")


if __name__ == "__main__":
    main()
