"""The pure Merkle core against RFC 9162 §2.1 computed naively: every proof verifies against the
recursive definition's root, and fails when one byte, the size or the index is off."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from functools import cache, lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskapp.transparency import merkle
from riskapp.transparency.merkle import ConsistencyProof, InclusionProof

MAX_SIZE = 3000


def _input(i: int) -> bytes:
    return f"leaf {i}".encode()


def naive_mth(items: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 §2.1.1 defines it (no stored nodes)."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b"\x01" + naive_mth(items[:k]) + naive_mth(items[k:])).digest()


@lru_cache(maxsize=1)
def _tree() -> merkle.MemoryStore:
    store = merkle.MemoryStore()
    for i in range(MAX_SIZE):
        store.append(_input(i))
    return store


@cache
def _root(size: int) -> bytes:
    return naive_mth([_input(i) for i in range(size)])


class CountingStore:
    def __init__(self, inner):
        self.inner, self.reads = inner, 0

    def get(self, level, index):
        self.reads += 1
        return self.inner.get(level, index)


def _flip(data: bytes, position: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


def _check_inclusion(index: int, size: int, byte: int) -> None:
    proof = merkle.inclusion_proof(_tree(), index, size)
    leaf = merkle.leaf_hash(_input(index))
    root = _root(size)
    assert merkle.verify_inclusion(leaf, proof, root)
    assert not merkle.verify_inclusion(_flip(leaf, byte), proof, root)
    assert not merkle.verify_inclusion(leaf, proof, _flip(root, byte))
    for i in range(len(proof.path)):
        path = list(proof.path)
        path[i] = _flip(path[i], byte)
        assert not merkle.verify_inclusion(leaf, InclusionProof(index, size, tuple(path)), root)
    for other in {index - 1, index + 1} - {-1, size}:
        assert not merkle.verify_inclusion(leaf, InclusionProof(other, size, proof.path), root)
    # Another size: checked against that tree's own root, the proof fails.
    for other in {size - 1, size + 1} - {0, index, MAX_SIZE + 1}:
        assert not merkle.verify_inclusion(leaf, InclusionProof(index, other, proof.path),
                                           _root(other))


def _check_consistency(first: int, second: int, byte: int) -> None:
    proof = merkle.consistency_proof(_tree(), first, second)
    first_root, second_root = _root(first), _root(second)
    assert merkle.verify_consistency(proof, first_root, second_root)
    if first == 0:
        return
    assert not merkle.verify_consistency(proof, _flip(first_root, byte), second_root)
    assert not merkle.verify_consistency(proof, first_root, _flip(second_root, byte))
    for i in range(len(proof.path)):
        path = list(proof.path)
        path[i] = _flip(path[i], byte)
        assert not merkle.verify_consistency(ConsistencyProof(first, second, tuple(path)),
                                             first_root, second_root)
    for other in {first - 1, first + 1} - {0, second + 1}:
        if other != first:
            assert not merkle.verify_consistency(ConsistencyProof(other, second, proof.path),
                                                 _root(other), second_root)
    for other in {second - 1, second + 1} - {first - 1, MAX_SIZE + 1}:
        if other >= first and other != second:
            assert not merkle.verify_consistency(ConsistencyProof(first, other, proof.path),
                                                 first_root, _root(other))


def test_roots_match_the_recursive_definition_for_every_small_size():
    for size in range(0, 65):
        assert merkle.root_hash(_tree(), size) == _root(size)


@pytest.mark.parametrize("size", range(1, 65))
def test_every_inclusion_proof_of_small_trees(size):
    for index in range(size):
        _check_inclusion(index, size, byte=index * 7)


@pytest.mark.parametrize("second", range(1, 65))
def test_every_consistency_proof_of_small_trees(second):
    for first in range(0, second + 1):
        _check_consistency(first, second, byte=first * 5)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_inclusion_proofs_of_large_trees(data):
    size = data.draw(st.integers(1, MAX_SIZE))
    index = data.draw(st.integers(0, size - 1))
    _check_inclusion(index, size, data.draw(st.integers(0, 31)))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_consistency_proofs_of_large_trees(data):
    second = data.draw(st.integers(1, MAX_SIZE))
    first = data.draw(st.integers(0, second))
    _check_consistency(first, second, data.draw(st.integers(0, 31)))


def test_a_proof_of_ten_million_leaves_reads_log_n_hashes():
    class Synthetic:
        """Any hash for any node: counts the reads a proof at 10^7 leaves costs."""

        reads = 0

        def get(self, level, index):
            Synthetic.reads += 1
            return hashlib.sha256(f"{level}/{index}".encode()).digest()

    size = 10_000_000
    merkle.inclusion_proof(Synthetic(), 1234567, size)
    assert Synthetic.reads <= 2 * size.bit_length()
    Synthetic.reads = 0
    merkle.consistency_proof(Synthetic(), 7_654_321, size)
    assert Synthetic.reads <= 3 * size.bit_length()


def test_an_append_reads_at_most_log_n_stored_nodes():
    counting = CountingStore(_tree())
    nodes = merkle.nodes_after_append(counting, 2047, merkle.leaf_hash(b"x"))
    assert counting.reads == 11 and len(nodes) == 12


def test_empty_and_equal_trees():
    root = _root(5)
    assert merkle.verify_consistency(ConsistencyProof(0, 5, ()), merkle.EMPTY_ROOT, root)
    assert merkle.verify_consistency(ConsistencyProof(5, 5, ()), root, root)
    assert not merkle.verify_consistency(ConsistencyProof(5, 5, ()), root, _root(6))
    assert not merkle.verify_consistency(ConsistencyProof(3, 5, ()), _root(3), root)
    assert not merkle.verify_consistency(ConsistencyProof(6, 5, ()), root, root)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(_tree(), 5, 5)
    assert not merkle.verify_inclusion(b"\0" * 32, InclusionProof(5, 5, ()), root)


def test_the_core_imports_neither_flask_nor_sqlalchemy():
    # Loaded from its file: the package's __init__ holds the blueprint (Flask), the core must not.
    code = ("import importlib.util, sys; "
            "spec = importlib.util.spec_from_file_location('m', sys.argv[1]); "
            "module = sys.modules['m'] = importlib.util.module_from_spec(spec); "
            "spec.loader.exec_module(module); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'riskapp')))")
    done = subprocess.run([sys.executable, "-c", code, merkle.__file__], capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"
