"""Passwords, logins and one-time links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from riskapp import links
from riskapp.db import db
from riskapp.mail import send_mail
from riskapp.models import OneTimeToken, TokenPurpose, User
from riskapp.models.types import utcnow

_hasher = PasswordHasher()
# A dummy hash so that an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("riskapp-dummy-password")

MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS = frozenset(
    """123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 111111 123123 abc123
    password1 1q2w3e4r iloveyou 000000 qwertyuiop 123321 654321 666666 121212 88888888 987654321
    11111111 12345678910 abcd1234 matkhau matkhau123 admin123 admin1234 administrator welcome1
    letmein1 sunshine1 princess1 football1 12341234 11223344 00000000 zaq12wsx passw0rd
    password123 qwe12345 asdfghjkl 1qaz2wsx superman trustno1 baseball
    dragon123 monkey123""".split()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if password.lower() in COMMON_PASSWORDS:
        return _("This password is too common; choose another.")
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; same cost whether or not the user exists."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.is_active_account:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether the password is the user's current one (re-authentication before a change)."""
    if user.password_hash is None:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(user: User, password: str) -> None:
    """Change the password and end every session the user had."""
    user.password_hash = hash_password(password)
    user.session_version += 1


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, purpose: TokenPurpose, ttl: timedelta) -> str:
    """Issue a one-time link token; only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(raw),
            expires_at=utcnow() + ttl,
        )
    )
    db.session.flush()
    return raw


def find_valid_token(raw: str, purpose: TokenPurpose) -> OneTimeToken | None:
    token = db.session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == _token_hash(raw), OneTimeToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None:
        return None
    expires_at = token.expires_at
    if expires_at.tzinfo is None:  # SQLite gives naive datetimes back
        expires_at = expires_at.replace(tzinfo=utcnow().tzinfo)
    if expires_at < utcnow():
        return None
    return token


def use_token(token: OneTimeToken, password: str, name: str | None = None) -> User:
    """Spend a one-time token: set the password (and name) of its user."""
    token.used_at = utcnow()
    user = token.user
    if name:
        user.name = name
    set_password(user, password)
    return user


def send_invitation(user: User, inviter_name: str) -> str:
    """E-mail an invitation link; returns the link (shown to the admin as a fallback)."""
    ttl = timedelta(hours=current_app.config["INVITE_TTL_HOURS"])
    raw = create_token(user, TokenPurpose.INVITE, ttl)
    link = links.external(url_for("auth.accept_invite", token=raw))
    send_mail(
        user.email,
        _("Your riskapp account"),
        _(
            "%(inviter)s invited you to riskapp.\n\nOpen this link to choose your password "
            "(valid for %(hours)d hours):\n%(link)s\n\nBefore your account is activated you "
            "will be asked to read and accept our privacy notice, which says what personal "
            "data riskapp keeps about you, why and for how long:\n%(notice)s\n",
            inviter=inviter_name,
            hours=current_app.config["INVITE_TTL_HOURS"],
            link=link,
            notice=links.external(url_for("main.privacy")),
        ),
    )
    return link


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    ttl = timedelta(minutes=current_app.config["RESET_TTL_MINUTES"])
    raw = create_token(user, TokenPurpose.RESET, ttl)
    link = links.external(url_for("auth.reset_password", token=raw))
    send_mail(
        user.email,
        _("Reset your riskapp password"),
        _(
            "Open this link to choose a new password (valid for %(minutes)d minutes):\n%(link)s\n\n"
            "If you did not ask for this, ignore this message.",
            minutes=current_app.config["RESET_TTL_MINUTES"],
            link=link,
        ),
    )
