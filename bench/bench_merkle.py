"""Merkle proofs at 10^3 … 10^7 leaves: proof size and generation / verification time, beside
⌈log2 n⌉. One tree of 10^7 leaves is built in memory through merkle.MemoryStore.append_hash (the
append path the database uses: nodes_after_append); each smaller size is a prefix of it, since
stored complete subtrees never change. Run: python bench/bench_merkle.py (about a minute)."""

from __future__ import annotations

import hashlib
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskapp.transparency import merkle  # noqa: E402

SIZES = (10**3, 10**4, 10**5, 10**6, 10**7)
REPEAT = 200


class Counting:
    def __init__(self, store):
        self.store, self.reads = store, 0

    def get(self, level, index):
        self.reads += 1
        return self.store.get(level, index)


def _timed(function, repeat: int = REPEAT) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat * 1e6  # µs


def build(size: int) -> tuple[merkle.MemoryStore, float]:
    store = merkle.MemoryStore()
    start = time.perf_counter()
    sha = hashlib.sha256
    for i in range(size):
        # The leaf hash of a leaf input; the input itself is what the log's rows hold.
        store.append_hash(sha(b"\x00" + i.to_bytes(8, "big")).digest())
    return store, time.perf_counter() - start


def row(store, n: int, rng: random.Random) -> str:
    index, first = rng.randrange(n), rng.randrange(1, n)
    counting = Counting(store)
    inclusion = merkle.inclusion_proof(counting, index, n)
    consistency = merkle.consistency_proof(store, first, n)
    root, old_root = merkle.root_hash(store, n), merkle.root_hash(store, first)
    leaf = store.get(0, index)
    assert merkle.verify_inclusion(leaf, inclusion, root)
    assert merkle.verify_consistency(consistency, old_root, root)
    gen_i = _timed(lambda: merkle.inclusion_proof(store, index, n))
    ver_i = _timed(lambda: merkle.verify_inclusion(leaf, inclusion, root))
    gen_c = _timed(lambda: merkle.consistency_proof(store, first, n))
    ver_c = _timed(lambda: merkle.verify_consistency(consistency, old_root, root))
    li, lc = len(inclusion.path), len(consistency.path)
    return (f"| {n:>10,} | {math.ceil(math.log2(n)):>2} | {li:>2} ({li * 32:>4} B) | "
            f"{counting.reads:>3} | {gen_i:>6.1f} | {ver_i:>6.1f} | {lc:>2} ({lc * 32:>4} B) | "
            f"{gen_c:>6.1f} | {ver_c:>6.1f} |")


def main() -> None:
    rng = random.Random(18)
    store, seconds = build(SIZES[-1])
    print(f"built {SIZES[-1]:,} leaves in {seconds:.1f} s "
          f"({seconds / SIZES[-1] * 1e6:.2f} µs per append); load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    print("| leaves n | ⌈log₂ n⌉ | inclusion path | reads | gen µs | verify µs "
          "| consistency path | gen µs | verify µs |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        print(row(store, n, rng))
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
