"""schemathesis against the OpenAPI document, in-process: no 5xx, every response as documented.

Runs in CI without network: the WSGI app is called directly. Bounded (few examples per operation)
so the whole file stays well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riskapp.api.openapi import document
from riskapp.db import db
from tests import factories
from tests.api.helpers import bearer, make_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


# The document is a plain dict (riskapp/api/openapi.py); requests go to the test app in-process.
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def callers(app, world):
    """Bearer headers of an officer and a province admin, with data in reach of both."""
    with app.test_request_context():
        factories.submit_assessment(world.a.enterprise, world.a.officer)
        db.session.commit()
    return [bearer(make_token(app, world.a.officer)), bearer(make_token(app, world.a.admin))]


@schema.parametrize()
@settings(max_examples=6, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_document(case, app, callers):
    for headers in callers:
        case.call_and_validate(app=app, base_url="http://localhost/api/v1", headers=headers,
                               checks=CHECKS)
