"""What the auditor's tests share: a client logged in as the tenant's auditor, and a submission."""

from __future__ import annotations

import pytest

from tests.audit.support import submitted


@pytest.fixture
def assessment_id(app, world):
    return submitted(app, world.a.enterprise, world.a.officer)


@pytest.fixture
def auditor(world, login_as):
    client = login_as(world.a.auditor)
    client.get("/lang/en")
    return client
