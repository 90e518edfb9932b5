from tests.assessments.conftest import COMPLETE_ANSWERS, form_data


def test_smoke(officer, start_draft, world):
    aid, lock, token = start_draft()
    for url in ["/enterprise/", "/enterprise/profile", "/enterprise/assessments", "/enterprise/actions", "/enterprise/downloads"]:
        r = officer.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    r = officer.post(f"/enterprise/assessments/{aid}/edit", data=form_data(COMPLETE_ANSWERS, lock_version=lock, submit_token=token, action="submit"))
    assert r.status_code == 302, r.get_data(as_text=True)[:5000]
    r = officer.get(r.headers["Location"])
    assert r.status_code == 200, r.get_data(as_text=True)[:5000]
    open("/tmp/result.html", "w").write(r.get_data(as_text=True))
    for url in ["/enterprise/", "/enterprise/assessments", "/enterprise/actions"]:
        r = officer.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    open("/tmp/home.html", "w").write(officer.get("/enterprise/").get_data(as_text=True))
    open("/tmp/actions.html", "w").write(officer.get("/enterprise/actions").get_data(as_text=True))
