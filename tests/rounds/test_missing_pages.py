"""The not-reported list's pages: their links continue after the last row shown (a keyset over
ix_round_target_missing), so deep pages stay quick and a target reported meanwhile neither
skips nor repeats a row; a page asked by number, or with a broken key, still answers."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import insert, select, update

from riskapp import territory
from riskapp.db import db
from riskapp.models import Enterprise, RoundTarget
from tests.rounds.support import open_round

EXTRA = 120  # with world.a.enterprise: three pages of 50 in the district


def _round_with_many(app, world) -> int:
    with app.test_request_context():
        db.session.execute(insert(Enterprise), [
            {"province_id": world.a.province.id, "area_id": world.a.commune.id,
             "tax_code": f"77{n:08d}", "name": f"Công ty Trang {n:03d}", "industry": "C",
             "headcount": 20} for n in range(EXTRA)])
        db.session.commit()
        today = territory.province_today(world.a.province.id)
        return open_round(world.a, today - timedelta(days=1), today + timedelta(days=6)).id


def _names(body: str) -> list[str]:
    return re.findall(r"Công ty Trang \d{3}", body)


def _link(body: str, key: str) -> str | None:
    """The pager's link carrying `key` (after: the next page, before: the previous)."""
    found = re.search(r'<a href="([^"]*[?&;]' + key + '=[^"]*)"', body)
    return html.unescape(found.group(1)) if found else None


def test_next_links_walk_the_whole_list_once_in_order(app, world, login_as):
    round_id = _round_with_many(app, world)
    client = login_as(world.a.area_admin)
    body = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    seen, pages = _names(body), [body]
    while (following := _link(body, "after")) is not None:
        body = client.get(following).get_data(as_text=True)
        seen += _names(body)
        pages.append(body)
    assert len(pages) == 3 and "Page 3 of 3" in pages[-1]
    assert sorted(seen) == seen and len(set(seen)) == EXTRA
    back = client.get(_link(pages[2], "before")).get_data(as_text=True)
    assert _names(back) == _names(pages[1])


def test_a_target_reported_meanwhile_skips_no_row(app, world, login_as):
    round_id = _round_with_many(app, world)
    client = login_as(world.a.admin)
    first = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    with app.app_context():  # one enterprise of the first page reports
        reported = db.session.scalar(select(Enterprise.id).where(
            Enterprise.name == _names(first)[0]))
        db.session.execute(update(RoundTarget).where(
            RoundTarget.round_id == round_id, RoundTarget.enterprise_id == reported)
            .values(received_on=territory.province_today(world.a.province.id)))
        db.session.commit()
    second = client.get(_link(first, "after")).get_data(as_text=True)
    # An offset would now start one row later and never show the first row of page two.
    everyone = sorted(_names(first) + _names(second))
    assert _names(second)[0] == f"Công ty Trang {len(_names(first)):03d}"
    assert len(set(everyone)) == len(everyone)


def test_a_page_by_number_or_a_broken_key_still_answers(app, world, login_as):
    round_id = _round_with_many(app, world)
    client = login_as(world.a.admin)
    walked = client.get(f"/province/rounds/{round_id}").get_data(as_text=True)
    walked = client.get(_link(walked, "after")).get_data(as_text=True)
    by_number = client.get(f"/province/rounds/{round_id}?page=2").get_data(as_text=True)
    assert _names(by_number) == _names(walked)
    broken = client.get(f"/province/rounds/{round_id}?page=2&after=x-1&before=9")
    assert broken.status_code == 200 and _names(broken.get_data(as_text=True)) == _names(walked)
    past_the_end = client.get(f"/province/rounds/{round_id}?page=99").get_data(as_text=True)
    assert _names(past_the_end) and _link(past_the_end, "after") is None
    # A key past every row still unreported (they reported since): the page by its number.
    stale = client.get(f"/province/rounds/{round_id}?page=2&after=999999-999999")
    assert _names(stale.get_data(as_text=True)) == _names(walked)
