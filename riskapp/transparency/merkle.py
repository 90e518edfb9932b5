"""The Merkle tree of RFC 9162 §2.1, read from stored hashes of complete subtrees.

Pure: hashlib only (no Flask, no SQLAlchemy). The tree is never walked leaf by leaf: every complete
aligned subtree (2**level leaves starting at index * 2**level) has its hash stored once, when its
last leaf is appended (``nodes_after_append``), and a root, an audit path or a consistency proof
reads O(log n) of them through a ``Store`` (``get(level, index) -> bytes``). Level 0 is the leaf
hashes. The verification functions follow §2.1.3.2 and §2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = HASH()


class Store(Protocol):
    def get(self, level: int, index: int) -> bytes:
        """The hash of the complete subtree of 2**level leaves starting at index * 2**level."""


@dataclass(frozen=True)
class Node:
    level: int
    index: int
    hash: bytes


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    path: tuple[bytes, ...]


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    path: tuple[bytes, ...]


def leaf_hash(leaf_input: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + leaf_input).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def nodes_after_append(store: Store, index: int, hashed_leaf: bytes) -> tuple[Node, ...]:
    """The subtree hashes that leaf ``index`` completes, level 0 (the leaf) first: one per
    trailing 1-bit of the index, each from its stored left sibling (at most log2 n reads)."""
    nodes = [Node(0, index, hashed_leaf)]
    current, position, level = hashed_leaf, index, 0
    while position & 1:
        current = node_hash(store.get(level, position - 1), current)
        position >>= 1
        level += 1
        nodes.append(Node(level, position, current))
    return tuple(nodes)


def _subtree(store: Store, start: int, size: int) -> bytes:
    """MTH(D[start:start+size]); start is aligned to the largest power of two ≤ size, as every
    subtree of the RFC's recursion is, so the left part is always one stored node."""
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return store.get(level, start >> level)
    k = split_point(size)
    return node_hash(_subtree(store, start, k), _subtree(store, start + k, size - k))


def root_hash(store: Store, size: int) -> bytes:
    if size < 0:
        raise ValueError("tree size must not be negative")
    return EMPTY_ROOT if size == 0 else _subtree(store, 0, size)


def inclusion_proof(store: Store, leaf_index: int, tree_size: int) -> InclusionProof:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, leaf side first."""
    if not 0 <= leaf_index < tree_size:
        raise ValueError("leaf index outside the tree")
    path, start, index, size = [], 0, leaf_index, tree_size
    while size > 1:
        k = split_point(size)
        if index < k:
            path.append(_subtree(store, start + k, size - k))
            size = k
        else:
            path.append(_subtree(store, start, k))
            start, index, size = start + k, index - k, size - k
    return InclusionProof(leaf_index, tree_size, tuple(reversed(path)))


def consistency_proof(store: Store, first: int, second: int) -> ConsistencyProof:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1 (empty for m = 0 or m = n)."""
    if not 0 <= first <= second:
        raise ValueError("need 0 <= first <= second")
    if first in (0, second):
        return ConsistencyProof(first, second, ())
    path, start, m, n, whole = [], 0, first, second, True
    while m != n:
        k = split_point(n)
        if m <= k:
            path.append(_subtree(store, start + k, n - k))
            n = k
        else:
            path.append(_subtree(store, start, k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        path.append(_subtree(store, start, n))
    return ConsistencyProof(first, second, tuple(reversed(path)))


def _well_formed(path: tuple[bytes, ...]) -> bool:
    return all(isinstance(p, bytes) and len(p) == HASH_SIZE for p in path)


def _shift_until_set(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift both until LSB(fn) is set or fn is 0."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(hashed_leaf: bytes, proof: InclusionProof, root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if proof.leaf_index >= proof.tree_size or proof.leaf_index < 0 or not _well_formed(proof.path):
        return False
    fn, sn, r = proof.leaf_index, proof.tree_size - 1, hashed_leaf
    for p in proof.path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_until_set(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def _trivially_consistent(proof: ConsistencyProof, first_root: bytes, second_root: bytes) -> bool:
    if proof.first < 0 or proof.second < proof.first or proof.path:
        return False
    if proof.first == 0:
        return True
    return proof.first == proof.second and first_root == second_root


def verify_consistency(proof: ConsistencyProof, first_root: bytes, second_root: bytes) -> bool:
    """RFC 9162 §2.1.4.2, plus its edge cases as transparency-dev does: any tree is consistent
    with the empty one (empty proof), and a tree with itself (empty proof, equal roots)."""
    first, second, path = proof.first, proof.second, list(proof.path)
    if first <= 0 or second <= first or not path or not _well_formed(proof.path):
        return _trivially_consistent(proof, first_root, second_root)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_until_set(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


class MemoryStore:
    """Every level's hashes in one bytearray (32 bytes each): tests, the bench, offline tools."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = []
        self.size = 0

    def get(self, level: int, index: int) -> bytes:
        return bytes(self.levels[level][index * HASH_SIZE:(index + 1) * HASH_SIZE])

    def append(self, leaf_input: bytes) -> int:
        """Append one leaf through the same path as the database; returns its index."""
        return self.append_hash(leaf_hash(leaf_input))

    def append_hash(self, hashed_leaf: bytes) -> int:
        index = self.size
        for node in nodes_after_append(self, index, hashed_leaf):
            if node.level == len(self.levels):
                self.levels.append(bytearray())
            self.levels[node.level] += node.hash
        self.size += 1
        return index
