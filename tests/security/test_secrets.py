"""No secret in the repository: no private key, no credential assigned in code or config."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")
CLOUD_KEY = re.compile(r"\b(?:AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|xox[abp]-[A-Za-z0-9-]{10,})\b")
ASSIGNED_SECRET = re.compile(
    r"""(?i)\b[a-z_]*(?:password|passwd|secret|api_key|token)[a-z_]*\s*[:=]\s*["']([^"'\s]{6,})["']"""
)
URL_PASSWORD = re.compile(r"[a-z+]+://[^:/@\s\"']+:([^@/\s\"']{3,})@")
# Published, fake or development-only values, each with its reason.
KNOWN_FAKES = {
    "dev-insecure-change-me",  # development default; check_production refuses it
    "demo12345!",  # the demo seed's documented password
    "Bench-Password-42",  # bench/generate_province.py's throw-away admin
    "Load-Bench-Officer-42",  # bench/load officers on a loopback bench database
}
SKIPPED_DIRS = ("tests/", "node_modules/", "static/vendor/", "translations/")
TEXT_SUFFIXES = {".py", ".toml", ".ini", ".cfg", ".sh", ".yml", ".yaml", ".json", ".md", ".txt",
                 ".html", ".js", ".env", ".pem", ".key", ""}


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed
            if not name.startswith(SKIPPED_DIRS) and Path(name).suffix in TEXT_SUFFIXES
            and (ROOT / name).is_file()]


def find_secrets(text: str) -> list[str]:
    found = [m.group(0) for m in PRIVATE_KEY.finditer(text)]
    found += [m.group(0) for m in CLOUD_KEY.finditer(text)]
    for pattern in (ASSIGNED_SECRET, URL_PASSWORD):
        found += [m.group(0) for m in pattern.finditer(text) if m.group(1) not in KNOWN_FAKES
                  and not m.group(1).startswith(("$", "{", "%", "<", "os.environ", "change-me"))]
    return found


def test_no_secret_in_the_repository():
    files = _repository_files()
    assert len(files) > 50
    offenders = []
    for path in files:
        if path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(ROOT)}: {hit[:80]}" for hit in find_secrets(text)]
    assert offenders == []


def test_no_key_file_is_tracked():
    assert not [p for p in _repository_files() if p.suffix in {".pem", ".key"}]


@pytest.mark.parametrize("text", [
    "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----",
    'SMTP_PASSWORD = "hunter2hunter2"', "DATABASE_URL=postgresql://app:S3cretPass@db/riskapp",
    "aws = AKIAABCDEFGHIJKLMNOP",
])
def test_the_scan_finds_what_it_looks_for(text):
    assert find_secrets(text)


@pytest.mark.parametrize("text", [
    'SECRET_KEY = os.environ.get("SECRET_KEY")', "postgresql://postgres@127.0.0.1/test",
    'DEFAULT_SECRET_KEY = "dev-insecure-change-me"', 'password = "${DB_PASSWORD}"',
])
def test_the_scan_lets_references_and_known_fakes_pass(text):
    assert not find_secrets(text)
