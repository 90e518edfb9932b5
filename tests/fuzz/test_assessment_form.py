"""Form posts to the assessment form: any posted values give a page, a redirect or a clear error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ANSWERS

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FIELDS = [f"item-{item}" for item in ANSWERS] + ["lock_version", "submit_token",
                                                  "confirmed_case_14d", "item-NOPE-1", "action"]
values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["yes", "no", "na", "all", "partial", "1e999", "-1", "NaN", "0x10", "½",
                     "١٢٣", "10,5", "9" * 400, "y" * 5000, "đúng", "submit", "save"]),
)


@FUZZ
@given(posted=st.dictionaries(st.sampled_from(FIELDS), values, max_size=12),
       action=st.sampled_from(["save", "submit", "", None]))
def test_any_posted_form_gives_a_page_or_a_redirect(client, world, login_as, posted, action):
    login_as(world.a.officer)
    path = client.post("/enterprise/assessments/new").headers["Location"]
    if action is not None:
        posted = {**posted, "action": action}
    response = client.post(path, data=posted)
    # 400: a NUL character, refused before any view runs.
    assert response.status_code in (200, 302, 400, 409, 422), response.status_code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if response.status_code == 302:
        assert client.get(response.headers["Location"]).status_code == 200


@FUZZ
@given(posted=st.dictionaries(st.sampled_from(FIELDS), values, max_size=12))
def test_any_autosave_gives_json_or_a_clear_error(client, world, login_as, posted):
    login_as(world.a.officer)
    path = client.post("/enterprise/assessments/new").headers["Location"]
    response = client.post(path.replace("/edit", "/autosave"), data=posted)
    assert response.status_code in (200, 400, 409, 422), response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_is_refused_with_a_clear_error(client, world, login_as):
    login_as(world.a.officer)
    path = client.post("/enterprise/assessments/new").headers["Location"]
    response = client.post(path, data={"item-ORG-1": "y\x00es", "action": "save"})
    assert response.status_code == 400
    assert "The request could not be understood" in response.get_data(as_text=True)
