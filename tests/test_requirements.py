"""Everything the app imports at run time is a runtime requirement, not only a dev one.

A module that only requirements-dev.txt installs works in the test suite and fails in
production (seen: report signing imported pypdf inside a function, so a fresh
`scripts/dev.sh` could not render).
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[=<>!~ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def _imported_top_modules() -> set[str]:
    modules = set()
    for path in (ROOT / "riskapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"riskapp", "__future__"}


def test_every_imported_package_is_a_runtime_requirement():
    runtime = _requirement_names(ROOT / "requirements.txt")
    distributions = packages_distributions()
    missing = []
    for module in sorted(_imported_top_modules()):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & runtime:
            missing.append(f"{module} (from {', '.join(sorted(names))})")
    assert missing == [], f"imported by riskapp/ but not in requirements.txt: {missing}"
