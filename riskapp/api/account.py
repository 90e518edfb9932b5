"""The token pages (/account/tokens): a web page with the session and CSRF, for every user."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from riskapp.api import tokens
from riskapp.db import db
from riskapp.fields import TranslatedForm
from riskapp.models import ApiToken
from riskapp.tenancy import EVERYONE, current_scope, get_own_or_404, route

account_bp = Blueprint("account", __name__, url_prefix="/account")

EXPIRY_CHOICES = [SelectChoice("30", _l("30 days")), SelectChoice("90", _l("90 days")),
                  SelectChoice("365", _l("1 year")), SelectChoice("0", _l("Never"))]


class TokenForm(TranslatedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    scopes = SelectMultipleField(
        _l("Scopes"), validators=[DataRequired(_l("Choose at least one scope."))],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    expires_in = SelectField(_l("Expires after"), choices=EXPIRY_CHOICES, default="90")

    def setup(self, role) -> TokenForm:
        self.scopes.choices = [(scope, tokens.SCOPES[scope]) for scope in tokens.scopes_for(role)]
        return self


def _render(form: TokenForm, created: tokens.NewToken | None = None, status: int = 200):
    return render_template("api/tokens.html", form=form, created=created,
                           tokens=tokens.own_tokens(), scope_labels=tokens.SCOPES,
                           usable=tokens.is_usable), status, {"Cache-Control": "no-store"}


@route(account_bp, "/tokens", roles=EVERYONE, methods=["GET", "POST"])
def api_tokens():
    form = TokenForm().setup(current_scope().role)
    if not form.is_submitted():
        return _render(form)
    if not form.validate():
        return _render(form, status=422)
    created = tokens.create_token(current_user, form.name.data, form.scopes.data,
                                  int(form.expires_in.data) or None)
    db.session.commit()
    flash(_("Token created. Copy it now: it will not be shown again."), "success")
    # Rendered, not redirected: the secret exists only in this response.
    return _render(TokenForm(formdata=None).setup(current_scope().role), created=created)


@route(account_bp, "/tokens/<int:token_id>/revoke", roles=EVERYONE,
       methods=["POST"])
def revoke_api_token(token_id: int):
    token = get_own_or_404(ApiToken, token_id)
    tokens.revoke_token(token, current_user)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for(".api_tokens"))
