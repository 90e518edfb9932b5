"""notify(): one message per dedup key, one delivery per enabled channel; preferences, quiet
hours, the in-app inbox and the delivery log. Adds and flushes, never commits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from flask import abort
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from riskapp import clock, jobs, territory
from riskapp.auditlog import record
from riskapp.db import db
from riskapp.jobs.outbox import dialect_insert
from riskapp.models import Notification, NotificationDelivery, NotificationSettings, User
from riskapp.models.types import utcnow
from riskapp.models.webhook import DeliveryStatus
from riskapp.notifications.channels import configured
from riskapp.notifications.kinds import CHANNELS, DEFAULT_CHANNELS, INAPP, KINDS, SMS, ZNS
from riskapp.pagination import Page, paginate
from riskapp.tenancy import get_own_or_404, get_province_or_platform_or_404, owned
from riskapp.tenancy import province_or_platform as _province_or_platform

TASK = "riskapp.notifications.delivery:deliver_task"
SHOWN = 100
PHONE_CHANNELS = (SMS, ZNS)


def language_of(user: User) -> str:
    return user.locale if user.locale in ("vi", "en") else "vi"


# --------------------------------------------------------------------------- preferences


def settings_of(user: User) -> NotificationSettings:
    """The user's settings row (a new, unsaved one with the defaults if none)."""
    return db.session.get(NotificationSettings, user.id) or NotificationSettings(
        user_id=user.id, channels={})


def chosen_channels(user: User, kind: str) -> list[str]:
    chosen = (settings_of(user).channels or {}).get(kind)
    return [INAPP, *[c for c in (chosen if chosen is not None else DEFAULT_CHANNELS)
                     if c != INAPP]]


def enabled_channels(user: User, kind: str) -> list[str]:
    """The channels this message goes out on: chosen, configured, and reachable (a phone)."""
    return [channel for channel in chosen_channels(user, kind)
            if configured(channel, kind) and (channel not in PHONE_CHANNELS or user.phone)]


def save_settings(user: User, channels: dict[str, list[str]], phone: str | None,
                  quiet_start: time | None, quiet_end: time | None) -> NotificationSettings:
    settings = settings_of(user)
    settings.channels = {kind: sorted(c for c in channels.get(kind, []) if c in CHANNELS)
                         for kind in KINDS}
    settings.quiet_start, settings.quiet_end = quiet_start, quiet_end
    user.phone = phone
    db.session.add(settings)
    db.session.flush()
    return settings


def quiet_until(settings: NotificationSettings, zone, now: datetime) -> datetime | None:
    """The end of the quiet hours (UTC) if ``now`` falls inside them, else None. The hours are
    wall-clock times in ``zone``; a window like 22:00–06:00 runs over midnight."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if start < end:
        inside, days = start <= wall < end, 0
    else:
        inside, days = wall >= start or wall < end, 1 if wall >= start else 0
    if not inside:
        return None
    ends = datetime.combine(local.date() + timedelta(days=days), end)
    return ends.replace(tzinfo=zone).astimezone(now.tzinfo)


# --------------------------------------------------------------------------- notify


def notify(user: User, kind: str, render: Callable[[str], tuple[str, str]], *, dedup_key: str,
           context: dict | None = None, urgent: bool = False) -> Notification | None:
    """Record a message to ``user`` once per ``dedup_key`` and queue its deliveries; None when
    that key was recorded already (nothing more is sent). ``render(lang)`` gives (subject,
    body) and runs in the user's language; ``context`` holds plain values for Zalo templates.
    Quiet hours hold back every channel but the app's unless ``urgent``."""
    lang = language_of(user)
    with force_locale(lang):
        subject, body = render(lang)
    db.session.flush()
    now = utcnow()
    values = dict(user_id=user.id, province_id=user.province_id, kind=kind,
                  dedup_key=dedup_key[:200], subject=subject[:300], body=body,
                  context=context or {}, urgent=urgent, created_at=now)
    insert = dialect_insert(db.session.get_bind().dialect.name)
    new_id = db.session.execute(
        insert(Notification).values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.dedup_key])
        .returning(Notification.id)).scalar()
    if new_id is None:
        return None
    zone = clock.zone(territory.province_zone(user.province_id))
    held = None if urgent else quiet_until(settings_of(user), zone, now)
    for channel in enabled_channels(user, kind):
        if channel != INAPP:
            row = NotificationDelivery(notification_id=new_id, province_id=user.province_id,
                                       channel=channel, status=DeliveryStatus.PENDING,
                                       attempts=0, not_before=held, created_at=now)
            db.session.add(row)
            db.session.flush()
            enqueue(row)
    return db.session.get(Notification, new_id)


def enqueue(row: NotificationDelivery) -> None:
    jobs.enqueue(TASK, row.id, key=f"notify:{row.id}", province_id=row.province_id,
                 not_before=row.not_before)


# --------------------------------------------------------------------------- the inbox


def inbox(limit: int = SHOWN) -> list[Notification]:
    return list(db.session.scalars(
        owned(select(Notification), Notification)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(notification_id: int) -> None:
    notification = get_own_or_404(Notification, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()


def mark_all_read(user_id: int) -> int:
    return db.session.execute(
        update(Notification).where(Notification.user_id == user_id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount


# --------------------------------------------------------------------------- the delivery log


def deliveries(status: str | None = None, channel: str | None = None,
               number: int | None = 1) -> Page:
    """One page of the delivery log (newest first), of one status and channel when given."""
    statement = _province_or_platform(select(NotificationDelivery), NotificationDelivery)
    if status is not None:
        statement = statement.where(NotificationDelivery.status == status)
    if channel is not None:
        statement = statement.where(NotificationDelivery.channel == channel)
    return paginate(statement.options(joinedload(NotificationDelivery.notification)
                                      .joinedload(Notification.user))
                    .order_by(NotificationDelivery.id.desc()), number,
                    row=lambda delivery: delivery)


def retry(delivery_id: int, user: User) -> bool:
    """Queue a dead delivery again; False if it is no longer dead (two clicks at once)."""
    row = get_province_or_platform_or_404(NotificationDelivery, delivery_id)
    if row is None:
        abort(404)
    claimed = db.session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id == row.id,
               NotificationDelivery.status == DeliveryStatus.DEAD)
        .values(status=DeliveryStatus.PENDING, last_error=None, not_before=None)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return False
    db.session.refresh(row)
    enqueue(row)
    record("notification_retried", object_type="notification_delivery", user=user,
           details={"delivery_id": row.id, "channel": row.channel})
    return True
