"""A small constructed province for impact previews: two enterprises under the district whose
grades move when the district goes to level 4, one elsewhere that stays out of scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from riskapp.db import db
from riskapp.models import Role
from tests import factories

# MSK-1 "no": high at level 1, very_high (suspend) at level 4; the test answers: low → medium.
RISKY = dict(factories.ANSWERS, **{"MSK-1": "no"})
ON = date(2026, 12, 1)


@dataclass
class Built:
    good: object
    risky: object
    good_assessment: object
    risky_assessment: object
    elsewhere_assessment: object


def build(tenant) -> Built:
    """Submit the three assessments (the caller commits)."""
    risky = factories.make_enterprise(tenant.commune, tenant.enterprise.tax_code[:2] + "00000009",
                                      "Công ty Giày Rủi Ro")
    risky_officer = factories.make_user(f"risky-{tenant.province.code}@example.vn", Role.OFFICER,
                                        enterprise=risky)
    good = factories.submit_assessment(tenant.enterprise, tenant.officer, on=ON)
    bad = factories.submit_assessment(risky, risky_officer, on=ON, answers=RISKY)
    elsewhere_officer = factories.make_user(f"else-{tenant.province.code}@example.vn",
                                            Role.OFFICER, enterprise=tenant.enterprise_elsewhere)
    elsewhere = factories.submit_assessment(tenant.enterprise_elsewhere, elsewhere_officer, on=ON)
    db.session.flush()
    return Built(tenant.enterprise, risky, good, bad, elsewhere)
