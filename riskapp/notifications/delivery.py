"""Sending one notification delivery (a background task per delivery, key notify:<id>).

The webhook deliveries' pieces serve here too: their backoff (exponential, capped), their
close / attempt_failed steps (same columns) and the outbox's retries and give-up hook. A
permanent refusal closes the delivery as dead at once with the provider's reason; a rate limit
raises RetryAfter so the next attempt waits as long as the provider asked.

Sent at most once as far as we can tell: the row is locked, sent, and marked delivered in one
short transaction; a worker killed between the provider's answer and that commit leaves the
row pending and it is sent again, with the same Message-ID / RequestId / tracking_id, which
the receiver can use to drop the repeat."""

from __future__ import annotations

from datetime import timedelta

from riskapp import jobs
from riskapp.db import db
from riskapp.models import NotificationDelivery, User
from riskapp.models.types import utcnow
from riskapp.models.webhook import DeliveryStatus
from riskapp.notifications import channels
from riskapp.notifications.kinds import EMAIL, SMS, ZNS
from riskapp.webhooks.delivery import (
    ATTEMPTS,
    attempt_failed,
    backoff,
    close,
    delivery_hooks,
    open_delivery,
)


def message_id(row: NotificationDelivery) -> str:
    return f"<notification-{row.id}@riskapp>"


def _send(row: NotificationDelivery, user: User) -> str:
    notification = row.notification
    if row.channel == EMAIL:
        return channels.send_email(user.email, notification.subject, notification.body,
                                   message_id(row))
    if not user.phone:
        raise channels.Permanent("no phone number")
    if row.channel == SMS:
        return channels.send_sms(user.phone, f"{notification.subject}\n{notification.body}",
                                 f"riskapp-{row.id}")
    if row.channel == ZNS:
        return channels.send_zns(user.phone, notification.kind, notification.context or {},
                                 f"riskapp-{row.id}")
    raise channels.Permanent(f"unknown channel {row.channel}")


@jobs.task(budget=60, attempts=ATTEMPTS, **delivery_hooks(NotificationDelivery))
def deliver_task(delivery_id: int) -> str:
    row = open_delivery(NotificationDelivery, delivery_id)
    if row is None:
        return "nothing to do"
    user = db.session.get(User, row.notification.user_id)
    if not channels.configured(row.channel, row.notification.kind):
        return close(row, DeliveryStatus.DEAD, error="channel not configured on this site")
    row.attempts += 1
    try:
        provider_id = _send(row, user)
    except channels.Permanent as error:
        return close(row, DeliveryStatus.DEAD, code=error.code, error=error.reason)
    except channels.RateLimited as error:
        row.status, row.last_status_code = DeliveryStatus.FAILED, error.code
        row.last_error = error.reason
        row.next_attempt_at = utcnow() + max(backoff(row.attempts),
                                             timedelta(seconds=error.seconds))
        db.session.commit()
        raise jobs.RetryAfter(error.seconds, error.reason) from error
    except channels.Temporary as error:
        return attempt_failed(row, error.code, error.reason)
    row.provider_message_id = provider_id[:100]
    return close(row, DeliveryStatus.DELIVERED)
