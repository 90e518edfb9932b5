"""The outbox's states: an item is added with its data, claimed with a lease, then done or failed.

Every change is a conditional UPDATE (on status, attempts and worker), so two dispatchers or two
workers racing for one item never both win. Callers commit; the worker-side steps commit
themselves because they run outside any request.
"""

from __future__ import annotations

import importlib
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskapp.db import db
from riskapp.models import JobStatus, WorkItem
from riskapp.models.types import utcnow
from riskapp.models.work import LIVE

QUEUED, RUNNING, DONE, FAILED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE,
                                 JobStatus.FAILED)
KEEP_DONE = timedelta(days=7)


@dataclass(frozen=True)
class TaskSpec:
    """How long one attempt may take (its lease), how many attempts, what giving up means."""

    budget: int = 120
    attempts: int = 3
    # Called with the item's arguments and the reason, in the transaction that fails the item.
    on_give_up: Callable[..., None] | None = None
    # Called with the item's arguments when a person retries a failed item.
    on_retry: Callable[..., None] | None = None
    # The wait before attempt n+1, given n; None: config JOB_RETRY_DELAYS.
    backoff: Callable[[int], timedelta] | None = None


_SPECS: dict[str, TaskSpec] = {}


class RetryAfter(Exception):
    """Raised by a task whose target asked it to wait (HTTP 429 Retry-After, a provider's rate
    limit): the next attempt waits at least ``seconds``, longer if the backoff says so."""

    def __init__(self, seconds: float, reason: str):
        super().__init__(reason)
        self.seconds = max(0.0, float(seconds))


def task(**spec):
    """Register a background task ("module:function") with its TaskSpec settings."""
    def register(function):
        _SPECS[f"{function.__module__}:{function.__name__}"] = TaskSpec(**spec)
        return function

    return register


def resolve(name: str):
    module_name, _, function_name = name.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def spec_of(name: str) -> TaskSpec:
    resolve(name)  # importing the module registers its spec
    return _SPECS.get(name, TaskSpec())


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


# --------------------------------------------------------------------------- the request's side


def _live(key: str) -> WorkItem | None:
    return db.session.scalar(
        select(WorkItem).where(WorkItem.key == key, WorkItem.status.in_((QUEUED, RUNNING)))
    )


def add(name: str, args: Iterable, key: str | None = None,
        province_id: int | None = None, not_before: datetime | None = None) -> WorkItem:
    """A new queued item, flushed in the caller's transaction; with ``key``, the live item of
    that key if there is one (a database guarantee: a partial unique index). ``not_before``
    holds it back until then (the dispatcher hands it over when it is due)."""
    db.session.flush()  # the caller's pending rows first: the insert below bypasses the unit
    spec, config, now = spec_of(name), current_app.config, utcnow()
    due = max(now, not_before) if not_before is not None else now
    item = WorkItem(
        task=name, args=list(args), key=key, province_id=province_id, status=QUEUED,
        attempts=0, max_attempts=int(config.get("JOB_MAX_ATTEMPTS") or spec.attempts),
        budget_seconds=int(config.get("JOB_BUDGET_SECONDS") or spec.budget),
        # Handed over right after the commit; if that hand-over is lost, the dispatcher's
        # grace period starts now.
        available_at=due, handed_at=now, created_at=now,
    )
    if key is None:
        db.session.add(item)
        db.session.flush()
        return item
    # ON CONFLICT against the partial unique index, not a savepoint: on SQLite a savepoint
    # opened before the first write commits the whole transaction when it is released.
    values = {column.key: getattr(item, column.key) for column in WorkItem.__table__.columns
              if column.key != "id"}
    insert = dialect_insert(db.session.get_bind().dialect.name)
    inserted = db.session.execute(
        insert(WorkItem).values(**values)
        .on_conflict_do_nothing(index_elements=[WorkItem.key], index_where=LIVE)
        .returning(WorkItem.id)
    ).scalar()
    return db.session.get(WorkItem, inserted) if inserted is not None else _live(key)


def dialect_insert(dialect: str):
    """INSERT with ON CONFLICT DO NOTHING for this backend (PostgreSQL or SQLite)."""
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


# --------------------------------------------------------------------------- the worker's side


def claim(item_id: int, worker: str, any_time: bool = False) -> WorkItem | None:
    """Take a queued item for ``worker`` with a lease of its budget; None if another has it,
    it is finished, or (unless ``any_time``) it waits for a later retry. Commits."""
    item = db.session.get(WorkItem, item_id, populate_existing=True)
    now = utcnow()
    if item is None or item.status != QUEUED or (not any_time and _aware(item.available_at) > now):
        db.session.rollback()
        return None
    taken = db.session.execute(
        update(WorkItem)
        .where(WorkItem.id == item_id, WorkItem.status == QUEUED,
               WorkItem.attempts == item.attempts)
        .values(status=RUNNING, attempts=item.attempts + 1, started_at=now, worker=worker,
                lease_until=now + timedelta(seconds=item.budget_seconds))
    ).rowcount
    db.session.commit()
    if not taken:
        return None
    return db.session.get(WorkItem, item_id, populate_existing=True)


def _mine(item_id: int, worker: str):
    return (WorkItem.id == item_id, WorkItem.status == RUNNING, WorkItem.worker == worker)


def finish(item_id: int, worker: str) -> None:
    """The item ran to its end (unless its lease was taken over meanwhile). Commits."""
    db.session.execute(
        update(WorkItem).where(*_mine(item_id, worker))
        .values(status=DONE, finished_at=utcnow(), lease_until=None, last_error=None)
    )
    db.session.commit()


def retry_delay(attempts: int) -> timedelta:
    delays = current_app.config.get("JOB_RETRY_DELAYS", (10, 60))
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1] if delays else 0)


def fail(item_id: int, worker: str, error: str, wait_at_least: float = 0) -> None:
    """An attempt raised: queue the next attempt after a delay (at least ``wait_at_least``
    seconds: a RetryAfter), or give up. Commits."""
    db.session.rollback()
    item = db.session.get(WorkItem, item_id, populate_existing=True)
    if item is None or item.status != RUNNING or item.worker != worker:
        return
    backoff = spec_of(item.task).backoff or retry_delay
    delay = max(backoff(item.attempts), timedelta(seconds=wait_at_least))
    _after_attempt(item, f"attempt {item.attempts}: {error}"[:2000], delay)
    db.session.commit()


def _after_attempt(item: WorkItem, reason: str, delay: timedelta) -> bool:
    """Queue the item again, or fail it for good; False if another process changed it first."""
    values: dict = {"worker": None, "lease_until": None, "last_error": reason}
    if item.attempts >= item.max_attempts:
        values |= {"status": FAILED, "finished_at": utcnow()}
    else:
        values |= {"status": QUEUED, "available_at": utcnow() + delay, "handed_at": None}
    changed = db.session.execute(
        update(WorkItem)
        .where(WorkItem.id == item.id, WorkItem.status == RUNNING,
               WorkItem.attempts == item.attempts)
        .values(**values)
    ).rowcount
    if changed and values["status"] == FAILED:
        _give_up_hook(item, reason)
    return bool(changed)


def _give_up_hook(item: WorkItem, reason: str) -> None:
    hook = spec_of(item.task).on_give_up
    if hook is not None:
        hook(*item.args, reason=reason)


# --------------------------------------------------------------------------- the dispatcher's side


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def worker_is_gone(worker: str | None) -> bool:
    """Is ``worker`` ("host:pid") a process of this machine that no longer runs?"""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")  # a zombie is gone
    except FileNotFoundError:
        return True
    except OSError:
        return False


def expire_leases(now: datetime) -> int:
    """Queue again (or fail) every running item whose lease ran out or whose worker died."""
    running = db.session.scalars(select(WorkItem).where(WorkItem.status == RUNNING)).all()
    expired = 0
    for item in running:
        lease_over = _aware(item.lease_until) is None or _aware(item.lease_until) < now
        if not (lease_over or worker_is_gone(item.worker)):
            continue
        cause = (f"the worker stopped before it finished ({item.worker})" if not lease_over
                 else f"no result within {item.budget_seconds} s ({item.worker})")
        expired += _after_attempt(item, f"attempt {item.attempts}: {cause}", timedelta(0))
    db.session.commit()
    return expired


def forget_hand_overs(item_ids: Iterable[int]) -> None:
    """These items' hand-overs were lost (their pool broke): hand them again at once."""
    ids = list(item_ids)
    if ids:
        db.session.execute(update(WorkItem).where(WorkItem.id.in_(ids), WorkItem.status == QUEUED)
                           .values(handed_at=None))
        db.session.commit()


def take_hand_overs(now: datetime, grace: timedelta, limit: int = 200) -> list[int]:
    """Queued items due and not handed over within ``grace``: marked handed now. Commits."""
    stale = or_(WorkItem.handed_at.is_(None), WorkItem.handed_at < now - grace)
    due = db.session.execute(
        select(WorkItem.id, WorkItem.handed_at)
        .where(WorkItem.status == QUEUED, WorkItem.available_at <= now, stale)
        .order_by(WorkItem.available_at, WorkItem.id).limit(limit)
    ).all()
    taken = []
    for item_id, handed_at in due:
        same = (WorkItem.handed_at.is_(None) if handed_at is None
                else WorkItem.handed_at == handed_at)
        if db.session.execute(update(WorkItem).where(WorkItem.id == item_id,
                                                     WorkItem.status == QUEUED, same)
                              .values(handed_at=now)).rowcount:
            taken.append(item_id)
    db.session.commit()
    return taken


def prune(now: datetime) -> int:
    """Forget items done more than a week ago (failed ones stay until retried or cleared)."""
    removed = db.session.execute(
        delete(WorkItem).where(WorkItem.status == DONE, WorkItem.finished_at < now - KEEP_DONE)
    ).rowcount
    db.session.commit()
    return removed


def retry(item: WorkItem) -> WorkItem:
    """A person asks a failed item to run again (fresh attempts); flushes. Two clicks at once
    queue it once: the update is conditional on the item still being failed."""
    if item.status != FAILED:
        return item
    if item.key is not None and (other := _live(item.key)) is not None:
        return other
    now = utcnow()
    changed = db.session.execute(
        update(WorkItem).where(WorkItem.id == item.id, WorkItem.status == FAILED)
        .values(status=QUEUED, attempts=0, worker=None, available_at=now, handed_at=now,
                finished_at=None, lease_until=None)
    ).rowcount
    db.session.refresh(item)
    hook = spec_of(item.task).on_retry
    if changed and hook is not None:
        hook(*item.args)
    db.session.flush()
    return item
