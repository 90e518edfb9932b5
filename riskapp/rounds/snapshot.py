"""A round's figures as plain data (JSON-ready): what the closing freezes, what the progress
export writes, and the frozen figures read back within a reach; the XLSX made from them."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from riskapp import storage, territory
from riskapp.models import ReportingRound
from riskapp.province import xlsx
from riskapp.rounds import progress
from riskapp.rounds.progress import FIGURES, Tally
from riskapp.spreadsheets import neutralise
from riskapp.tenancy import Scope


def build(round_: ReportingRound, scope: Scope, today: date) -> dict:
    """The round's figures in a reach now: areas (tree order, subtree totals), total, and the
    targets not reported with their contacts."""
    rows, total = progress.area_rows(round_, scope)
    tree = territory.area_tree(round_.province_id)
    return {
        "title": round_.title, "opens_on": round_.opens_on.isoformat(),
        "due_on": round_.due_on.isoformat(), "built_on": today.isoformat(),
        "rows": [{"area_id": row.area_id, "parent_id": row.parent_id, "label": row.label,
                  "depth": row.depth, **row.tally.to_json()} for row in rows],
        "total": total.to_json(),
        "missing": [{"enterprise_id": m.enterprise_id, "tax_code": m.tax_code, "name": m.name,
                     "area_id": m.area_id, "area": tree.path(m.area_id), "address": m.address,
                     "officers": [f"{name} <{email}>" for name, email in m.officers]}
                    for m in progress.all_missing(round_, scope)],
    }


def within_reach(frozen: dict, scope: Scope) -> dict:
    """The frozen figures an area staff member may read: their areas' rows and targets, the
    total of their top rows; the province's staff read it whole."""
    if scope.area_ids is None:
        return frozen
    rows = [row for row in frozen["rows"] if row["area_id"] in scope.area_ids]
    shown = {row["area_id"] for row in rows}
    total = Tally()
    for row in rows:
        if row["parent_id"] not in shown:
            total.add(Tally(**{name: row[name] for name in FIGURES}))
    missing = [m for m in frozen["missing"] if m["area_id"] in scope.area_ids]
    return {**frozen, "rows": rows, "total": total.to_json(), "missing": missing}


def tally(figures: dict) -> Tally:
    return Tally(**{name: figures[name] for name in FIGURES})


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def workbook(data: dict, lang: str) -> bytes:
    """Two sheets: the figures per area and the targets not reported (headers in `lang`)."""
    with force_locale(lang):
        by_area = (_("By area"), [
            _("Area"), _("Expected"), _("Received"), _("On time"), _("Accepted"),
            _("Reporting rate (%)"), _("On-time rate (%)")], [
            ["\u2003" * row.get("depth", 0) + row["label"], row["expected"], row["received"],
             row["on_time"], row["accepted"], _rate(row["received"], row["expected"]),
             _rate(row["on_time"], row["expected"])]
            for row in [*data["rows"], {**data["total"], "label": _("Total")}]])
        missing = (_("Not reported"), [
            _("Tax code"), _("Enterprise"), _("Area"), _("Address"), _("Officers")], [
            [m["tax_code"], m["name"], m["area"], m["address"], ", ".join(m["officers"])]
            for m in data["missing"]])
    # Text people typed (names, addresses) never reaches a spreadsheet as a formula.
    return xlsx.write_workbook([(title, header, [[neutralise(v) for v in row] for row in rows])
                                for title, header, rows in (by_area, missing)])


def files_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "rounds"


def stage_file(round_: ReportingRound, suffix: str, data: bytes) -> str:
    """Stage a summary file (named on commit); its name, unguessable, is stored on the round."""
    name = f"round-{round_.id}-{secrets.token_hex(8)}.{suffix}"
    storage.stage(files_dir() / name, data)
    return name


def store_xlsx(round_: ReportingRound, lang: str) -> str:
    return stage_file(round_, "xlsx", workbook(round_.snapshot, lang))
