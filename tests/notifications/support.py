"""What the notification service recorded, for the call sites' tests."""

from __future__ import annotations

from sqlalchemy import select

from riskapp.db import db
from riskapp.models import Notification, NotificationDelivery, User


def notified(app, kind: str) -> list[tuple[str, str, str]]:
    """(recipient e-mail, channel, delivery status) of every delivery of this kind, plus
    (e-mail, "inapp", "shown") for the in-app message itself."""
    with app.app_context():
        rows = [(email, "inapp", "shown") for email in db.session.scalars(
            select(User.email).join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == kind).order_by(Notification.id))]
        rows += list(db.session.execute(
            select(User.email, NotificationDelivery.channel, NotificationDelivery.status)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .join(User, User.id == Notification.user_id)
            .where(Notification.kind == kind).order_by(NotificationDelivery.id)).tuples())
        return rows
