"""The OpenAPI 3.1 document of /api/v1, built in one place (served at /api/v1/openapi.json)."""

from __future__ import annotations

from functools import lru_cache

from riskapp.models import ActionStatus, AssessmentStatus, Grade, Priority, ReviewStatus
from riskapp.models.webhook import EVENT_TYPES

MAX_ID = 2**31 - 1
GRADES = [grade.value for grade in Grade]
NULLABLE_GRADE = {"type": ["string", "null"], "enum": [*GRADES, None]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required=None, extra: bool = False) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": extra}


def _nullable(kind: str, **more) -> dict:
    return {"type": [kind, "null"], **more}


STRING, INTEGER, NUMBER, BOOLEAN = ({"type": t} for t in ("string", "integer", "number", "boolean"))
DATE = {"type": "string", "format": "date"}
NULL_DATE = _nullable("string", format="date")
NULL_DATETIME = _nullable("string", format="date-time")
TEXT = _obj({"vi": STRING, "en": STRING})


def _page(item: str) -> dict:
    return _obj({"items": {"type": "array", "items": _ref(item)}, "page": INTEGER,
                 "per_page": INTEGER, "total": INTEGER})


NULLABLE_REVIEW = {"type": ["string", "null"], "enum": [*(s.value for s in ReviewStatus), None]}

TALLY = {
    "total": INTEGER, "current": INTEGER, "overdue": INTEGER, "never": INTEGER,
    "reporting_rate": _nullable("number"), "on_time_rate": _nullable("number"),
    "by_grade": _obj({grade: INTEGER for grade in GRADES}),
}

CHECKLIST = {
    "key": STRING, "version": INTEGER, "title": _ref("Text"), "fingerprint": STRING,
    "shipped": BOOLEAN, "active": BOOLEAN, "active_from": NULL_DATE,
}

SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details; `errors` lists every validation problem.",
        "properties": {
            "type": STRING, "title": STRING, "status": INTEGER, "detail": STRING,
            "errors": {"type": "array", "items": _ref("ValidationError")},
            "lock_version": {**INTEGER, "description": "On 409 stale drafts: the current one."},
        },
        "required": ["type", "title", "status"],
    },
    "ValidationError": _obj({"item_id": _nullable("string"), "field": _nullable("string"),
                             "code": STRING, "message": STRING}),
    "Text": TEXT,
    "EnterpriseStatus": _obj({
        "current_assessment_id": _nullable("integer"), "assessed_on": NULL_DATE,
        "score": _nullable("number"), "declared_grade": NULLABLE_GRADE,
        "effective_grade": NULLABLE_GRADE, "audited_grade": NULLABLE_GRADE,
        "failed_critical": INTEGER, "next_due_on": NULL_DATE, "assessment_count": INTEGER,
        "review_status": NULLABLE_REVIEW, "accepted_grade": NULLABLE_GRADE,
    }),
    "Enterprise": _obj({
        "id": INTEGER, "tax_code": STRING, "name": STRING, "province_id": INTEGER,
        "area_id": INTEGER, "area_path": STRING, "industry": STRING,
        "industry_division": _nullable("string"), "address": _nullable("string"),
        "latitude": _nullable("number"), "longitude": _nullable("number"),
        "headcount": INTEGER, "has_canteen": BOOLEAN, "has_shuttle": BOOLEAN,
        "has_dormitory": BOOLEAN,
        "status": {"oneOf": [_ref("EnterpriseStatus"), {"type": "null"}]},
    }),
    "EnterprisePage": _page("Enterprise"),
    "ChecklistSummary": _obj(CHECKLIST),
    "ChecklistList": _obj({"items": {"type": "array", "items": _ref("ChecklistSummary")}}),
    "ChecklistDetail": _obj({**CHECKLIST, "definition": {
        "type": "object", "description": "The definition in the checklist file format."}}),
    "Assessment": {
        **_obj({
            "id": INTEGER, "enterprise_id": INTEGER, "province_id": INTEGER,
            "status": {"type": "string", "enum": [s.value for s in AssessmentStatus]},
            "checklist": _obj({"key": STRING, "version": INTEGER}),
            "answers": {"type": "object", "description": "Item id → answer (strings in "
                        "drafts, typed once submitted)."},
            "declared": _obj({"confirmed_case_14d": BOOLEAN}),
            "lock_version": INTEGER, "assessed_on": NULL_DATE, "score": _nullable("number"),
            "grade": NULLABLE_GRADE, "effective_grade": NULLABLE_GRADE,
            "declared_grade": {**NULLABLE_GRADE, "description": "The self-assessed grade "
                               "(the same as `grade`)."},
            "review_status": {**NULLABLE_REVIEW, "description": "The authority's review: "
                              "pending, accepted, auto_accepted (its grade is not reviewed), "
                              "returned (for correction); null for a draft."},
            "accepted_grade": {**NULLABLE_GRADE, "description": "The declared grade once "
                               "accepted by the authority; null until then."},
            "audited_grade": {**NULLABLE_GRADE, "description": "The grade of the latest "
                              "on-site finding; null without one."},
            "corrects_id": {**_nullable("integer"), "description": "The assessment returned "
                            "for correction that this one corrects."},
            "failed_critical": INTEGER, "next_due_on": NULL_DATE,
            "created_at": {"type": "string", "format": "date-time"},
            "submitted_at": NULL_DATETIME, "superseded_by_id": _nullable("integer"),
            "problems": {"type": "array", "items": _ref("ValidationError"),
                         "description": "After saving answers: what a submit would still "
                                        "refuse (missing answers excepted)."},
        }, required=["id", "enterprise_id", "status", "checklist", "answers", "declared",
                     "lock_version", "grade"]),
    },
    "AssessmentPage": _page("Assessment"),
    "AnswersPatch": {
        "type": "object",
        "properties": {
            "answers": {"type": "object", "additionalProperties": {
                "type": ["string", "number", "null"]},
                "description": "Item id → answer; an empty string or null clears it."},
            "declared": {"type": "object",
                         "properties": {"confirmed_case_14d": BOOLEAN},
                         "additionalProperties": False},
            "lock_version": {"type": "integer", "minimum": 1},
        },
        "required": ["lock_version"],
    },
    "SubmitRequest": {
        "type": "object",
        "properties": {"submit_token": {"type": "string", "minLength": 1, "maxLength": 64,
                                        "description": "Makes a repeated submit land once."}},
    },
    "AssessmentResult": _obj({
        "assessment": _ref("Assessment"), "regraded": BOOLEAN,
        "result": {"type": "object", "description": "The engine result (effective grade)."},
        "submitted_result": {"type": ["object", "null"]},
    }),
    "ReportPending": _obj({"status": {"type": "string", "enum": ["pending", "failed"]},
                           "retry_after": INTEGER}),
    "Action": _obj({
        "id": INTEGER, "assessment_id": INTEGER, "enterprise_id": INTEGER, "item_id": STRING,
        "priority": {"type": "string", "enum": [p.value for p in Priority]},
        "critical": BOOLEAN, "points": NUMBER, "position": INTEGER, "action": _ref("Text"),
        "due_on": DATE, "status": {"type": "string", "enum": [s.value for s in ActionStatus]},
        "overdue": BOOLEAN, "owner": _nullable("string"), "note": _nullable("string"),
        "completed_at": NULL_DATETIME, "verified_at": NULL_DATETIME,
    }),
    "ActionPage": _page("Action"),
    "ActionPatch": {
        "type": "object",
        "properties": {
            "owner": _nullable("string", maxLength=255),
            "note": _nullable("string", maxLength=2000),
            "due_on": DATE,
            "status": {"type": "string", "enum": ["open", "in_progress", "done"]},
        },
        "additionalProperties": False,
    },
    "Tally": _obj(TALLY),
    "AreaTally": _obj({"area_id": INTEGER, "name": STRING, "exact": BOOLEAN, **TALLY}),
    "ProvinceSummary": _obj({
        "as_of": DATE,
        "filters": _obj({"area_id": _nullable("integer"), "industry": _nullable("string"),
                         "grade": _nullable("string")}),
        "headline": _ref("Tally"),
        "declared_by_grade": _obj({grade: INTEGER for grade in GRADES}),
        "by_area": {"type": "array", "items": _ref("AreaTally")},
    }),
    "ChangeEvent": _obj({
        "id": INTEGER,
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "occurred_at": {"type": "string", "format": "date-time"},
        "enterprise_id": _nullable("integer"), "area_id": _nullable("integer"),
        "data": {"type": "object", "description": "Ids, tax code, grades and dates of the "
                                                  "event (as in its webhook)."},
    }),
    "ChangeFeed": _obj({
        "items": {"type": "array", "items": _ref("ChangeEvent")},
        "next": {**INTEGER, "description": "Pass as `since` in the next call."},
        "more": {**BOOLEAN, "description": "A full page: call again at once."},
    }),
}


def _problem(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


ERRORS = {
    "400": _problem("Bad query parameter or malformed JSON"),
    "401": _problem("Missing, unknown, expired or revoked token"),
    "403": _problem("The token lacks the scope"),
    "404": _problem("Not found, or outside the caller's reach"),
    "405": _problem("Method not allowed"),
    "413": _problem("Body too large"),
    "415": _problem("The body is not JSON"),
    "429": _problem("Too many requests"),
    "500": _problem("Server error (never with a traceback)"),
    "503": _problem("The database is unavailable"),
}


def _json(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": schema or {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "Page, from 1"),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100},
           "Items per page (default 20, at most 100)"),
]
ID_QUERY = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
INDUSTRY = {"type": "string", "enum": list("ABCDEFGHIJKLMNOPQRSTU")}
GRADE_FILTER = {"type": "string", "enum": [*GRADES, "none"]}
LINK_HEADER = {"Link": {"description": "first, last, prev, next pages (RFC 8288)",
                        "schema": {"type": "string"}}}


def _op(op_id: str, summary: str, scope: str, responses: dict, *, parameters=None,
        body: str | None = None, body_required: bool = True, tag: str = "") -> dict:
    operation = {
        "operationId": op_id, "summary": summary, "tags": [tag] if tag else [],
        "security": [{"bearer": []}],
        "description": f"Token scope: `{scope}`.",
        "parameters": parameters or [],
        "responses": {**responses, **ERRORS},
    }
    if body:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


def _paged(schema: str) -> dict:
    return {"200": {**_json(schema), "headers": LINK_HEADER}}


ASSESSMENT_ID = _path("assessment_id")
INVALID = _problem("Invalid body; `errors` lists every problem")


def _enterprise_paths() -> dict:
    return {
        "/enterprises": {"get": _op(
            "listEnterprises", "Enterprises in reach", "read", _paged("EnterprisePage"),
            tag="enterprises", parameters=[
                *PAGING,
                _query("area_id", ID_QUERY, "Only this area and the areas below it"),
                _query("industry", INDUSTRY, "VSIC 2018 section letter"),
                _query("grade", GRADE_FILTER, "Final grade, or `none` (never assessed)"),
                _query("q", {"type": "string", "maxLength": 80},
                       "Name (diacritics optional: `hoang hoa` finds Hoằng Hóa) or tax code "
                       "prefix"),
            ])},
        "/enterprises/{enterprise_id}": {"get": _op(
            "getEnterprise", "One enterprise with its current status", "read",
            {"200": _json("Enterprise")}, tag="enterprises",
            parameters=[_path("enterprise_id")])},
    }


def _checklist_paths() -> dict:
    return {
        "/checklists": {"get": _op(
            "listChecklists", "Shipped checklists and the versions the province activated",
            "read", {"200": _json("ChecklistList")}, tag="checklists")},
        "/checklists/{key}/{version}": {"get": _op(
            "getChecklist", "One checklist version's definition", "read",
            {"200": _json("ChecklistDetail")}, tag="checklists",
            parameters=[_path("key", {"type": "string"}), _path("version")])},
    }


def _assessment_paths() -> dict:
    return {
        "/assessments": {
            "get": _op("listAssessments", "Assessments in reach (drafts: officers only)",
                       "read", _paged("AssessmentPage"), tag="assessments", parameters=[
                           *PAGING,
                           _query("status", {"type": "string",
                                             "enum": [s.value for s in AssessmentStatus]},
                                  "Only this status"),
                           _query("enterprise_id", ID_QUERY, "Only this enterprise")]),
            "post": _op("startAssessment", "Start a draft, or return the open one (officer)",
                        "write", {"200": _json("Assessment", "The open draft"),
                                  "201": _json("Assessment", "A new draft")},
                        tag="assessments"),
        },
        "/assessments/{assessment_id}": {"get": _op(
            "getAssessment", "One assessment", "read", {"200": _json("Assessment")},
            tag="assessments", parameters=[ASSESSMENT_ID])},
    }


def _draft_paths() -> dict:
    """Saving and submitting a draft assessment."""
    return {
        "/assessments/{assessment_id}/answers": {"patch": _op(
            "saveAnswers", "Save answers to a draft (compare-and-set on lock_version)", "write",
            {"200": _json("Assessment", "Saved; `problems` lists what a submit would refuse"),
             "409": _problem("Stale lock_version, or no longer a draft"), "422": INVALID},
            tag="assessments", parameters=[ASSESSMENT_ID], body="AnswersPatch")},
        "/assessments/{assessment_id}/submit": {"post": _op(
            "submitAssessment", "Grade and freeze the draft (idempotent)", "write",
            {"200": _json("Assessment", "Submitted (now or earlier)"),
             "422": _problem("Refused; `errors` lists every problem (item_id, code, message)")},
            tag="assessments", parameters=[ASSESSMENT_ID], body="SubmitRequest",
            body_required=False)},
    }


def _result_paths() -> dict:
    """A submitted assessment's result, and its signed PDF report."""
    pdf = {"description": "The signed PDF", "headers": {"ETag": {"schema": {"type": "string"}}},
           "content": {"application/pdf": {"schema": {"type": "string",
                                                      "contentMediaType": "application/pdf"}}}}
    pending = {**_json("ReportPending", "Rendering; retry after Retry-After seconds"),
               "headers": {"Retry-After": {"schema": {"type": "string"}}}}
    return {
        "/assessments/{assessment_id}/result": {"get": _op(
            "getResult", "The graded result: score, grade, reasons, remediation", "read",
            {"200": _json("AssessmentResult")}, tag="assessments",
            parameters=[ASSESSMENT_ID])},
        "/assessments/{assessment_id}/report.pdf": {"get": _op(
            "getReport", "The signed report PDF", "reports",
            {"200": pdf, "202": pending, "304": {"description": "Not modified (ETag)"}},
            tag="reports", parameters=[
                ASSESSMENT_ID,
                _query("lang", {"type": "string", "enum": ["vi", "en"]}, "Report language")])},
    }


def _action_paths() -> dict:
    return {
        "/actions": {"get": _op(
            "listActions", "Remediation actions in reach", "read", _paged("ActionPage"),
            tag="actions", parameters=[
                *PAGING,
                _query("status", {"type": "string", "enum": [s.value for s in ActionStatus]},
                       "Only this status"),
                _query("assessment_id", ID_QUERY, "Only this assessment's actions")])},
        "/actions/{action_id}": {"patch": _op(
            "updateAction", "Change owner, due date, status or note (officer)", "write",
            {"200": _json("Action"), "409": _problem("Verified or replaced"), "422": INVALID},
            tag="actions", parameters=[_path("action_id")], body="ActionPatch")},
    }


def _province_paths() -> dict:
    return {
        "/province/summary": {"get": _op(
            "provinceSummary", "Headline figures, by grade and by area", "province",
            {"200": _json("ProvinceSummary")}, tag="province", parameters=[
                _query("area_id", ID_QUERY, "This area and below (404 outside reach)"),
                _query("industry", INDUSTRY, "VSIC 2018 section letter"),
                _query("grade", GRADE_FILTER, "Final grade, or `none`")])},
        "/changes": {"get": _op(
            "changes", "Change events after a cursor (pull feed; the same events as webhooks)",
            "province", {"200": _json("ChangeFeed")}, tag="province", parameters=[
                _query("since", {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                       "The last event id seen (0 or absent: from the start)"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500},
                       "At most this many events (default 100)")])},
    }


def _paths() -> dict:
    """Every path of /api/v1, in the order the document lists them."""
    return {**_enterprise_paths(), **_checklist_paths(), **_assessment_paths(),
            **_draft_paths(), **_result_paths(), **_action_paths(), **_province_paths()}


@lru_cache(maxsize=1)
def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "riskapp API",
            "version": "1.0.0",
            "description": "Workplace infection-risk self-assessment. Authenticate with a "
                           "personal token (`Authorization: Bearer rk_…`) created under "
                           "/account/tokens. Errors are application/problem+json. Objects "
                           "outside the caller's reach answer 404.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "bearerFormat": "rk_<prefix>_<secret>"}},
        },
        "security": [{"bearer": []}],
    }
