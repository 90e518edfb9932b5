"""riskapp.scoring stays pure: standard library and PyYAML only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "riskapp" / "scoring"
FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy", "riskapp.models")


def test_importing_the_package_loads_no_web_or_database_module():
    # The real parent package is imported: its __init__ must not pull the web stack in either.
    code = """
import importlib, json, pkgutil, sys
import riskapp.scoring
# Every module of the engine, not only those its __init__ imports (__main__ would run the CLI).
for module in pkgutil.walk_packages(riskapp.scoring.__path__, "riskapp.scoring."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
from riskapp.scoring import get_checklist, score, Context
from datetime import date
checklist = get_checklist()
bad = sorted(m for m in sys.modules if m.split(".")[0] in {"flask", "flask_babel", "flask_login",
             "flask_wtf", "sqlalchemy", "werkzeug", "jinja2"} or m.startswith("riskapp.models"))
loaded = sorted(m for m in sys.modules if m.startswith("riskapp."))
print(json.dumps({"bad": bad, "loaded": loaded}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["bad"] == []
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
        if path.name != "__main__.py"
    }
    assert modules <= set(report["loaded"])


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
