"""The file of an import's dry run, kept until it is applied (only by its uploader), and the
steps: check without changing anything, apply the good rows the dry run saw, and hand back the
bad rows as a file to fix (kept after applying while there are any)."""

from __future__ import annotations

import os
import re
import secrets

from flask import current_app

from riskapp.province.import_files import rejected_file
from riskapp.province.imports import ImportPlan, apply_import, plan_import, read_table
from riskapp.tenancy import current_scope


def _upload_dir() -> str:
    path = os.path.join(current_app.config["STORAGE_DIR"], "imports")
    os.makedirs(path, exist_ok=True)
    return path


def keep_upload(data: bytes, filename: str, province_id: int, user_id: int) -> str:
    """Store the dry-run's file until it is applied; returns a token naming it."""
    extension = os.path.splitext(filename.lower())[1]
    token = f"{province_id}-{user_id}-{secrets.token_hex(12)}{extension}"
    with open(os.path.join(_upload_dir(), token), "wb") as handle:
        handle.write(data)
    return token


def load_upload(token: str, province_id: int, user_id: int) -> bytes | None:
    """The stored file, only for the province and user who uploaded it."""
    if not re.fullmatch(rf"{province_id}-{user_id}-[0-9a-f]{{24}}\.(csv|xlsx)", token or ""):
        return None
    path = os.path.join(_upload_dir(), token)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        return handle.read()


def drop_upload(token: str) -> None:
    path = os.path.join(_upload_dir(), os.path.basename(token))
    for name in (path, path + ".bad"):
        if os.path.exists(name):
            os.remove(name)


def _keep_bad_rows(token: str, rows: list[int]) -> None:
    """The dry run's bad rows, beside its file: applying checks the file still has just those."""
    with open(os.path.join(_upload_dir(), token + ".bad"), "w", encoding="ascii") as handle:
        handle.write(",".join(str(row) for row in rows))


def _kept_bad_rows(token: str) -> list[int] | None:
    path = os.path.join(_upload_dir(), os.path.basename(token) + ".bad")
    if not os.path.exists(path):
        return None
    with open(path, encoding="ascii") as handle:
        return [int(row) for row in handle.read().split(",") if row]


class UploadExpired(Exception):
    """The file kept by a dry run is gone, or was never this user's."""


class PlanChanged(Exception):
    """The kept file's bad rows are not those of the dry run (the data changed since)."""

    def __init__(self, plan: ImportPlan):
        super().__init__("the import plan changed since the dry run")
        self.plan = plan


def dry_run(data: bytes, filename: str, province_id: int, user) -> tuple[ImportPlan, str | None]:
    """Check an upload without changing anything; the file is kept (for applying its good rows
    and downloading its bad ones) under the returned token. Raises ImportFileError for an
    unreadable file."""
    plan = plan_import(read_table(data, filename), province_id, filename, current_scope())
    if not (plan.rows or plan.problems):
        return plan, None
    token = keep_upload(data, filename, province_id, user.id)
    _keep_bad_rows(token, plan.bad_rows)
    return plan, token


def apply_kept_upload(token: str | None, filename: str, province_id: int, user) -> dict[str, int]:
    """Apply the good rows of the file a dry run kept, planned again against today's data."""
    data = load_upload(token or "", province_id, user.id)
    if data is None:
        raise UploadExpired()
    plan = plan_import(read_table(data, token), province_id, filename, current_scope())
    if plan.bad_rows != _kept_bad_rows(token):
        raise PlanChanged(plan)
    return apply_import(plan, province_id, user)


def rejected_rows(token: str, fmt: str, province_id: int, user) -> bytes:
    """The kept file's bad rows with their problems, as CSV or XLSX, in the reader's language."""
    data = load_upload(token or "", province_id, user.id)
    if data is None:
        raise UploadExpired()
    frame = read_table(data, token)
    plan = plan_import(frame, province_id, scope=current_scope())
    problems: dict[int, list[str]] = {}
    for problem in plan.problems:
        problems.setdefault(problem.row, []).append(f"{problem.column}: {problem.problem}")
    return rejected_file(fmt, ((row, frame.loc[row - 2].to_dict(), "; ".join(texts))
                               for row, texts in sorted(problems.items())))
