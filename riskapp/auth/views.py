"""Auth routes: each validates its form, calls a service, flashes and redirects."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from riskapp.auditlog import record
from riskapp.auth import bp, consent, services
from riskapp.auth.forms import (
    AcceptInviteForm,
    ChangePasswordForm,
    ConsentForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from riskapp.db import db
from riskapp.extensions import limiter, login_manager
from riskapp.models import TokenPurpose, User
from riskapp.tenancy import EVERYONE, route


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Accept a session only while its version matches the user's (logout bumps it)."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


SEEN_GRANULARITY_SECONDS = 60


@bp.before_app_request
def enforce_session_timeouts():
    """End idle sessions; the absolute lifetime is the permanent session's lifetime."""
    # The API authenticates each request by token; a browser session's clock is not its concern.
    if (request.path.startswith("/api/") or request.endpoint == "static"
            or not current_user.is_authenticated):
        return None
    now = int(time.time())
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last_seen = session.get("last_seen", now)
    # The cookie is re-signed whenever last_seen moves, so its own age never exceeds the idle
    # time: the absolute lifetime is counted from the login instead.
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if now - session.get("logged_in_at", now) > lifetime:
        logout_user()
        session.clear()
        flash(_("Your session has ended. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash(_("Your session ended after a period of inactivity. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if now - last_seen >= SEEN_GRANULARITY_SECONDS:
        # Written at most once a minute: a cookie sent back with every request would let a
        # slower request of the same page (an icon, a live count) overwrite what a faster one
        # stored, such as the language just chosen.
        session["last_seen"] = now
    return None


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("main.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        lang = session.get("lang")
        # A fresh session on login: nothing an attacker planted before survives.
        session.clear()
        if lang:
            session["lang"] = lang
        session.permanent = True
        session["last_seen"] = session["logged_in_at"] = int(time.time())
        login_user(user)
        record("login", user=user)
        db.session.commit()
        target = _safe_next(request.args.get("next"))
        if consent.needs_consent(user):
            return redirect(url_for("auth.privacy_consent", next=target))
        return redirect(target)
    return render_template("auth/login.html", form=form)


@route(bp, "/logout", roles=EVERYONE, methods=["POST"])
def logout():
    user = current_user._get_current_object()
    # A new session version invalidates copies of this session cookie too.
    user.session_version += 1
    record("logout", user=user)
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    found = services.find_valid_token(token, TokenPurpose.INVITE)
    if found is None:
        return render_template("auth/link_invalid.html"), 404
    form = AcceptInviteForm()
    if request.method == "GET" and found.user.name:
        form.name.data = found.user.name
    if form.validate_on_submit():
        user = services.use_token(found, form.password.data, form.name.data)
        consent.record_consent(user)
        record("invite_accepted", user=user)
        db.session.commit()
        flash(_("Your password is set. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    if form.is_submitted() and form.consent.errors:
        flash(_("Your account is not activated: it needs your agreement to the privacy "
                "notice."), "error")
    return render_template("auth/accept_invite.html", form=form, user=found.user)


@route(bp, "/privacy-consent", roles=EVERYONE, methods=["GET", "POST"])
def privacy_consent():
    """Asked once after login of a user who has not agreed to this version of the notice."""
    target = _safe_next(request.args.get("next"))
    form = ConsentForm()
    if form.validate_on_submit():
        consent.record_consent(current_user._get_current_object())
        db.session.commit()
        flash(_("Thank you: your agreement to the privacy notice is recorded."), "success")
        return redirect(target)
    return render_template("auth/privacy_consent.html", form=form, target=target)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("If an account uses this address, a reset link is on its way."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    found = services.find_valid_token(token, TokenPurpose.RESET)
    if found is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.use_token(found, form.password.data)
        record("password_reset", user=user)
        db.session.commit()
        flash(_("Your password is changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@route(bp, "/password", roles=EVERYONE, methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not services.password_matches(user, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
            return render_template("auth/reset.html", form=form, change=True), 400
        services.set_password(user, form.password.data)
        record("password_changed", user=user)
        db.session.commit()
        # The version moved on, so re-issue this session with it; other sessions end.
        login_user(user)
        flash(_("Your password is changed; your other sessions have ended."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/reset.html", form=form, change=True)


@bp.app_errorhandler(429)
def too_many_requests(_error):
    if request.endpoint in ("auth.login", "auth.forgot_password"):
        form = LoginForm() if request.endpoint == "auth.login" else ForgotPasswordForm()
        flash(_("Too many attempts. Wait a minute and try again."), "error")
        template = "auth/login.html" if request.endpoint == "auth.login" else "auth/forgot.html"
        return render_template(template, form=form), 429
    return render_template("errors/error.html", code=429), 429
