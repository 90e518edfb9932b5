"""What is on disk under a folder, and a storage that fills up mid-write."""

from __future__ import annotations

import errno
from pathlib import Path


def files_under(root: Path) -> list[str]:
    """Every file below root (temporary ones included), as paths relative to it."""
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class _HalfWriter:
    """A file that takes half of what is written, then reports a full disk."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data) -> int:
        self._handle.write(bytes(data[: len(data) // 2]))
        self._handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def full_disk(monkeypatch, after: int) -> list[Path]:
    """Storage fills up: the first `after` files opened for writing are written whole, every
    later one fails half-way (as root, chmod stops no write, so the fault is injected).
    Returns the paths opened for writing."""
    real_open = Path.open
    opened: list[Path] = []

    def open_(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        if "w" not in mode:
            return handle
        opened.append(self)
        return handle if len(opened) <= after else _HalfWriter(handle)

    monkeypatch.setattr(Path, "open", open_)
    return opened
