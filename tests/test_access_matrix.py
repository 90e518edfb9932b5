"""Every route × every role × own and foreign objects: outside a user's reach answers 404.

Each route names the roles that may use it. For those roles the route must answer (anything but 404
or a server error) on their own objects, and 404 on another province's objects; every other role
gets 404, and a visitor who is not logged in is sent to the login page. A route added without an
entry here fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskapp import territory
from riskapp.audit.services import ZIP_JOB_KIND
from riskapp.db import db
from riskapp.impact import services as impact_services
from riskapp.models import (
    ChangeEvent,
    ErasureRequest,
    ForensicFlag,
    InspectionVisit,
    Job,
    JobStatus,
    LogLeaf,
    Notification,
    NotificationDelivery,
    RemediationAction,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
    WorkItem,
)
from riskapp.province.proposals import propose_level
from riskapp.reports import keys
from riskapp.reports.services import RENDER_TASK
from riskapp.rounds import services as round_services
from riskapp.rounds.targets import Criteria
from riskapp.transparency import services as transparency_services
from tests import factories

OFFICER, AUDITOR, VIEWER, ADMIN, PLATFORM = (
    Role.OFFICER,
    Role.AUDITOR,
    Role.PROVINCE_VIEWER,
    Role.PROVINCE_ADMIN,
    Role.PLATFORM_ADMIN,
)
AREA_VIEWER, AREA_ADMIN = Role.AREA_VIEWER, Role.AREA_ADMIN
STAFF = {VIEWER, ADMIN, AREA_VIEWER, AREA_ADMIN}
MANAGERS = {ADMIN, AREA_ADMIN}
READERS = STAFF | {AUDITOR}
EVERYONE = {OFFICER, AUDITOR, VIEWER, ADMIN, PLATFORM, AREA_VIEWER, AREA_ADMIN}
ALL_ROLES = [OFFICER, AUDITOR, AREA_VIEWER, AREA_ADMIN, VIEWER, ADMIN, PLATFORM]
PUBLIC = "public"


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    roles: frozenset | str  # the roles that may use it, or PUBLIC
    path: str  # with {placeholders} filled from the objects of one tenant


def route(endpoint, method, roles, path) -> Route:
    return Route(endpoint, method, roles if roles == PUBLIC else frozenset(roles), path)


ROUTES = [
    route("main.home", "GET", EVERYONE, "/"),
    route("main.healthz", "GET", PUBLIC, "/healthz"),
    route("main.area_search", "GET", READERS, "/search/areas.json?q=a"),
    route("main.favicon", "GET", PUBLIC, "/favicon.ico"),
    route("main.service_worker", "GET", PUBLIC, "/sw.js"),
    route("main.manifest", "GET", PUBLIC, "/manifest.webmanifest"),
    route("main.offline", "GET", PUBLIC, "/offline"),
    route("main.switch_language", "GET", PUBLIC, "/lang/en"),
    route("auth.login", "GET", PUBLIC, "/auth/login"),
    route("auth.forgot_password", "GET", PUBLIC, "/auth/forgot"),
    route("auth.change_password", "GET", EVERYONE, "/auth/password"),
    route("assessments.home", "GET", {OFFICER}, "/enterprise/"),
    route("assessments.profile", "GET", {OFFICER}, "/enterprise/profile"),
    route("assessments.list_assessments", "GET", {OFFICER}, "/enterprise/assessments"),
    route("assessments.result", "GET", {OFFICER}, "/enterprise/assessments/{assessment}"),
    route("assessments.edit", "GET", {OFFICER}, "/enterprise/assessments/{draft}/edit"),
    route("assessments.edit", "POST", {OFFICER}, "/enterprise/assessments/{draft}/edit"),
    route("assessments.autosave", "POST", {OFFICER}, "/enterprise/assessments/{draft}/autosave"),
    route("assessments.actions", "GET", {OFFICER}, "/enterprise/actions"),
    route("assessments.update_action", "POST", {OFFICER}, "/enterprise/actions/{action}"),
    route("province.dashboard", "GET", READERS, "/province/"),
    route("province.reporting", "GET", READERS, "/province/reporting"),
    route("province.inspect_first", "GET", READERS, "/province/inspect"),
    route("province.gaps", "GET", READERS, "/province/gaps"),
    route("province.enterprises", "GET", READERS, "/province/enterprises"),
    route("province.enterprise", "GET", READERS, "/province/enterprises/{enterprise}"),
    route("province.map_data", "GET", READERS, "/province/map.json"),
    route("province.map_popup", "GET", READERS, "/province/map/{enterprise}.json"),
    route("province.export_enterprises", "GET", READERS, "/province/export/enterprises.csv"),
    route("province.export_tables", "GET", READERS, "/province/export/tables.xlsx"),
    route("province.export_assessments", "GET", READERS, "/province/export/assessments.csv"),
    route("province.remind", "POST", MANAGERS, "/province/reporting/remind"),
    route("province.export_inspection", "GET", READERS, "/province/export/inspect.csv"),
    route("province.plan_visits", "GET", MANAGERS, "/province/visits/plan?enterprise={enterprise}"),
    route("province.plan_visits", "POST", MANAGERS,
          "/province/visits/plan?enterprise={enterprise}"),
    # The action is open, not done: the review is refused (nothing changes), but reached.
    route("province.review_action", "POST", MANAGERS | {AUDITOR},
          "/province/actions/{action}/review"),
    route("province.audit_log", "GET", MANAGERS, "/province/audit-log"),
    route("province.export_audit_log", "GET", MANAGERS, "/province/audit-log.csv"),
        route("province.areas", "GET", STAFF, "/province/areas"),
    route("province.set_area_level", "POST", {ADMIN}, "/province/areas"),
    route("province.propose_level", "POST", {AREA_ADMIN}, "/province/areas/proposals"),
    route("province.approve_proposal", "POST", {ADMIN},
          "/province/areas/proposals/{proposal}/approve"),
    route("province.reject_proposal", "POST", {ADMIN},
          "/province/areas/proposals/{proposal}/reject"),
    route("province.add_area", "POST", {ADMIN}, "/province/areas/add"),
    route("province.merge_areas", "POST", {ADMIN}, "/province/areas/merge"),
    route("province.area_page", "GET", {ADMIN}, "/province/areas/{area}"),
    route("province.rename_area", "POST", {ADMIN}, "/province/areas/{area}/rename"),
    route("province.move_area", "POST", {ADMIN}, "/province/areas/{area}/move"),
    route("province.close_area", "POST", {ADMIN}, "/province/areas/{area}/close"),
    route("province.split_page", "GET", {ADMIN}, "/province/areas/{area}/split"),
    route("province.split_area", "POST", {ADMIN}, "/province/areas/{area}/split"),
    route("province.reform", "GET", {ADMIN}, "/province/areas/reform"),
    route("province.apply_reform_view", "POST", {ADMIN}, "/province/areas/reform"),
    route("province.imports", "GET", MANAGERS, "/province/imports"),
    route("province.imports", "POST", MANAGERS, "/province/imports"),
    route("province.apply_import", "POST", MANAGERS, "/province/imports/apply"),
    route("province.import_template", "GET", MANAGERS, "/province/imports/template.xlsx"),
    route("province.checklists", "GET", {ADMIN}, "/province/checklists"),
    route("province.checklists", "POST", {ADMIN}, "/province/checklists"),
    route("impact.preview_level", "POST", {ADMIN}, "/province/impact/level"),
    route("impact.preview_proposal", "POST", {ADMIN}, "/province/impact/proposals/{proposal}"),
    route("impact.preview_checklist", "POST", {ADMIN}, "/province/impact/checklists/{checklist}"),
    route("impact.preview_upload", "POST", {ADMIN}, "/province/impact/checklists/upload"),
    route("impact.show", "GET", {VIEWER, ADMIN}, "/province/impact/{impact_preview}"),
    route("impact.status", "GET", {VIEWER, ADMIN}, "/province/impact/{impact_preview}/status.json"),
    route("impact.apply", "POST", {ADMIN}, "/province/impact/{impact_preview}/apply"),
    route("province.activate_checklist", "POST", {ADMIN},
          "/province/checklists/{checklist}/activate"),
    route("rounds.index", "GET", STAFF, "/province/rounds/"),
    route("rounds.new", "GET", {ADMIN}, "/province/rounds/new"),
    route("rounds.new", "POST", {ADMIN}, "/province/rounds/new"),
    route("rounds.preview_count", "GET", {ADMIN}, "/province/rounds/new/preview.json?levels=2"),
    route("rounds.show", "GET", STAFF, "/province/rounds/{round}"),
    route("rounds.export_progress", "GET", STAFF, "/province/rounds/{round}/progress.xlsx"),
    route("rounds.summary", "GET", {VIEWER, ADMIN}, "/province/rounds/{round}/summary.pdf"),
    # Closes the tenant's round: the round routes above run first.
    route("rounds.close", "POST", {ADMIN}, "/province/rounds/{round}/close"),
    route("reviews.index", "GET", STAFF, "/province/reviews/"),
    route("reviews.review", "GET", STAFF, "/province/reviews/{assessment}"),
    # An empty post: refused with the form's message (nothing decided), so the walk goes on.
    route("reviews.decide", "POST", MANAGERS, "/province/reviews/{assessment}"),
    route("reviews.settings", "GET", {ADMIN}, "/province/reviews/settings"),
    route("reviews.settings", "POST", {ADMIN}, "/province/reviews/settings"),
    route("province.random_share", "POST", {ADMIN}, "/province/inspect/random-share"),
    route("province.inspect_first", "GET", READERS,
          "/province/inspect?mode=declared&budget=20"),
    route("province.plan_visits", "GET", MANAGERS,
          "/province/visits/plan?enterprise={enterprise}&random={enterprise}"),
    route("webhooks.index", "GET", {ADMIN}, "/province/webhooks/"),
    route("webhooks.new", "GET", {ADMIN}, "/province/webhooks/new"),
    # An empty form: refused with its messages, nothing stored.
    route("webhooks.new", "POST", {ADMIN}, "/province/webhooks/new"),
    route("webhooks.show", "GET", {ADMIN}, "/province/webhooks/{webhook}"),
    route("webhooks.send_test", "POST", {ADMIN}, "/province/webhooks/{webhook}/test"),
    route("webhooks.toggle", "POST", {ADMIN}, "/province/webhooks/{webhook}/active"),
    route("webhooks.rotate", "POST", {ADMIN}, "/province/webhooks/{webhook}/rotate"),
    route("webhooks.dead_letters", "GET", {ADMIN}, "/province/webhooks/dead"),
    route("webhooks.retry", "POST", {ADMIN},
          "/province/webhooks/deliveries/{webhook_delivery}/retry"),
    # Deletes the tenant's endpoint: the webhook routes above run first.
    route("webhooks.delete", "POST", {ADMIN}, "/province/webhooks/{webhook}/delete"),
    # Refused (the assessment is not returned): a message and back to the overview.
    route("assessments.correct", "POST", {OFFICER}, "/enterprise/assessments/{assessment}/correct"),
    route("audit.index", "GET", {AUDITOR}, "/audit/"),
    route("audit.assessment", "GET", {AUDITOR, ADMIN}, "/audit/assessments/{assessment}"),
    route("audit.finding", "GET", {AUDITOR, ADMIN}, "/audit/assessments/{assessment}/finding"),
    route("audit.finding", "POST", {AUDITOR, ADMIN}, "/audit/assessments/{assessment}/finding"),
    route("audit.zip_start", "POST", {AUDITOR}, "/audit/exports"),
    route("audit.visit_reports", "POST", {AUDITOR}, "/audit/visits/reports"),
    route("audit.visit_done", "POST", {AUDITOR}, "/audit/visits/{visit}/done"),
    route("audit.zip_job", "GET", {AUDITOR}, "/audit/exports/{job}"),
    route("audit.zip_status", "GET", {AUDITOR}, "/audit/exports/{job}/status"),
    route("audit.zip_download", "GET", {AUDITOR}, "/audit/exports/{job}/download"),
    route("reports.download", "GET", {OFFICER} | READERS, "/reports/assessment/{assessment}.pdf"),
    route("reports.retry", "POST", {OFFICER} | READERS, "/reports/assessment/{assessment}/retry"),
    route("reports.download_log", "GET", {OFFICER}, "/reports/downloads"),
    route("reports.verify_form", "GET", PUBLIC, "/verify"),
    route("reports.public_key", "GET", PUBLIC, "/verify/public-key.pem"),
    route("transparency.log_page", "GET", PUBLIC, "/verify/log"),
    route("transparency.latest_head", "GET", PUBLIC, "/verify/log/sth.json"),
    route("transparency.head_of_size", "GET", PUBLIC, "/verify/log/sth/{tree_size}.json"),
    route("transparency.inclusion_proof", "GET", PUBLIC,
          "/verify/log/proof/inclusion.json?leaf_hash={leaf_hash}"),
    route("transparency.consistency_proof", "GET", PUBLIC,
          "/verify/log/proof/consistency.json?first=1&second={tree_size}"),
    route("transparency.leaves", "GET", PUBLIC, "/verify/log/leaves.json?start=0&end=10"),
    route("transparency.publish", "POST", {ADMIN}, "/province/transparency/publish"),
    route("reports.keys_page", "GET", PUBLIC, "/verify/keys"),
    route("main.privacy", "GET", PUBLIC, "/privacy"),
    route("auth.privacy_consent", "GET", EVERYONE, "/auth/privacy-consent"),
    route("auth.privacy_consent", "POST", EVERYONE, "/auth/privacy-consent"),
    route("reports.keys_json", "GET", PUBLIC, "/verify/keys.json"),
    route("reports.key_pem", "GET", PUBLIC, "/verify/keys/{signing_key}.pem"),
    route("evidence.attach", "GET", {OFFICER}, "/evidence/assessments/{draft}/items/ORG-2"),
    route("evidence.attach", "POST", {OFFICER}, "/evidence/assessments/{draft}/items/ORG-2"),
    # Photos may show faces: the enterprise, its reviewers (managers) and auditors only.
    route("evidence.file", "GET", {OFFICER, AUDITOR} | MANAGERS, "/evidence/{evidence}"),
    route("evidence.thumbnail", "GET", {OFFICER, AUDITOR} | MANAGERS,
          "/evidence/{evidence}/thumbnail"),
    # On a submitted assessment: refused (nothing deleted), so the routes after it still work.
    route("evidence.delete", "POST", {OFFICER}, "/evidence/{evidence}/delete"),
    route("admin.index", "GET", {PLATFORM}, "/admin/"),
    route("admin.invite_province_admin", "POST", {PLATFORM}, "/admin/provinces/{province}/admins"),
    route("admin.work", "GET", {PLATFORM}, "/admin/work"),
    route("admin.retry_work", "POST", {PLATFORM}, "/admin/work/{work_item}/retry"),
    route("admin.users", "GET", MANAGERS, "/admin/users"),
    route("admin.invite", "GET", MANAGERS, "/admin/users/invite"),
    route("admin.enterprise_suggestions", "GET", MANAGERS, "/admin/users/enterprises.json"),
    route("admin.user", "GET", MANAGERS, "/admin/users/{user}"),
    route("admin.user", "POST", MANAGERS, "/admin/users/{user}"),
    route("admin.resend", "POST", MANAGERS, "/admin/users/{user}/resend"),
    route("admin.deactivate", "POST", MANAGERS, "/admin/users/{user}/deactivate"),
    route("admin.reactivate", "POST", MANAGERS, "/admin/users/{user}/reactivate"),
    route("privacy.retention_periods", "POST", {ADMIN}, "/province/privacy/retention"),
    route("privacy.account", "GET", EVERYONE, "/account/privacy"),
    route("privacy.my_data", "GET", EVERYONE, "/account/privacy/my-data.json"),
    route("privacy.request_erasure", "POST", EVERYONE - {PLATFORM}, "/account/privacy/erasure"),
    route("privacy.user_data", "GET", {ADMIN}, "/admin/users/{user}/data.json"),
    route("privacy.erase", "GET", {ADMIN}, "/admin/users/{user}/erase"),
    # Posted without the typed e-mail: refused (422), nothing erased, but reached.
    route("privacy.erase", "POST", {ADMIN}, "/admin/users/{user}/erase"),
    route("privacy.erasure_requests", "GET", {ADMIN}, "/admin/erasure-requests"),
    route("privacy.decline_request", "POST", {ADMIN},
          "/admin/erasure-requests/{erasure_request}/decline"),
    route("account.api_tokens", "GET", EVERYONE, "/account/tokens"),
    route("account.api_tokens", "POST", EVERYONE, "/account/tokens"),
    route("forensics.index", "GET", {VIEWER, ADMIN, AUDITOR}, "/province/signals/"),
    route("forensics.index", "GET", {VIEWER, ADMIN, AUDITOR},
          "/province/signals/?kind=implausible&status=open&area={area}"),
    route("forensics.dismiss", "POST", {ADMIN, AUDITOR},
          "/province/signals/{forensic_flag}/dismiss"),
    route("notifications.inbox", "GET", EVERYONE, "/account/notifications"),
    route("notifications.mark_all_read", "POST", EVERYONE, "/account/notifications/read"),
    route("notifications.preferences", "GET", EVERYONE, "/account/notifications/preferences"),
    route("notifications.preferences", "POST", EVERYONE, "/account/notifications/preferences"),
    route("notifications.deliveries", "GET", {ADMIN, PLATFORM},
          "/province/notifications/deliveries"),
    route("notifications.retry", "POST", {ADMIN, PLATFORM},
          "/province/notifications/deliveries/{notification_delivery}/retry"),
    route("api.openapi", "GET", PUBLIC, "/api/v1/openapi.json"),
    route("api.enterprises", "GET", {OFFICER} | READERS, "/api/v1/enterprises"),
    route("api.enterprise", "GET", {OFFICER} | READERS, "/api/v1/enterprises/{enterprise}"),
    route("api.checklist_list", "GET", EVERYONE, "/api/v1/checklists"),
    route("api.checklist_detail", "GET", EVERYONE, "/api/v1/checklists/vn-workplace-2021/1"),
    # A version a province uploaded is its own; the shipped one above is everyone's.
    route("api.checklist_detail", "GET", {OFFICER} | READERS,
          "/api/v1/checklists/vn-workplace-2021/{checklist_version}"),
    route("api.assessment_list", "GET", {OFFICER} | READERS, "/api/v1/assessments"),
    route("api.assessment_start", "POST", {OFFICER}, "/api/v1/assessments"),
    route("api.assessment_detail", "GET", {OFFICER} | READERS,
          "/api/v1/assessments/{assessment}"),
    route("api.assessment_answers", "PATCH", {OFFICER}, "/api/v1/assessments/{draft}/answers"),
    route("api.assessment_submit", "POST", {OFFICER}, "/api/v1/assessments/{draft}/submit"),
    route("api.assessment_result", "GET", {OFFICER} | READERS,
          "/api/v1/assessments/{assessment}/result"),
    route("api.assessment_report", "GET", {OFFICER} | READERS,
          "/api/v1/assessments/{assessment}/report.pdf"),
    route("api.action_list", "GET", {OFFICER} | READERS, "/api/v1/actions"),
    route("api.action_update", "PATCH", {OFFICER}, "/api/v1/actions/{action}"),
    route("api.province_summary", "GET", READERS, "/api/v1/province/summary"),
    route("api.changes", "GET", READERS, "/api/v1/changes"),
]
# Routes whose reach is tested elsewhere: one-time links and public verification by code.
NOT_IN_MATRIX = {
    "static",
    "auth.logout",
    "auth.accept_invite",
    "auth.reset_password",
    "reports.verify",
    "auth.login:POST",
    "auth.forgot_password:POST",
    "auth.change_password:POST",
    "reports.verify_form:POST",
    "admin.index:POST",
    "admin.invite:POST",
    "assessments.new:POST",
    "assessments.profile:POST",
    # A token belongs to one user: tests/api/test_tokens.py checks others get 404.
    # So does a notification: tests/notifications/test_service.py (the bell and the inbox).
    "notifications.mark_read",
    "account.revoke_api_token",
    # A kept import file belongs to its uploader: tests/province/test_import_rules.py checks
    # another province's admin gets 404.
    "province.rejected_import_rows",
}


def _objects(tenant, app, checklist_version: int) -> dict[str, object]:
    """The objects of one tenant that the routes point at (its own checklist version too)."""
    submitted = factories.submit_assessment(tenant.enterprise, tenant.officer)
    db.session.flush()
    from riskapp.assessments import services

    draft = services.start_draft(tenant.enterprise, tenant.officer)
    action = db.session.scalar(
        select(RemediationAction).where(RemediationAction.assessment_id == submitted.id).limit(1)
    )
    job = Job(
        id=str(uuid.uuid4()),
        kind=ZIP_JOB_KIND,
        status=JobStatus.DONE,
        created_by_id=tenant.auditor.id,
        province_id=tenant.province.id,
    )
    # A render that gave up (of no report: a retry runs it at once, to "missing").
    work_item = WorkItem(task=RENDER_TASK, args=[0], province_id=tenant.province.id,
                         status=JobStatus.FAILED, attempts=3, max_attempts=3, budget_seconds=120,
                         last_error="attempt 3: OSError: disk full")
    visit = InspectionVisit(province_id=tenant.province.id, enterprise_id=tenant.enterprise.id,
                            auditor_id=tenant.auditor.id, planned_on=submitted.assessed_on,
                            assigned_by_id=tenant.admin.id)
    db.session.add_all([job, work_item, visit])
    db.session.flush()
    webhook, webhook_delivery = _dead_webhook_delivery(tenant)
    notification_delivery = _dead_notification_delivery(tenant)
    assert action is not None, "the test answers must leave a failing item"
    from tests.evidence.support import make_evidence

    evidence = make_evidence(submitted, tenant.officer)
    flag = ForensicFlag(province_id=tenant.province.id, enterprise_id=tenant.enterprise.id,
                        assessment_id=submitted.id, kind="implausible",
                        key="workers_above_headcount",
                        reason={"rule": "workers_above_headcount", "workers": 900,
                                "headcount": 250, "limit_ratio": 1.5})
    erasure_request = ErasureRequest(province_id=tenant.province.id, user_id=tenant.viewer.id)
    db.session.add_all([flag, erasure_request])
    db.session.flush()
    uploaded = factories.upload_checklist(tenant.province, tenant.admin,
                                          checklist_version).checklist_version
    proposal = propose_level(tenant.commune, 3, date(2026, 12, 1), "Cụm ca bệnh mới",
                             tenant.area_admin)
    today = territory.province_today(tenant.province.id)
    impact_preview = impact_services.start_level_preview(
        tenant.province.id, tenant.commune, 3, today, tenant.admin)
    round_ = round_services.open_round(tenant.province.id, round_services.RoundPlan(
        "Đợt 1", today, today + timedelta(days=7), None, Criteria()), tenant.admin)
    return {
        "round": round_.id,
        "assessment": submitted.id,
        "draft": draft.id,
        "action": action.id,
        "enterprise": tenant.enterprise.id,
        "area": tenant.commune.id,
        # Bound to the district: inside the reach of the area admin as of the province admin.
        "user": tenant.auditor.id,
        "proposal": proposal.id,
        "impact_preview": impact_preview.id,
        "province": tenant.province.id,
        "job": job.id,
        "work_item": work_item.id,
        "visit": visit.id,
        "webhook": webhook,
        "webhook_delivery": webhook_delivery,
        "notification_delivery": notification_delivery,
        "evidence": evidence.id,
        "forensic_flag": flag.id,
        "erasure_request": erasure_request.id,
        "checklist": uploaded.id,
        "checklist_version": uploaded.version,
        # The public log is one for every province: a leaf of this tenant and a head over it.
        "leaf_hash": bytes(db.session.scalar(select(LogLeaf.leaf_hash).where(
            LogLeaf.province_id == tenant.province.id).limit(1))).hex(),
        "tree_size": transparency_services.publish()[0].tree_size,
        # One registry for the platform: the public key pages are everyone's.
        "signing_key": keys.current_row().key_id,
    }


def _dead_webhook_delivery(tenant) -> tuple[int, int]:
    """An endpoint at a documentation address (refused before any call) and a dead delivery."""
    endpoint = WebhookEndpoint(province_id=tenant.province.id, url="http://192.0.2.1/hook",
                               events=["report.ready"], secret="whsec_" + "A" * 43, active=True)
    event = ChangeEvent(province_id=tenant.province.id, type="report.ready", payload={})
    db.session.add_all([endpoint, event])
    db.session.flush()
    dead = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, status="dead",
                           attempts=6, last_error="HTTP 500")
    db.session.add(dead)
    db.session.flush()
    return endpoint.id, dead.id


def _dead_notification_delivery(tenant) -> int:
    """A notification to the tenant's officer whose e-mail delivery gave up."""
    notification = Notification(user_id=tenant.officer.id, province_id=tenant.province.id,
                                kind="reminder", dedup_key=f"matrix:{tenant.province.id}",
                                subject="Nhắc việc", body="…", context={}, urgent=False)
    db.session.add(notification)
    db.session.flush()
    dead = NotificationDelivery(notification_id=notification.id,
                                province_id=tenant.province.id, channel="sms", status="dead",
                                attempts=1, last_error="eSMS 789: Phone invalid")
    db.session.add(dead)
    db.session.flush()
    return dead.id


@pytest.fixture
def matrix_world(app, world):
    with app.test_request_context():
        own = _objects(world.a, app, checklist_version=2)
        foreign = _objects(world.b, app, checklist_version=3)
        db.session.commit()
    return world, own, foreign


USERS = {
    OFFICER: lambda w: w.a.officer,
    AUDITOR: lambda w: w.a.auditor,
    VIEWER: lambda w: w.a.viewer,
    ADMIN: lambda w: w.a.admin,
    AREA_VIEWER: lambda w: w.a.area_viewer,
    AREA_ADMIN: lambda w: w.a.area_admin,
    PLATFORM: lambda w: w.platform_admin,
}


def _call(client, r: Route, ids: dict, user=None) -> int:
    path = r.path.format(**ids)
    if path.startswith("/api/"):
        # The API ignores the session: a logged-in role calls it with its own bearer token.
        headers = {}
        if user is not None:
            from tests.api.helpers import bearer, make_token

            headers = bearer(make_token(client.application, user))
        return client.open(path, method=r.method, headers=headers,
                           json=None if r.method == "GET" else {}).status_code
    if r.method == "GET":
        return client.get(path).status_code
    return client.post(path, data={}).status_code


def _has_objects(r: Route, role: Role) -> bool:
    # A platform admin creates every province's first admin and watches every province's
    # background work: no province, and no work item, is foreign to them.
    # Notification deliveries of every province are theirs to watch and retry too.
    if role == PLATFORM and any(key in r.path for key in (
            "{province}", "{work_item}", "{notification_delivery}")):
        return False
    return "{" in r.path


def test_every_route_is_in_the_matrix(app):
    listed = {(r.endpoint, r.method) for r in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            key = f"{rule.endpoint}:{method}"
            if (rule.endpoint, method) in listed or rule.endpoint in NOT_IN_MATRIX:
                continue
            if key not in NOT_IN_MATRIX:
                missing.append(key)
    assert missing == []


def test_visitors_are_sent_to_log_in(client, matrix_world):
    _world, own, _foreign = matrix_world
    wrong = []
    for r in ROUTES:
        status = _call(client, r, own)
        if r.roles == PUBLIC:
            if status >= 400 and status != 405:
                wrong.append((r.endpoint, r.method, status))
        elif status != 302 and not (r.path.startswith("/api/") and status == 401):
            wrong.append((r.endpoint, r.method, status))
    assert wrong == []


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.value)
def test_role_reach(role, matrix_world, login_as):
    world, own, foreign = matrix_world
    client = login_as(USERS[role](world))
    wrong = []
    for r in ROUTES:
        if r.roles == PUBLIC:
            continue
        allowed = role in r.roles
        user = USERS[role](world)
        status = _call(client, r, own, user)
        if allowed and (status == 404 or status >= 500):
            wrong.append((r.endpoint, r.method, "own", status, "expected reachable"))
        if not allowed and status != 404:
            wrong.append((r.endpoint, r.method, "own", status, "expected 404"))
        if _has_objects(r, role):
            status = _call(client, r, foreign, user)
            if status != 404:
                wrong.append((r.endpoint, r.method, "foreign", status, "expected 404"))
        # Some POSTs change state (deactivate, resend); log in again so the walk goes on.
        if r.endpoint in ("admin.deactivate",) and allowed:
            _call(client, route("admin.reactivate", "POST", MANAGERS, r.path.replace(
                "deactivate", "reactivate")), own)
    assert wrong == []


def test_auditor_cannot_reach_enterprises_outside_their_areas(matrix_world, login_as, app):
    world, _own, _foreign = matrix_world
    with app.test_request_context():
        elsewhere = factories.submit_assessment(world.a.enterprise_elsewhere, world.a.officer)
        db.session.commit()
        ids = {"assessment": elsewhere.id, "enterprise": world.a.enterprise_elsewhere.id}
    client = login_as(world.a.auditor)
    for path in (
        "/audit/assessments/{assessment}",
        "/audit/assessments/{assessment}/finding",
        "/province/enterprises/{enterprise}",
        "/province/map/{enterprise}.json",
        "/reports/assessment/{assessment}.pdf",
    ):
        assert client.get(path.format(**ids)).status_code == 404, path


OUTSIDE_PLACEHOLDERS = ("enterprise", "assessment", "action", "evidence", "area", "proposal")


def _outside_objects(tenant) -> dict[str, int]:
    """Objects of the same province outside the district the auditor and area staff are bound
    to: the other enterprise, its submitted assessment, an action, evidence, the other area."""
    from tests.evidence.support import make_evidence

    submitted = factories.submit_assessment(tenant.enterprise_elsewhere, tenant.officer)
    db.session.flush()
    action = db.session.scalar(
        select(RemediationAction).where(RemediationAction.assessment_id == submitted.id).limit(1)
    )
    proposal = propose_level(tenant.other_district, 4, date(2026, 12, 1), "Ổ dịch",
                             tenant.admin)
    return {
        "enterprise": tenant.enterprise_elsewhere.id,
        "assessment": submitted.id,
        "action": action.id,
        "evidence": make_evidence(submitted, tenant.officer).id,
        "area": tenant.other_district.id,
        "proposal": proposal.id,
    }


def _outside_routes() -> list[Route]:
    """Routes whose only placeholders are objects the outside set has."""
    found = []
    for r in ROUTES:
        names = {part.split("}")[0] for part in r.path.split("{")[1:]}
        if names and names <= set(OUTSIDE_PLACEHOLDERS):
            found.append(r)
    return found


@pytest.mark.parametrize("role", [AUDITOR, AREA_VIEWER, AREA_ADMIN], ids=lambda r: r.value)
def test_area_bound_roles_get_404_outside_their_subtree(role, matrix_world, login_as, app):
    world, _own, _foreign = matrix_world
    with app.test_request_context():
        outside = _outside_objects(world.a)
        db.session.commit()
    user = USERS[role](world)
    client = login_as(user)
    routes = _outside_routes()
    assert {"province.enterprise", "api.assessment_detail", "evidence.file",
            "province.area_page"} <= {r.endpoint for r in routes}
    wrong = [(r.endpoint, r.method, status) for r in routes
             if (status := _call(client, r, outside, user)) != 404]
    assert wrong == []
