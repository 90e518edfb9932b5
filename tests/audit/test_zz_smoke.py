from riskapp.db import db
from riskapp.models import Report
from tests.audit.support import submit_assessment

def test_smoke(app, world):
    with app.test_request_context():
        a = submit_assessment(db.session.merge(world.a.enterprise), db.session.merge(world.a.officer))
        print(a.grade, a.score, a.result["remediation"][:1])
        db.session.commit()
        r = db.session.query(Report).one()
        db.session.refresh(r)
        print(r.status, r.error, r.public_id, r.verification_code, r.size_bytes)
