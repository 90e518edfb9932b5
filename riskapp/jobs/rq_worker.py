"""The RQ worker that `flask jobs worker` supervises, with the app and WeasyPrint loaded once.

RQ forks a work-horse per job; loaded here, before the fork, the app (`runner.app_for_worker`'s
cache) and the report renderer are inherited by every horse instead of being built per job
(seconds each). Nothing here opens a database connection, so no horse shares one.
"""

from __future__ import annotations

import sys

from rq.cli import main

import riskapp.reports.render  # noqa: F401 - WeasyPrint and the fonts, once for every horse
from riskapp.jobs.runner import app_for_worker


def run(argv: list[str]) -> None:
    app_for_worker({})  # the settings `flask jobs worker` and the web processes hand over
    main(args=argv, prog_name="rq")


if __name__ == "__main__":
    run(sys.argv[1:])
