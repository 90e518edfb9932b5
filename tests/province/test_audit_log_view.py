"""The audit log viewer (/province/audit-log): who did what, when (the province's local time), on
which object; filters, newest first by keyset, CSV/XLSX.

Decision (issue 15): an area admin sees the page, but only the entries about enterprises in their
areas; entries about no enterprise (logins, the province's exports, its settings) are the
province's business and stay hidden from them. Viewers, auditors and officers do not get the
page (404)."""

from __future__ import annotations

from datetime import UTC, datetime

from riskapp.db import db
from riskapp.models import AuditLog, AuditLogPersonal


def _entry(world, action="action_updated", *, tenant=None, enterprise=True, at=None,
           email=None, object_type="enterprise", object_id=None):
    tenant = tenant or world.a
    owner = tenant.enterprise if enterprise is True else enterprise
    db.session.add(AuditLog(
        action=action, personal=AuditLogPersonal(user_email=email or tenant.admin.email),
        user_id=tenant.admin.id,
        province_id=tenant.province.id, enterprise_id=owner.id if owner else None,
        object_type=object_type, object_id=object_id or (str(owner.id) if owner else None),
        at=at or datetime.now(UTC)))


def _body(html: str) -> str:
    """The table's rows (the filter's pickers name the actions too)."""
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _rows(html: str) -> int:
    return _body(html).count("<tr")


def test_newest_first_with_local_time_and_links_and_only_the_province(app, world, login_as):
    with app.app_context():
        _entry(world, "old_one", at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
        _entry(world, "new_one", at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
        _entry(world, "foreign_one", tenant=world.b)
        db.session.commit()
    page = _body(login_as(world.a.admin).get("/province/audit-log").get_data(as_text=True))
    assert page.index("new_one") < page.index("old_one")
    assert "foreign_one" not in page
    # 23:30 UTC is the next morning in Vietnam (the page's language picks the day's pattern).
    assert "2 Mar 2026 06:30" in page or "02/03/2026 06:30" in page
    assert f"/province/enterprises/{world.a.enterprise.id}" in page
    assert world.a.enterprise.name in page


def test_filters_by_user_action_type_and_local_days(app, world, login_as):
    with app.app_context():
        _entry(world, "late_evening", at=datetime(2026, 3, 1, 18, 0, tzinfo=UTC))  # 2 Mar local
        _entry(world, "day_before", at=datetime(2026, 3, 1, 16, 0, tzinfo=UTC))  # 1 Mar 23:00
        _entry(world, "by_officer", email=world.a.officer.email, object_type="assessment",
               object_id="7")
        db.session.commit()
    client = login_as(world.a.admin)
    day = _body(client.get("/province/audit-log?date_from=2026-03-02&date_to=2026-03-02")
                .get_data(as_text=True))
    assert "late_evening" in day and "day_before" not in day
    mine = _body(client.get("/province/audit-log?user=officer-TH").get_data(as_text=True))
    assert "by_officer" in mine and "late_evening" not in mine
    kind = client.get("/province/audit-log?object_type=assessment").get_data(as_text=True)
    assert _rows(kind) == 1 and "by_officer" in kind
    action = client.get("/province/audit-log?action=day_before").get_data(as_text=True)
    assert _rows(action) == 1


def test_pages_go_back_in_time_without_repeats(app, world, login_as):
    with app.app_context():
        for n in range(60):
            _entry(world, f"entry_{n:02d}")
        db.session.commit()
    client = login_as(world.a.admin)
    # The admin's own login is logged too: only the entries about enterprises are listed.
    first = client.get("/province/audit-log?object_type=enterprise").get_data(as_text=True)
    assert _rows(first) == 50 and "entry_59" in _body(first) and "entry_09" not in _body(first)
    older = first.split('href="/province/audit-log?before=', 1)[1].split('"', 1)[0]
    assert "object_type=enterprise" in older
    second = client.get(f"/province/audit-log?before={older}".replace("&amp;", "&")
                        ).get_data(as_text=True)
    assert _rows(second) == 10 and "entry_09" in _body(second)
    assert "entry_10" not in _body(second)
    assert "?before=" not in second.split('class="pager"', 1)[1]


def test_an_area_admin_sees_only_entries_about_their_areas(app, world, login_as):
    with app.app_context():
        _entry(world, "inside_areas")
        _entry(world, "outside_areas", enterprise=world.a.enterprise_elsewhere)
        _entry(world, "province_business", enterprise=None, object_type="export")
        db.session.commit()
    page = _body(login_as(world.a.area_admin).get("/province/audit-log").get_data(as_text=True))
    assert "inside_areas" in page
    assert "outside_areas" not in page and "province_business" not in page
    for user in (world.a.viewer, world.a.auditor, world.a.officer, world.a.area_viewer):
        assert login_as(user).get("/province/audit-log").status_code == 404


def test_csv_and_xlsx_exports_with_local_time_and_no_formulas(app, world, login_as):
    with app.app_context():
        _entry(world, "exported", email="=cmd@example.vn",
               at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
        _entry(world, "other_province", tenant=world.b)
        db.session.commit()
    client = login_as(world.a.admin)
    csv = client.get("/province/audit-log.csv").get_data().decode("utf-8-sig")
    assert "2026-03-02 06:30:00" in csv and "exported" in csv
    assert "'=cmd@example.vn" in csv and "other_province" not in csv
    filtered = client.get("/province/audit-log.csv?action=nothing").get_data().decode("utf-8-sig")
    assert "exported" not in filtered
    xlsx = client.get("/province/audit-log.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_officers_download_log_still_works(world, login_as):
    assert login_as(world.a.officer).get("/reports/downloads").status_code == 200


def test_a_bad_date_is_ignored(world, login_as):
    response = login_as(world.a.admin).get("/province/audit-log?date_from=yesterday")
    assert response.status_code == 200  # the page answers; the filter is left out
