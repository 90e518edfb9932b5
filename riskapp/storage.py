"""Files that follow the database: stage a file, published on commit, removed on rollback.

A staged file is written beside its final name (name + ".part") and renamed to it only once the
session's outermost transaction commits, so a reader never sees a half-written file nor a file
whose row was never stored. A rollback (of the transaction, or of the savepoint it was staged in)
or a session ending without a commit removes it; a failed write removes its partial file at once.
Removals wait for the commit the same way. Services stage; the request's one commit publishes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from riskapp.db import db

log = logging.getLogger(__name__)

PART = ".part"
_PENDING_KEY = "riskapp.storage.pending"


class StorageUnavailable(Exception):
    """A file could not be written (disk full, read-only, no permission); nothing of it remains."""


def unavailable_message() -> str:
    """What the user is told, in their language."""
    return _("The file could not be stored: the server's storage cannot be written to right now "
             "(it may be full or read-only). Nothing was saved; try again later or tell your "
             "administrator.")


@dataclass(frozen=True)
class _Pending:
    final: Path
    temporary: Path | None  # None: remove `final` on commit
    owner: SessionTransaction


def _temporary_of(final: Path) -> Path:
    return final.with_name(final.name + PART)


def stage(final: Path, data: bytes) -> Path:
    """Write data beside `final`, named so on commit; StorageUnavailable if storage refuses it."""
    try:
        with staging(final) as temporary:
            final.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                # On disk before the commit that names it, or a crash could leave a short file.
                os.fsync(handle.fileno())
    except OSError as error:
        log.error("storage: could not write %s: %s", final, error)
        raise StorageUnavailable(f"could not write {final.name}: {error}") from error
    return final


@contextmanager
def staging(final: Path) -> Iterator[Path]:
    """The temporary path to write `final` to: staged when the block ends, removed if it raises."""
    temporary = _temporary_of(final)
    try:
        yield temporary  # not staged yet: a commit while it is written must not publish it
    except BaseException:
        _remove_quietly(temporary)
        raise
    _pending(db.session).append(_Pending(final, temporary, _current_transaction(db.session)))


def remove_on_commit(path: Path) -> None:
    """Unlink `path` once the session commits; a rollback keeps it."""
    _pending(db.session).append(_Pending(path, None, _current_transaction(db.session)))


def _current_transaction(session: Session) -> SessionTransaction:
    return session.get_nested_transaction() or session.get_transaction() or session.begin()


def _pending(session: Session) -> list[_Pending]:
    if _PENDING_KEY not in session.info:
        session.info[_PENDING_KEY] = []
        # First among the commit listeners: work handed over after the commit may read the files.
        event.listen(session, "after_commit", _publish, insert=True)
        event.listen(session, "after_soft_rollback", _drop_rolled_back)
        event.listen(session, "after_transaction_end", _drop_uncommitted)
    return session.info[_PENDING_KEY]


def _publish(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy 2.1 reports a released savepoint as a commit: the rows are not stored yet.
        return
    pending, session.info[_PENDING_KEY] = session.info[_PENDING_KEY], []
    for entry in pending:
        try:
            if entry.temporary is None:
                entry.final.unlink(missing_ok=True)
            else:
                os.replace(entry.temporary, entry.final)
        except OSError as error:
            # The rows are committed: raising here would only hide that from the caller.
            log.error("storage: %s not published after the commit: %s", entry.final, error)


def _within(owner: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while owner is not None:
        if owner is ended:
            return True
        owner = owner.parent
    return False


def _drop(session: Session, ended: SessionTransaction) -> None:
    """Forget what was staged in `ended` (or a savepoint inside it), removing staged files."""
    kept = []
    for entry in session.info[_PENDING_KEY]:
        if not _within(entry.owner, ended):
            kept.append(entry)
        elif entry.temporary is not None:
            _remove_quietly(entry.temporary)
    session.info[_PENDING_KEY] = kept


def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    _drop(session, previous_transaction)


def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # A commit has published everything by now; whatever remains was never committed.
    if transaction.parent is None:
        _drop(session, transaction)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("storage: could not remove %s: %s", path, error)


def sweep_parts(root: Path, older_than_seconds: float = 86400.0) -> int:
    """Remove staged files a crash left behind (between a commit and its rename, or a killed
    worker mid-write): any ".part" under `root` untouched for longer than any write takes."""
    cutoff = time.time() - older_than_seconds
    removed = 0
    for leftover in root.rglob("*" + PART) if root.is_dir() else ():
        try:
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed += 1
        except OSError as error:
            log.warning("could not remove the leftover %s: %s", leftover, error)
    return removed
