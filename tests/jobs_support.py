"""Tasks the background-work tests run in worker processes (tests is an importable package)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from riskapp.jobs import task


@task(budget=60, attempts=3)
def sleep_task(pid_file: str, seconds: float) -> str:
    """Write this worker's pid, then sleep: a worker to kill while it holds an item."""
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(seconds)
    return "slept"
