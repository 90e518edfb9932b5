"""Admin routes: validate the form, call a service, flash, redirect; one commit per request."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from riskapp.admin import bp, services
from riskapp.admin.forms import (
    ConfirmForm,
    InviteForm,
    ProvinceAdminForm,
    ProvinceForm,
    UserAreasForm,
)
from riskapp.admin.services import AdminError
from riskapp.db import db
from riskapp.models import Role
from riskapp.tenancy import MANAGERS, PLATFORM_ADMINS, current_province_id, route

# The last invitation link, shown once on the next page as a fallback when e-mail fails.
_LINK_KEY = "admin_invite_link"


def _remember_link(email: str, link: str) -> None:
    session[_LINK_KEY] = {"email": email, "link": link}


def _pop_link() -> dict | None:
    return session.pop(_LINK_KEY, None)


def _form_error(form, error: AdminError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _actor():
    return current_user._get_current_object()


# --- platform admin -------------------------------------------------------------------------

@route(bp, "/", roles=PLATFORM_ADMINS, methods=["GET", "POST"])
def index():
    form = ProvinceForm()
    form.code.choices = [("", _("Choose a province…")), *services.province_choices()]
    if form.validate_on_submit():
        try:
            province, admin, link = services.create_province(
                form.code.data, form.email.data, form.admin_name.data, _actor(),
                form.timezone.data,
            )
        except AdminError as error:
            _form_error(form, error)
        else:
            db.session.commit()
            _remember_link(admin.email, link)
            count = services.official_area_count(province.code)
            flash(_("Province %(name)s created with %(count)s communes and wards; %(email)s is "
                    "invited as its administrator.", name=province.name, count=count,
                    email=admin.email), "success")
            return redirect(url_for("admin.index"))
    status = 400 if form.errors else 200
    return render_template(
        "admin/provinces.html",
        form=form,
        rows=services.list_provinces(),
        admin_form=ProvinceAdminForm(formdata=None),
        invite_link=_pop_link(),
    ), status


@route(bp, "/provinces/<int:province_id>/admins", roles=PLATFORM_ADMINS, methods=["POST"])
def invite_province_admin(province_id: int):
    form = ProvinceAdminForm()
    if form.validate_on_submit():
        try:
            admin, link = services.invite_province_admin(
                province_id, form.email.data, form.admin_name.data, _actor()
            )
        except AdminError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            _remember_link(admin.email, link)
            flash(_("%(email)s is invited as a province administrator.", email=admin.email),
                  "success")
    else:
        flash(_("Enter a valid e-mail address and a name."), "error")
    return redirect(url_for("admin.index"))


def _work_filter() -> str:
    show = request.args.get("show", "all")
    return show if show in services.WORK_FILTERS else "all"


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@route(bp, "/work", roles=PLATFORM_ADMINS)
def work():
    """Background work: counts, then the items, failed and stuck ones first."""
    show = _work_filter()
    return render_template(
        "admin/work.html",
        counts=services.work_counts(),
        page=services.work_page(show, _page_number()),
        show=show,
        filters=services.WORK_FILTERS,
        status_labels=services.WORK_STATUS_LABELS,
        filter_labels={"all": _("All, failed and stuck first"), "stuck": _("Stuck"),
                       **{s.value: label for s, label in services.WORK_STATUS_LABELS.items()}},
        action_form=ConfirmForm(),
    )


@route(bp, "/work/<int:item_id>/retry", roles=PLATFORM_ADMINS, methods=["POST"])
def retry_work(item_id: int):
    item = services.work_item_or_404(item_id)
    if ConfirmForm().validate_on_submit():
        try:
            again = services.retry_work(item, _actor())
        except AdminError as error:
            flash(error.message, "error")
        else:
            label, same = services.work_label(again.task), again.id == item_id
            db.session.commit()
            if same:
                flash(_("%(work)s is queued to run again.", work=label), "success")
            else:
                flash(_("%(work)s is already queued or running; it was not queued twice.",
                        work=label), "info")
    return redirect(url_for("admin.work", show=_work_filter(), page=_page_number()))


# --- province admin -------------------------------------------------------------------------

@route(bp, "/users", roles=MANAGERS)
def users():
    return render_template(
        "admin/users.html",
        rows=services.province_users(current_province_id()),
        invite_link=_pop_link(),
        action_form=ConfirmForm(),
    )


def _fill_pickers(form) -> list[services.AreaChoice]:
    tree = services.area_choices()
    form.area_ids.choices = [(choice.id, choice.name) for choice in tree]
    return tree


@route(bp, "/users/invite", roles=MANAGERS, methods=["GET", "POST"])
def invite():
    form = InviteForm()
    tree = _fill_pickers(form)
    # "Search" in the enterprise picker (without JavaScript) shows the matches, invites no one.
    if "find" not in request.form and form.validate_on_submit():
        try:
            user, link = services.invite_user(
                Role(form.role.data), form.email.data, form.name.data, _actor(),
                enterprise_id=form.enterprise_id.data, area_ids=form.area_ids.data,
            )
        except AdminError as error:
            _form_error(form, error)
        else:
            db.session.commit()
            _remember_link(user.email, link)
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.errors else 200
    matches = services.enterprise_matches(form.enterprise_q.data, keep_id=form.enterprise_id.data)
    return render_template("admin/invite.html", form=form, tree=tree, matches=matches,
                           enterprise_total=services.enterprise_count()), status


@route(bp, "/users/enterprises.json", roles=MANAGERS)
def enterprise_suggestions():
    """The invitation picker's suggestions as you type: enterprises in reach that match `q`."""
    found = services.enterprise_matches(request.args.get("q"))
    return jsonify(items=[{"id": e.id, "name": e.name, "tax_code": e.tax_code,
                           "area": e.area.name} for e in found],
                   total=services.enterprise_count())


@route(bp, "/users/<int:user_id>", roles=MANAGERS, methods=["GET", "POST"])
def user(user_id: int):
    """One user's page; for a user bound to areas its POST replaces those areas."""
    target = services.province_user_or_404(user_id)
    areas_form = UserAreasForm(role=target.role)
    tree = _fill_pickers(areas_form)
    if target.role.has_areas and areas_form.validate_on_submit():
        try:
            services.set_user_areas(target, areas_form.area_ids.data, _actor())
        except AdminError as error:
            _form_error(areas_form, error)
        else:
            db.session.commit()
            flash(_("The areas of %(email)s are saved.", email=target.email), "success")
            return redirect(url_for("admin.user", user_id=target.id))
    row = services.user_row(target)
    if not areas_form.is_submitted():
        areas_form.area_ids.data = [a.id for a in row.areas]
    return render_template(
        "admin/user.html", row=row, areas_form=areas_form, tree=tree,
        action_form=ConfirmForm(), invite_link=_pop_link(),
    ), 400 if areas_form.errors else 200


@route(bp, "/users/<int:user_id>/resend", roles=MANAGERS, methods=["POST"])
def resend(user_id: int):
    target = services.province_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            link = services.resend_invitation(target, _actor())
        except AdminError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            _remember_link(target.email, link)
            flash(_("A new invitation was sent to %(email)s; earlier links no longer work.",
                    email=target.email), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@route(bp, "/users/<int:user_id>/deactivate", roles=MANAGERS, methods=["POST"])
def deactivate(user_id: int):
    return _set_active(user_id, False)


@route(bp, "/users/<int:user_id>/reactivate", roles=MANAGERS, methods=["POST"])
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    target = services.province_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_active(target, active, _actor())
        except AdminError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            if active:
                flash(_("%(email)s can log in again.", email=target.email), "success")
            else:
                flash(_("%(email)s is deactivated; their sessions have ended.",
                        email=target.email), "success")
    return redirect(url_for("admin.user", user_id=target.id))
