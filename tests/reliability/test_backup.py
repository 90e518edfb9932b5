"""`flask backup` / `flask restore` round-trip a whole database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
import json
import os
import zipfile
from datetime import UTC, date, datetime, time, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import JSON, Table, Text, cast, insert, null, select, text, type_coerce, update
from sqlalchemy.types import NullType

from riskapp import immutable, migrate
from riskapp.assessments import services
from riskapp.db import Base, db
from riskapp.models import (
    ApiToken,
    Area,
    AreaChange,
    AreaSuccession,
    Assessment,
    AssessmentReview,
    AssessmentStatus,
    AuditLog,
    AuditLogPersonal,
    ChangeEvent,
    ChecklistActivation,
    Enterprise,
    ErasureRequest,
    Evidence,
    Finding,
    ForensicFlag,
    Grade,
    ImpactPreview,
    InspectionVisit,
    Job,
    JobStatus,
    LevelProposal,
    LogTreeHead,
    Notification,
    NotificationDelivery,
    NotificationSettings,
    OneTimeToken,
    ProposalStatus,
    Province,
    ReminderLog,
    Report,
    ReportingRound,
    RetentionSetting,
    ReviewComment,
    RoundStatus,
    RoundTarget,
    TokenPurpose,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests import factories

# One database per test process: two suites may run at once on one server.
TARGET_PG_DB = f"test_backup_target_{os.getpid()}"


def _admin_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(autouse=True, scope="module")
def _drop_target_database():
    yield
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        with psycopg.connect(_admin_url(url), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {TARGET_PG_DB} WITH (FORCE)")


def _target_url(app, tmp_path) -> str:
    """A second, empty database on the same backend as the test database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path / "restored.sqlite3")
    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {TARGET_PG_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {TARGET_PG_DB}")
    return url.rsplit("/", 1)[0] + "/" + TARGET_PG_DB


def _raw_columns(table: Table) -> list:
    """Each column as the driver reads it; a JSON column as `IS NULL` and as its text."""
    columns = []
    for column in table.columns:
        if isinstance(column.type, JSON):
            columns.append(column.is_(None).label(f"{column.name} IS NULL"))
            columns.append(cast(column, Text).label(f"{column.name}::text"))
        else:
            columns.append(type_coerce(column, NullType()).label(column.name))
    return columns


def _exact(value):
    """A value and its type; a datetime or date with its ISO form (offset and microseconds)."""
    if isinstance(value, datetime | date | time):
        return type(value).__name__, value.isoformat()
    return type(value).__name__, value


def _raw_rows(some_app) -> dict[str, dict[tuple, dict]]:
    """Every table of the metadata: its rows by primary key, each column's raw value."""
    with some_app.app_context(), db.engine.connect() as connection:
        tables = {}
        for table in Base.metadata.sorted_tables:
            keys = [column.name for column in table.primary_key.columns]
            result = connection.execute(
                select(*_raw_columns(table)).order_by(*table.primary_key.columns)
            )
            tables[table.name] = {
                tuple(row[k] for k in keys): {k: _exact(v) for k, v in row.items()}
                for row in result.mappings()
            }
        return tables


def _differences(before: dict, after: dict) -> list[str]:
    """Every row missing, added or changed, naming the table, primary key and column."""
    problems = []
    for name, rows in before.items():
        restored = after[name]
        problems += [f"{name} {key}: missing after the restore" for key in rows
                     if key not in restored]
        problems += [f"{name} {key}: not in the source" for key in restored if key not in rows]
        for key, row in rows.items():
            for column, value in row.items():
                if key in restored and restored[key][column] != value:
                    problems.append(f"{name} {key} {column}: {value!r} restored as "
                                    f"{restored[key][column]!r}")
    return problems


def _assert_same(before: dict, after: dict) -> None:
    problems = _differences(before, after)
    assert not problems, "the restore is not exact:\n" + "\n".join(problems)


@pytest.fixture
def filled(app, world):
    """The world plus submitted assessments (superseding each other) and a rendered PDF."""
    with app.app_context():
        enterprise = db.session.merge(world.a.enterprise)
        officer = db.session.merge(world.a.officer)
        factories.submit_assessment(enterprise, officer)
        db.session.commit()
        factories.submit_assessment(enterprise, officer)
        db.session.commit()
        reports = db.session.scalars(select(Report)).all()
        assert reports and any(r.pdf for r in reports), "a rendered PDF exercises binary columns"
    return world


# Microseconds and an offset other than UTC must survive; so must floats that print long.
MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
LOCAL = datetime(2026, 3, 4, 12, 6, 7, 1, tzinfo=timezone(timedelta(hours=7)))
ODD = 0.1 + 0.2
NOTE = 'Ghi chú: "đã khắc phục" — Nguyễn Thị Hương\nDòng 2\tổn định ✓'
DOCUMENT = {"bộ lọc": {"huyện": "Đông Sơn", "giá trị": [1, 2.5, None, True, "", {}, []]}}


def _insert(model, **values) -> int:
    """One row straight into the model's table (no ORM defaults for JSON nulls); its id."""
    return db.session.execute(insert(model).values(values).returning(model.id)).scalar_one()


def _add_rows_to_every_table(world, draft_id: int, submitted_id: int) -> None:
    """A row in each table the app has not filled yet, with the awkward values of each type."""
    a = world.a
    user, province, enterprise = a.officer.id, a.province.id, a.enterprise.id
    _insert(Enterprise, province_id=province, area_id=a.district.id, tax_code="2899999999",
            name="Công ty Trống", industry="C", address="", industry_division=None,
            latitude=ODD, longitude=-1e-300, headcount=0, has_canteen=True, has_shuttle=False,
            has_dormitory=True, created_at=MOMENT, updated_at=LOCAL)
    db.session.execute(update(Area).where(Area.id == a.commune.id).values(code=""))
    _insert(ApiToken, user_id=user, name="Máy chủ báo cáo", prefix="rk_ab", token_hash="h" * 64,
            scopes=[], created_at=MOMENT, expires_at=LOCAL, last_used_at=None)
    _insert(OneTimeToken, user_id=user, purpose=TokenPurpose.RESET, token_hash="t" * 64,
            expires_at=LOCAL, used_at=MOMENT, created_at=MOMENT)
    for kind, details in (("due", {}), ("late", null()), ("stale", JSON.NULL)):
        _insert(ReminderLog, user_id=user, enterprise_id=enterprise, kind=kind, subject_key="",
                sent_on=date(2024, 2, 29), details=details, created_at=MOMENT)
    db.session.execute(insert(Job).values(
        id="0f0e0d0c-0000-4000-8000-000000000001", kind="export", status=JobStatus.FAILED,
        params=DOCUMENT, error="", created_by_id=user, province_id=province, created_at=LOCAL))
    _insert(Evidence, assessment_id=submitted_id, enterprise_id=enterprise, province_id=province,
            item_id="ORG-1", original_name="ảnh hiện trường.jpg", stored_name="s" * 64,
            content_type="image/jpeg", size_bytes=0, sha256="0" * 64, created_at=MOMENT,
            phash="f0e1d2c3b4a59687")
    _insert(ForensicFlag, province_id=province, enterprise_id=enterprise,
            assessment_id=submitted_id, kind="photo_reuse", key="photo:2:1", reason=DOCUMENT,
            status="dismissed", created_at=MOMENT, dismissed_by_id=a.viewer.id,
            dismissed_at=LOCAL, dismissal_note=NOTE)
    _insert(Finding, assessment_id=submitted_id, enterprise_id=enterprise, province_id=province,
            auditor_id=a.auditor.id, visited_on=date(2026, 3, 4), confirmed=True, answers={},
            note=NOTE, result=JSON.NULL, score=ODD, grade=Grade.VERY_HIGH, created_at=LOCAL)
    preview_id = _insert(
        ImpactPreview, province_id=province, kind="checklist_activation", area_id=None,
        level=None, checklist_version_id=factories.checklists_default_id(),
        active_from=date(2024, 2, 29), proposal_id=None, note="", requested_by_id=user,
        created_at=MOMENT, status=JobStatus.DONE, progress=0, total=0, result=DOCUMENT,
        error=None, finished_at=LOCAL, applied_at=LOCAL, applied_by_id=None)
    _insert(ChecklistActivation, province_id=province, active_from=date(2026, 1, 1),
            checklist_version_id=factories.checklists_default_id(), created_at=MOMENT,
            impact_preview_id=preview_id)
    _insert(AreaSuccession, province_id=province, old_area_id=a.commune.id,
            new_area_id=a.district.id, effective_from=date(2025, 7, 1), kind=AreaChange.REFORM,
            old_name="Xã Hoằng Đạo", note=None, created_by_id=None, created_at=MOMENT)
    # Straight in, outside the chain (a backup copies rows as they are, hashes included).
    unchained = {"prev_hash": "0" * 64, "row_hash": "f" * 64}
    entry = _insert(AuditLog, id=900_001, at=MOMENT, action="backup.test", details=JSON.NULL,
                    **unchained)
    _insert(AuditLog, id=900_002, at=LOCAL, action="backup.test", details=null(),
            object_id=NOTE[:60], personal_digest="e" * 64, **unchained)
    db.session.execute(insert(AuditLogPersonal).values(audit_id=entry, user_email="", ip=None,
                                                       subject_email=NOTE[:255], salt=None))
    _add_control_loop_rows(a, submitted_id)
    _insert(LogTreeHead, tree_size=0, timestamp_ms=2**62, root_hash=b"\x00" * 32,
            key_id="0" * 16, signature=b"\xff" * 64, published_on=date(2024, 2, 29),
            created_at=MOMENT)
    # The draft keeps result SQL NULL; the submitted one gets JSON nulls set explicitly.
    db.session.execute(update(Assessment).where(Assessment.id == draft_id).values(context={}))
    db.session.execute(update(Assessment).where(Assessment.id == submitted_id).values(
        effective_result=JSON.NULL, regraded_at=LOCAL))


def _add_control_loop_rows(a, submitted_id: int) -> None:
    """The province's control loop: a proposal, a visit, a closed round, a pinned comment."""
    province, enterprise = a.province.id, a.enterprise.id
    _insert(LevelProposal, province_id=province, area_id=a.commune.id, level=4,
            effective_from=date(2024, 2, 29), reason="Ổ dịch mới", proposed_by_id=None,
            created_at=MOMENT, status=ProposalStatus.REJECTED, decided_by_id=a.admin.id,
            decided_at=LOCAL)
    _insert(InspectionVisit, province_id=province, enterprise_id=enterprise,
            auditor_id=a.auditor.id, planned_on=date(2026, 3, 4), assigned_by_id=None, note="",
            created_at=MOMENT, done_at=None)
    round_id = _insert(ReportingRound, province_id=province, title="Đợt «đặc biệt»",
                       opens_on=date(2026, 1, 1), due_on=date(2026, 1, 15), closes_on=None,
                       criteria={}, status=RoundStatus.CLOSED, expected=1, created_at=MOMENT,
                       closed_at=LOCAL, snapshot=JSON.NULL, xlsx_file=None, pdf_file="")
    _insert(RoundTarget, round_id=round_id, province_id=province, enterprise_id=enterprise,
            area_id=a.commune.id, assessment_id=submitted_id, received_at=LOCAL,
            received_on=date(2026, 1, 15), on_time=False, accepted_on=None)
    review_id = db.session.scalar(select(AssessmentReview.id).limit(1)) or _insert(
        AssessmentReview, assessment_id=submitted_id, enterprise_id=enterprise,
        province_id=province, area_id=None, decision="returned", automatic=False,
        reviewer_id=None, comment="", decided_at=MOMENT)
    _insert(ReviewComment, review_id=review_id, enterprise_id=enterprise, province_id=province,
            item_id="ORG-1", text=NOTE, needs_evidence=True)
    _add_webhook_rows(a)


def _add_webhook_rows(a) -> None:
    """An endpoint (events as JSON), an event with nulls and a dead delivery."""
    endpoint_id = _insert(WebhookEndpoint, province_id=a.province.id, url="https://sở.vn/hook",
                          description=None, events=[], secret="whsec_" + "A" * 43,
                          active=False, disabled_reason="", created_by_id=None,
                          created_at=MOMENT)
    event_id = _insert(ChangeEvent, province_id=a.province.id, type="report.ready",
                       occurred_at=LOCAL, enterprise_id=None, area_id=None, payload=DOCUMENT)
    _insert(WebhookDelivery, endpoint_id=endpoint_id, event_id=event_id, status="dead",
            attempts=0, last_status_code=None, last_error=NOTE, next_attempt_at=None,
            delivered_at=LOCAL, created_at=MOMENT)
    _add_notification_rows(a)


def _add_notification_rows(a) -> None:
    """A message with JSON null context, a held dead delivery, quiet hours over midnight."""
    notification_id = _insert(
        Notification, user_id=a.officer.id, province_id=None, kind="reminder",
        dedup_key="backup:" + NOTE[:40], subject="Nhắc «hạn»", body=NOTE, context=JSON.NULL,
        urgent=True, created_at=MOMENT, read_at=None)
    _insert(NotificationDelivery, notification_id=notification_id, province_id=a.province.id,
            channel="zns", status="dead", attempts=0, last_status_code=None, last_error=NOTE,
            provider_message_id="", not_before=LOCAL, next_attempt_at=None, delivered_at=None,
            created_at=MOMENT)
    db.session.execute(insert(NotificationSettings).values(
        user_id=a.auditor.id, channels={"reminder": []}, quiet_start=time(22, 30),
        quiet_end=time(6, 0)))
    _add_privacy_rows(a)


def _add_privacy_rows(a) -> None:
    """A retention period and an erasure request (one open: no closing time, no outcome)."""
    _insert(RetentionSetting, province_id=a.province.id, kind="evidence_photos", period=36,
            updated_at=MOMENT)
    _insert(ErasureRequest, province_id=a.province.id, user_id=a.viewer.id, created_at=LOCAL,
            closed_at=None, outcome=None)


@pytest.fixture
def every_kind(app, filled):
    """`filled` plus a row in every table, both nulls and the awkward values of each type."""
    with app.app_context():
        draft = services.start_draft(db.session.merge(filled.b.enterprise),
                                     db.session.merge(filled.b.officer))
        submitted = db.session.scalar(select(Assessment.id).where(
            Assessment.status == AssessmentStatus.SUBMITTED))
        _add_rows_to_every_table(filled, draft.id, submitted)
        first, second = db.session.scalars(select(Report.id).order_by(Report.id)).all()[:2]
        # Issued reports are immutable; the test shapes its awkward values as an operator would.
        with immutable.maintenance(db.session.connection()):
            db.session.execute(update(Report).where(Report.id == first).values(payload=JSON.NULL))
            db.session.execute(update(Report).where(Report.id == second).values(
                payload=null(), pdf=b"", generated_at=MOMENT))
        db.session.commit()
    return filled


def _json_nulls(rows: dict) -> tuple[set, set]:
    """The JSON columns that hold SQL NULL somewhere, and those that hold a JSON null."""
    sql, json_null = set(), set()
    for table, by_key in rows.items():
        for row in by_key.values():
            for column, (_kind, value) in row.items():
                if column.endswith(" IS NULL") and value:
                    sql.add(f"{table}.{column.removesuffix(' IS NULL')}")
                if column.endswith("::text") and value == "null":
                    json_null.add(f"{table}.{column.removesuffix('::text')}")
    return sql, json_null


def test_restore_is_exact_for_every_table_column_and_kind_of_null(
    app, every_kind, dedicated_app, tmp_path
):
    before = _raw_rows(app)
    assert not [name for name, rows in before.items() if not rows], "every table needs a row"
    sql_null, json_null = _json_nulls(before)
    assert {"assessment.result", "report.payload", "audit_log.details"} <= sql_null
    assert {"assessment.effective_result", "report.payload", "finding.result"} <= json_null
    path = tmp_path / "exact.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    with zipfile.ZipFile(path) as archive:
        job = archive.read("tables/job.jsonl").decode()
        logs = [json.loads(line) for line in archive.read("tables/audit_log.jsonl").splitlines()]
    # A document is its JSON text, Vietnamese unescaped; `null` is SQL NULL, "null" JSON null.
    assert json.loads(json.loads(job)["params"]) == DOCUMENT and "\\u" not in job
    assert {None, "null"} <= {log["details"] for log in logs}

    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    restored = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output
    _assert_same(before, _raw_rows(target))


def test_backup_and_restore_round_trip_every_row(app, filled, dedicated_app, tmp_path):
    path = tmp_path / "riskapp-backup.zip"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    before = _raw_rows(app)

    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    restored = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output

    after = _raw_rows(target)
    _assert_same(before, after)
    assert sum(len(rows) for rows in after.values()) > 20
    assert any(row["superseded_by_id"][1] for row in after["assessment"].values())
    # New rows get fresh ids after a restore (the sequences moved past the restored ids).
    with target.app_context():
        db.session.add(Province(code="ZZ", name="Tỉnh mới"))
        db.session.commit()
        assert db.session.scalar(select(Province.id).where(Province.code == "ZZ")) > max(
            key[0] for key in after["province"]
        )


def test_archive_is_json_lines_in_dependency_order_with_the_revision(app, filled, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = [t["name"] for t in manifest["tables"]]
        assert names.index("province") < names.index("enterprise") < names.index("assessment")
        with app.app_context(), db.engine.connect() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert manifest["alembic_revision"] == head
        lines = archive.read("tables/enterprise.jsonl").decode().splitlines()
        assert len(lines) == next(t["rows"] for t in manifest["tables"]
                                  if t["name"] == "enterprise")
        # Written as UTF-8, not \u escapes: Vietnamese stays readable in the archive.
        assert all("\\u" not in line for line in lines)
        # A zone-aware datetime carries its offset, from SQLite's naive UTC too.
        assert all(json.loads(line)["created_at"].endswith("+00:00") for line in lines)


def test_restore_refuses_a_database_that_is_not_empty(app, filled, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    before = _raw_rows(app)
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0
    assert "not empty" in result.output
    _assert_same(before, _raw_rows(app))


def _rewritten(path, tmp_path, change) -> str:
    """A copy of the archive at `path` with each member passed through change(name, bytes)."""
    other = tmp_path / "rewritten.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(other, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, change(item.filename, source.read(item)))
    return str(other)


def _with_manifest(**values):
    def change(name: str, data: bytes) -> bytes:
        return json.dumps({**json.loads(data), **values}).encode() if name == "manifest.json" \
            else data
    return change


def test_restore_refuses_a_backup_of_another_revision(app, filled, dedicated_app, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    other = _rewritten(path, tmp_path, _with_manifest(alembic_revision="0000_elsewhere"))
    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    result = target.test_cli_runner().invoke(args=["restore", other])
    assert result.exit_code != 0
    assert "revision 0000_elsewhere" in result.output
    assert not any(_raw_rows(target).values())


def test_restore_refuses_a_format_version_it_does_not_read(app, filled, tmp_path):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    result = app.test_cli_runner().invoke(
        args=["restore", _rewritten(path, tmp_path, _with_manifest(format_version=99))]
    )
    assert result.exit_code != 0
    assert "format version 99" in result.output and "reads versions 1, 2" in result.output


def _as_version_1(name: str, data: bytes) -> bytes:
    """Version 1 wrote JSON documents inline, so SQL NULL and JSON null were both `null`."""
    if name == "manifest.json":
        return _with_manifest(format_version=1)(name, data)
    table = Base.metadata.tables[name.removeprefix("tables/").removesuffix(".jsonl")]
    documents = [c.name for c in table.columns if isinstance(c.type, JSON)]
    lines = []
    for line in data.decode().splitlines():
        record = json.loads(line)
        record.update({c: json.loads(record[c]) for c in documents if record[c] is not None})
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _json_null_as_sql_null(rows: dict) -> dict:
    """The rows with every JSON null in a nullable JSON column read as SQL NULL."""
    changed = copy.deepcopy(rows)
    for name, by_key in changed.items():
        table = Base.metadata.tables[name]
        for row in by_key.values():
            for column in table.columns:
                if column.nullable and row.get(f"{column.name}::text") == ("str", "null"):
                    row[f"{column.name}::text"] = ("NoneType", None)
                    row[f"{column.name} IS NULL"] = ("bool", True)
    return changed


def test_a_version_1_archive_restores_its_nulls_as_sql_null(
    app, every_kind, dedicated_app, tmp_path
):
    path = tmp_path / "b.zip"
    assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    before = _raw_rows(app)
    expected = _json_null_as_sql_null(before)
    assert expected != before, "the source needs JSON nulls that version 1 cannot keep"
    target = dedicated_app(SQLALCHEMY_DATABASE_URI=_target_url(app, tmp_path))
    migrate.upgrade(target)
    restored = target.test_cli_runner().invoke(
        args=["restore", _rewritten(path, tmp_path, _as_version_1)]
    )
    assert restored.exit_code == 0, restored.output
    _assert_same(expected, _raw_rows(target))
