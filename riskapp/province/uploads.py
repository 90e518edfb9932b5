"""The file of an import's dry run, kept until it is applied (only by its uploader), and the two
steps: check without changing anything, then apply what the dry run saw."""

from __future__ import annotations

import os
import re
import secrets

from flask import current_app

from riskapp.province.imports import ImportPlan, apply_import, plan_import, read_table


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
    if os.path.exists(path):
        os.remove(path)


class UploadExpired(Exception):
    """The file kept by a dry run is gone, or was never this user's."""


class PlanChanged(Exception):
    """The kept file no longer imports cleanly (the data changed since the dry run)."""

    def __init__(self, plan: ImportPlan):
        super().__init__("the import plan changed since the dry run")
        self.plan = plan


def dry_run(data: bytes, filename: str, province_id: int, user) -> tuple[ImportPlan, str | None]:
    """Check an upload without changing anything; a clean plan keeps the file for applying and
    comes with the token naming it. Raises ImportFileError for an unreadable file."""
    plan = plan_import(read_table(data, filename), province_id, filename)
    token = keep_upload(data, filename, province_id, user.id) if plan.ok else None
    return plan, token


def apply_kept_upload(token: str | None, filename: str, province_id: int, user) -> dict[str, int]:
    """Apply the file a dry run kept, planned again against today's data."""
    data = load_upload(token or "", province_id, user.id)
    if data is None:
        raise UploadExpired()
    plan = plan_import(read_table(data, token), province_id, filename)
    if not plan.ok:
        raise PlanChanged(plan)
    return apply_import(plan, province_id, user)
