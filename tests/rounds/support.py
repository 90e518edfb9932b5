"""Helpers of the reporting round tests."""

from __future__ import annotations

from datetime import date

from riskapp.db import db
from riskapp.rounds import services
from riskapp.rounds.services import RoundPlan
from riskapp.rounds.targets import Criteria


def open_round(tenant, opens_on: date, due_on: date, criteria: Criteria | None = None,
               title: str = "Đợt tự đánh giá tháng 12"):
    """Open a round of the tenant through the service (committed)."""
    round_ = services.open_round(tenant.province.id, RoundPlan(
        title, opens_on, due_on, None, criteria or Criteria()), tenant.admin)
    db.session.commit()
    return round_
