"""Province admins' webhook pages: endpoints, their deliveries, the dead-letter list."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.db import db
from riskapp.templating import fmt_date
from riskapp.tenancy import PROVINCE_ADMINS, current_province_id, route
from riskapp.webhooks import bp, services
from riskapp.webhooks.forms import EndpointForm
from riskapp.webhooks.ssrf import UnsafeTarget


@route(bp, "/", roles=PROVINCE_ADMINS)
def index():
    return render_template("webhooks/index.html", endpoints=services.endpoints())


@route(bp, "/new", roles=PROVINCE_ADMINS, methods=["GET", "POST"])
def new():
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint = services.create(current_province_id(), form.url.data, form.events.data,
                                       form.description.data, current_user)
        except UnsafeTarget as refused:
            form.url.errors.append(str(refused))
        else:
            db.session.commit()
            flash(_("Endpoint added. Give its signing secret to the receiving system."),
                  "success")
            return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))
    status = 400 if form.is_submitted() else 200
    return render_template("webhooks/new.html", form=form), status


@route(bp, "/<int:endpoint_id>", roles=PROVINCE_ADMINS)
def show(endpoint_id: int):
    endpoint = services.endpoint_or_404(endpoint_id)
    return render_template("webhooks/show.html", endpoint=endpoint,
                           overlap_until=services.overlap_until(endpoint),
                           deliveries=services.deliveries_of(endpoint),
                           labels=services.STATUS_LABELS)


@route(bp, "/<int:endpoint_id>/test", roles=PROVINCE_ADMINS, methods=["POST"])
def send_test(endpoint_id: int):
    services.send_test(services.endpoint_or_404(endpoint_id), current_user)
    db.session.commit()
    flash(_("A test event was sent; its delivery is listed below."), "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@route(bp, "/<int:endpoint_id>/active", roles=PROVINCE_ADMINS, methods=["POST"])
def toggle(endpoint_id: int):
    endpoint = services.endpoint_or_404(endpoint_id)
    services.set_active(endpoint, not endpoint.active, current_user)
    db.session.commit()
    flash(_("Endpoint enabled.") if endpoint.active else _("Endpoint disabled."), "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@route(bp, "/<int:endpoint_id>/rotate", roles=PROVINCE_ADMINS, methods=["POST"])
def rotate(endpoint_id: int):
    until = services.rotate_secret(services.endpoint_or_404(endpoint_id), current_user)
    db.session.commit()
    flash(_("A new signing secret was made. Deliveries carry signatures by both secrets until "
            "%(moment)s; give the new one to the receiving system before then.",
            moment=fmt_date(until)), "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@route(bp, "/<int:endpoint_id>/delete", roles=PROVINCE_ADMINS, methods=["POST"])
def delete(endpoint_id: int):
    services.delete(services.endpoint_or_404(endpoint_id), current_user)
    db.session.commit()
    flash(_("Endpoint deleted."), "success")
    return redirect(url_for("webhooks.index"))


@route(bp, "/dead", roles=PROVINCE_ADMINS)
def dead_letters():
    return render_template("webhooks/dead.html", rows=services.dead_letters(),
                           labels=services.STATUS_LABELS)


@route(bp, "/deliveries/<int:delivery_id>/retry", roles=PROVINCE_ADMINS, methods=["POST"])
def retry(delivery_id: int):
    if services.retry(delivery_id, current_user):
        db.session.commit()
        flash(_("The delivery was queued again."), "success")
    else:
        flash(_("This delivery is no longer in the dead-letter list."), "error")
    return redirect(url_for("webhooks.dead_letters"))
