"""The officer hears of a decision through the notification service, in their own language (a
background task: it runs after the decision is committed, never for one that was rolled back)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from riskapp import clock, formatting, links, territory
from riskapp.db import db
from riskapp.jobs.outbox import task
from riskapp.models import Assessment, AssessmentReview, ReviewDecision, Role, User
from riskapp.notifications import kinds
from riskapp.notifications.services import notify
from riskapp.templating import grade_label


def _officers(enterprise_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == Role.OFFICER, User.enterprise_id == enterprise_id,
        User.is_active_account.is_(True), User.password_hash.is_not(None))))


@task(budget=60, attempts=3)
def send_decision_mail(review_id: int, base_url: str | None = None) -> None:
    review = db.session.get(AssessmentReview, review_id)
    if review is None or review.automatic:
        return
    for officer in _officers(review.enterprise_id):
        notify(officer, kinds.REVIEW_DECISION,
               lambda lang: _message(review, lang, base_url),
               dedup_key=f"review:{review.id}:{officer.id}",
               context={"decision": str(review.decision.value),
                        "assessment": str(review.assessment_id)})
    db.session.commit()


def _message(review: AssessmentReview, lang: str, base_url: str | None) -> tuple[str, str]:
    assessment_id = review.assessment_id
    assessment = db.session.get(Assessment, assessment_id)
    zone = clock.zone(territory.province_zone(review.province_id))
    day = formatting.format_date(review.decided_at, lang, zone)
    link = links.external(f"/enterprise/assessments/{assessment_id}", base_url)
    if review.decision == ReviewDecision.ACCEPTED:
        subject = _("Your assessment was accepted")
        lines = [_("The province accepted your self-assessment of %(d)s on %(day)s: the grade "
                   "%(grade)s stands.", d=formatting.format_date(assessment.assessed_on, lang),
                   day=day, grade=grade_label(assessment.grade))]
    else:
        subject = _("Your assessment was returned for correction")
        lines = [_("The province returned your self-assessment of %(d)s for correction on "
                   "%(day)s.", d=formatting.format_date(assessment.assessed_on, lang), day=day)]
        if review.comment:
            lines += ["", review.comment]
        lines += [f"- {c.item_id}: {c.text or ''}"
                  + (f" ({_('evidence requested')})" if c.needs_evidence else "")
                  for c in review.comments]
    body = "\n".join([_("Hello,"), "", *lines, "", _("Open riskapp: %(link)s", link=link)])
    return subject, body
