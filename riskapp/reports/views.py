"""Report routes: download of stored PDFs, the officer's download log, public verification."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from riskapp import links
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, report_pdf_limit, user_or_address
from riskapp.models import ReportStatus
from riskapp.reports import bp, services
from riskapp.reports.keyset import pem_of
from riskapp.tenancy import (
    OFFICERS,
    TENANT_USERS,
    get_assessment_or_404,
    own_enterprise_or_404,
    route,
)
from riskapp.transparency import services as transparency_log

PDF_MIMETYPE = "application/pdf"


def _report_lang() -> str:
    lang = request.args.get("lang", "vi")
    return lang if lang in services.REPORT_LANGS else "vi"


def _etag_matches(sha256: str) -> bool:
    # If-None-Match compares weakly (RFC 9110): a proxy may have marked our tag W/.
    return request.if_none_match.contains_weak(sha256) or request.if_none_match.star_tag


@route(bp, "/reports/assessment/<int:assessment_id>.pdf", roles=TENANT_USERS)
# Only a delivered file or a queued render counts: waiting on the "being prepared" page (202)
# or a 304 costs nothing.
@report_pdf_limit()
def download(assessment_id: int):
    assessment = get_assessment_or_404(assessment_id, submitted=True)
    lang = _report_lang()
    report = services.request_report(assessment, lang)
    if report.status != ReportStatus.READY:
        db.session.commit()  # the render is queued once this commits
        return (
            render_template(
                "reports_web/pending.html",
                assessment=assessment,
                report=report,
                lang_param=lang,
                can_retry=services.can_retry(report),
                stage=services.render_stage(report),
            ),
            202 if report.status == ReportStatus.PENDING else 200,
            {"Cache-Control": "no-store"},
        )
    return serve_stored_report(report, assessment)


def serve_stored_report(report, assessment) -> Response:
    """The stored PDF with its ETag (304 when the client has it); each download is logged."""
    headers = {
        "ETag": f'"{report.sha256}"',
        # Revalidate every time: each download is access-checked and logged.
        "Cache-Control": "private, no-cache",
    }
    if _etag_matches(report.sha256):
        return Response(status=304, headers=headers)
    enterprise = assessment.enterprise
    headers["Content-Disposition"] = services.content_disposition(
        services.download_filename(report, assessment, enterprise),
        services.unicode_filename(report, assessment, enterprise),
    )
    body = services.stored_pdf(report)
    services.record_download(report, current_user)
    db.session.commit()
    return Response(body, mimetype=PDF_MIMETYPE, headers=headers)


@route(bp, "/reports/assessment/<int:assessment_id>/retry", roles=TENANT_USERS,
       methods=["POST"])
@limiter.limit(costly_limit, key_func=user_or_address)
def retry(assessment_id: int):
    assessment = get_assessment_or_404(assessment_id, submitted=True)
    lang = _report_lang()
    report = services.report_of(assessment.id, lang)
    if report is None or not services.can_retry(report):
        flash(_("The report is already being prepared."), "info")
    else:
        services.retry_render(report)
        db.session.commit()
        flash(_("The report is being prepared again."), "info")
    return redirect(url_for("reports.download", assessment_id=assessment.id, lang=lang))


@route(bp, "/reports/downloads", roles=OFFICERS)
def download_log():
    enterprise = own_enterprise_or_404()
    page = services.download_page(enterprise.id, request.args.get("page", 1, type=int))
    return render_template("reports_web/download_log.html", page=page)


# --------------------------------------------------------------------------- public verification


def _verify_upload_limit() -> str:
    return current_app.config.get("VERIFY_UPLOAD_RATE_LIMIT", "10 per minute; 100 per hour")


def _check_posted_pdf(expected: services.PublicReport | None = None):
    """(check, error) for a POSTed upload; (None, None) on GET."""
    if request.method != "POST":
        return None, None
    upload = request.files.get("pdf")
    if upload is None or not upload.filename:
        return None, _("Choose the PDF file to check.")
    return services.check_upload(upload.read(), expected), None


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_upload_limit, methods=["POST"])
def verify_form():
    """Type a code (GET ?code=), or upload any report to check it (POST)."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("reports.verify", code=code.upper().replace(" ", "")))
    check, error = _check_posted_pdf()
    return render_template("verify/index.html", check=check, error=error), 400 if error else 200


def _pem_response(pem: bytes, filename: str) -> Response:
    db.session.commit()  # the first key, registered on first use
    return Response(pem, mimetype="application/x-pem-file", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "public, max-age=3600",
    })


@bp.route("/verify/public-key.pem")
def public_key():
    """The current key (the one that signs new reports)."""
    return _pem_response(services.public_key_pem(), "riskapp-report-signing-key.pem")


@bp.route("/verify/keys/<key_id>.pem")
def key_pem(key_id: str):
    record = services.key_set().get(key_id)
    if record is None:
        abort(404)
    return _pem_response(pem_of(record.public_key).encode(),
                         f"riskapp-report-signing-key-{record.key_id}.pem")


@bp.route("/verify/keys")
def keys_page():
    key_set = services.key_set()
    db.session.commit()
    records = sorted(key_set.values(), key=lambda r: r.valid_from, reverse=True)
    return render_template("verify/keys.html", records=records)


@bp.route("/verify/keys.json")
def keys_json():
    """Every key with its dates: save it to verify reports offline (docs/API.md)."""
    document = services.key_set().as_json(issuer=links.base_url())
    db.session.commit()
    # Short cache: a revocation must reach verifiers soon.
    return jsonify(document), 200, {"Cache-Control": "public, max-age=300"}


@bp.route("/verify/<code>", methods=["GET", "POST"])
@limiter.limit(_verify_upload_limit, methods=["POST"])
def verify(code: str):
    report = services.find_public_report(code)
    if report is None:
        # Same page for every unknown code: nothing says whether something else exists.
        return render_template("verify/unknown.html", code=code[:40]), 404
    check, error = _check_posted_pdf(expected=report)
    return (
        render_template("verify/report.html", report=report, check=check, error=error,
                        entry=transparency_log.report_entry(report.code)),
        400 if error else 200,
    )
