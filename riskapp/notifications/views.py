"""Every user's notifications and preferences; the delivery log and dead letters for province
admins (their province) and the platform admin."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.models.webhook import DeliveryStatus
from riskapp.notifications import bp, services
from riskapp.notifications.channels import configured
from riskapp.notifications.forms import PreferencesForm
from riskapp.notifications.kinds import CHANNELS, KINDS
from riskapp.tenancy import EVERYONE, PLATFORM_ADMINS, PROVINCE_ADMINS, route
from riskapp.webhooks.services import STATUS_LABELS

LOG_READERS = PROVINCE_ADMINS | PLATFORM_ADMINS


@route(bp, "/account/notifications", roles=EVERYONE)
def inbox():
    return render_template("notifications/inbox.html", notifications=services.inbox())


@route(bp, "/account/notifications/<int:notification_id>/read", roles=EVERYONE,
       methods=["POST"])
def mark_read(notification_id: int):
    services.mark_read(notification_id)
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@route(bp, "/account/notifications/read", roles=EVERYONE, methods=["POST"])
def mark_all_read():
    services.mark_all_read(current_user.id)
    db.session.commit()
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("notifications.inbox"))


@route(bp, "/account/notifications/preferences", roles=EVERYONE, methods=["GET", "POST"])
def preferences():
    settings = services.settings_of(current_user)
    form = PreferencesForm(obj=settings, phone=current_user.phone)
    if form.validate_on_submit():
        services.save_settings(current_user, form.chosen(), form.phone_number(),
                               form.quiet_start.data, form.quiet_end.data)
        db.session.commit()
        flash(_("Notification preferences saved."), "success")
        return redirect(url_for("notifications.preferences"))
    chosen = {kind: services.chosen_channels(current_user, kind) for kind in KINDS}
    return render_template(
        "notifications/preferences.html", form=form, kinds=KINDS, channels=CHANNELS,
        chosen=chosen, configured={c: configured(c) for c in CHANNELS},
        off=", ".join(str(label) for c, label in CHANNELS.items() if not configured(c)),
    ), 400 if form.is_submitted() else 200


@route(bp, "/province/notifications/deliveries", roles=LOG_READERS)
def deliveries():
    status = request.args.get("status")
    status = status if status in STATUS_LABELS else None
    channel = request.args.get("channel")
    channel = channel if channel in CHANNELS else None
    page = services.deliveries(status, channel, request.args.get("page", 1, type=int))
    return render_template("notifications/deliveries.html", status=status, channel=channel,
                           page=page, labels=STATUS_LABELS, channels=CHANNELS, kinds=KINDS,
                           dead=DeliveryStatus.DEAD)


@route(bp, "/province/notifications/deliveries/<int:delivery_id>/retry", roles=LOG_READERS,
       methods=["POST"])
def retry(delivery_id: int):
    if services.retry(delivery_id, current_user):
        db.session.commit()
        flash(_("The delivery was queued again."), "success")
    else:
        flash(_("This delivery is no longer in the dead-letter list."), "info")
    return redirect(url_for("notifications.deliveries", status=DeliveryStatus.DEAD))


@bp.app_context_processor
def _bell():
    def unread() -> int:
        return services.unread_count(current_user.id) if current_user.is_authenticated else 0
    return {"unread_notifications": unread}
