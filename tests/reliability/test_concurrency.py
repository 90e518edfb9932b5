"""Two people on one draft, and double submits, through real concurrent requests."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from riskapp.db import db
from riskapp.models import Assessment, AssessmentStatus
from tests.conftest import login
from tests.factories import ANSWERS

HIDDEN = re.compile(r'name="(lock_version|submit_token)"[^>]*value="([^"]*)"')


def _form(client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    return dict(HIDDEN.findall(page.get_data(as_text=True)))


def _draft_path(client) -> str:
    response = client.post("/enterprise/assessments/new")
    assert response.status_code == 302
    return response.headers["Location"]


def _answers(values: dict[str, str]) -> dict[str, str]:
    return {f"item-{item}": value for item, value in values.items()}


def test_two_editors_never_overwrite_each_other_silently(app, world):
    first, second = app.test_client(), app.test_client()
    login(first, world.a.officer)
    login(second, world.a.officer)
    path = _draft_path(first)
    first_form, second_form = _form(first, path), _form(second, path)

    saved = first.post(path, data={**first_form, **_answers({"ORG-1": "yes"}), "action": "save"})
    assert saved.status_code in (200, 302)
    refused = second.post(path, data={**second_form, **_answers({"ORG-1": "no"}),
                                      "action": "save"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Someone else saved this draft" in page
    assert re.search(r'name="item-ORG-1"[^>]*value="no"[^>]*checked', page)  # kept what was typed
    with app.app_context():
        draft = db.session.scalar(select(Assessment))
        assert draft.answers["ORG-1"] == "yes"  # the first save stands

    # Saving again from the refreshed form is a deliberate overwrite, and it goes through.
    again = dict(HIDDEN.findall(page))
    assert second.post(path, data={**again, **_answers({"ORG-1": "no"}),
                                   "action": "save"}).status_code in (200, 302)
    with app.app_context():
        assert db.session.scalar(select(Assessment)).answers["ORG-1"] == "no"


def _concurrently(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_submits_make_one_assessment(app, world):
    """A double click (same token) and a retry from another tab (new token), all at once."""
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        login(client, world.a.officer)
    path = _draft_path(clients[0])
    forms = [_form(client, path) for client in clients]
    forms[1]["submit_token"] = forms[0]["submit_token"]  # the double click
    everything = _answers(ANSWERS)
    responses = _concurrently([
        (lambda c=c, f=f: c.post(path, data={**f, **everything, "action": "submit"}))
        for c, f in zip(clients, forms, strict=True)
    ])
    # Every request lands on the result page, or is told the draft changed meanwhile.
    assert all(r.status_code in (302, 409) for r in responses), [r.status_code for r in responses]
    assert any(r.status_code == 302 for r in responses)
    with app.app_context():
        statuses = db.session.execute(
            select(Assessment.status, func.count()).group_by(Assessment.status)).all()
        assert dict(statuses) == {AssessmentStatus.SUBMITTED: 1}
    targets = {r.headers["Location"] for r in responses if r.status_code == 302}
    assert len(targets) == 1


# ----------------------------------------------------------------------------- one open draft


def _drafts(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(
            select(Assessment.id).where(Assessment.status == AssessmentStatus.DRAFT)).all()


def test_twenty_parallel_new_assessment_posts_make_one_draft(app, world):
    clients = [app.test_client() for _ in range(20)]
    for client in clients:
        login(client, world.a.officer)
    responses = _concurrently([(lambda c=c: c.post("/enterprise/assessments/new"))
                               for c in clients])
    assert [r.status_code for r in responses] == [302] * 20
    drafts = _drafts(app)
    assert len(drafts) == 1
    assert {r.headers["Location"] for r in responses} == {
        f"/enterprise/assessments/{drafts[0]}/edit"}


def test_twenty_parallel_api_starts_make_one_draft(app, world):
    from tests.api.helpers import bearer, make_token

    headers = bearer(make_token(app, world.a.officer))
    # A token's first use records itself on a second connection; 20 of those at once would
    # wait on the pool (another matter): use it once first.
    assert app.test_client().get("/api/v1/checklists", headers=headers).status_code == 200
    clients = [app.test_client() for _ in range(20)]
    responses = _concurrently([(lambda c=c: c.post("/api/v1/assessments", headers=headers))
                               for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [201], codes  # one made it, the others were given it
    drafts = _drafts(app)
    assert len(drafts) == 1 and {r.json["id"] for r in responses} == set(drafts)


def test_the_database_itself_refuses_a_second_open_draft(app, world):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        first = Assessment(enterprise_id=world.a.enterprise.id, province_id=world.a.province.id,
                           checklist_version_id=_default_version_id(), answers={})
        db.session.add(first)
        db.session.commit()
        db.session.add(Assessment(enterprise_id=world.a.enterprise.id,
                                  province_id=world.a.province.id,
                                  checklist_version_id=first.checklist_version_id, answers={}))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def _default_version_id() -> int:
    from riskapp import checklists

    return checklists.default_version().id
