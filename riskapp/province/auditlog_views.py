"""The audit log viewer: province admins read the province's log, area admins the entries about
their areas' enterprises (riskapp.province.auditlog_list)."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from riskapp.auditlog import record, shown_user
from riskapp.db import db
from riskapp.extensions import costly_limit, limiter, user_or_address
from riskapp.province import auditlog_list, bp, exports
from riskapp.tenancy import MANAGERS, route


@route(bp, "/audit-log", roles=MANAGERS)
def audit_log():
    filters = auditlog_list.LogFilters.from_args(request.args)
    page = auditlog_list.log_page(filters, request.args.get("before", type=int))
    actions, kinds = auditlog_list.choices()
    return render_template("province/audit_log.html", filters=filters, page=page,
                           actions=actions, kinds=kinds,
                           names=auditlog_list.enterprise_names(page.items),
                           link=auditlog_list.object_link, shown_user=shown_user)


@route(bp, "/audit-log.<fmt>", roles=MANAGERS)
@limiter.limit(costly_limit, key_func=user_or_address)
def export_audit_log(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = auditlog_list.LogFilters.from_args(request.args)
    frame = auditlog_list.log_frame(filters)
    record("export_audit_log", object_type="export",
           details={"format": fmt, "rows": len(frame), **filters.args()})
    db.session.commit()
    if fmt == "csv":
        data, mimetype = exports.to_csv(frame), exports.CSV_MIME
    else:
        data, mimetype = exports.to_xlsx({_("Audit log"): frame}), exports.XLSX_MIME
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="audit-log.{fmt}"'})
