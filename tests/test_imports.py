"""The modules processes start from import cold, each in a fresh interpreter: an import cycle
that the test session's import order hides would stop `flask run`, the CLI and the workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a process imports first: the WSGI app, the CLI, a job worker, the engine, and the
# low-level modules many others import (where a cycle closes).
ENTRY_POINTS = ("wsgi", "riskapp.cli", "riskapp.jobs", "riskapp.scoring", "riskapp.demo",
                "riskapp.clock", "riskapp.models", "riskapp.territory", "riskapp.i18n",
                "riskapp.tenancy")


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_imports_cold(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
