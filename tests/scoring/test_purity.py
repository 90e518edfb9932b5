"""riskapp.scoring stays pure: standard library and PyYAML only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "riskapp" / "scoring"
FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy", "riskapp.models")


def test_importing_the_package_loads_no_web_or_database_module():
    # The real parent package is imported: its __init__ must not pull the web stack in either.
    code = """
import sys
import riskapp.scoring, riskapp.scoring.cli
from riskapp.scoring import get_checklist, score, Context
from datetime import date
checklist = get_checklist()
bad = sorted(m for m in sys.modules if m.split(".")[0] in {"flask", "flask_babel", "flask_login",
             "flask_wtf", "sqlalchemy", "werkzeug", "jinja2"} or m.startswith("riskapp.models"))
print(",".join(bad))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_source_imports_only_the_standard_library_yaml_and_itself():
    allowed = set(sys.stdlib_module_names) | {"yaml"}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["riskapp.scoring"]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top in allowed or name == "riskapp.scoring" or name.startswith(
                    "riskapp.scoring."
                )
                assert ok, f"{path.name} imports {name}"
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
