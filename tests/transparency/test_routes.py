"""The public JSON routes, the report's page, and the offline checks with every fault."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from riskapp.transparency import merkle
from tests.transparency.support import logged_report, publish, save, signed_head


@pytest.fixture
def logged(app, world, client):
    client.get("/lang/en")
    first = logged_report(app, world)
    second = logged_report(app, world, ORG_2="yes")
    return first, second, publish(app)


def _proof(client, code: str) -> dict:
    response = client.get(f"/verify/log/proof/inclusion.json?code={code}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_heads_and_proofs_as_json(client, logged):
    first, _second, head = logged
    assert client.get("/verify/log/sth.json").get_json() == head
    assert client.get(f"/verify/log/sth/{head['tree_size']}.json").get_json() == head
    proof = _proof(client, first.verification_code)
    assert proof["tree_size"] == head["tree_size"] and proof["tree_head"] == head
    by_hash = client.get("/verify/log/proof/inclusion.json?leaf_hash="
                         f"{proof['leaf_hash']}&tree_size={head['tree_size']}").get_json()
    assert by_hash["audit_path"] == proof["audit_path"]
    inclusion = merkle.InclusionProof(proof["leaf_index"], proof["tree_size"],
                                      tuple(bytes.fromhex(p) for p in proof["audit_path"]))
    assert merkle.verify_inclusion(merkle.leaf_hash(proof["leaf_input"].encode()), inclusion,
                                   bytes.fromhex(head["root_hash"]))
    size = head["tree_size"]
    consistency = client.get(f"/verify/log/proof/consistency.json?first=2&second={size}")
    body = consistency.get_json()
    assert body["second_root"] == head["root_hash"]
    assert merkle.verify_consistency(
        merkle.ConsistencyProof(2, size, tuple(bytes.fromhex(p) for p in body["consistency_path"])),
        bytes.fromhex(body["first_root"]), bytes.fromhex(body["second_root"]))
    page = client.get("/verify/log/leaves.json?start=0&end=100000").get_json()
    assert [leaf["leaf_index"] for leaf in page["leaves"]] == list(range(size))
    assert page["end"] == 100


@pytest.mark.parametrize("url, status, words", [
    ("/verify/log/proof/inclusion.json?leaf_hash=zz", 400, "64 hexadecimal digits"),
    ("/verify/log/proof/inclusion.json?leaf_hash=" + "00" * 32, 404, "no such leaf"),
    ("/verify/log/proof/inclusion.json?code=2222-2222", 404, "no such leaf"),
    ("/verify/log/proof/consistency.json?first=3&second=2", 400, "must not be larger"),
    ("/verify/log/proof/consistency.json?first=1&second=999", 400, "is not in it"),
    ("/verify/log/proof/consistency.json?first=-1&second=2", 400, "first must be a whole"),
    ("/verify/log/leaves.json?start=5&end=5", 400, "end larger than start"),
    ("/verify/log/leaves.json?start=x&end=5", 400, "start must be a whole"),
    ("/verify/log/sth/999.json", 404, "No tree head of size 999"),
])
def test_bad_or_unknown_parameters_answer_json(client, logged, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


def test_inclusion_of_a_tree_too_small_for_the_leaf_is_refused(client, logged):
    first, second, _head = logged
    proof = _proof(client, second.verification_code)
    too_small = client.get("/verify/log/proof/inclusion.json?leaf_hash="
                           f"{proof['leaf_hash']}&tree_size={proof['leaf_index']}")
    assert too_small.status_code == 400 and "not in the tree" in too_small.get_json()["detail"]


def test_no_head_yet_answers_404(app, world, client):
    assert client.get("/verify/log/sth.json").status_code == 404


def test_report_page_shows_the_proof_and_its_states(app, world, client):
    client.get("/lang/en")
    report = logged_report(app, world)
    pending = client.get(f"/verify/{report.verification_code}").get_data(as_text=True)
    assert "Recorded in the public log" in pending and "no published tree head covers" in pending
    head = publish(app)
    page = client.get(f"/verify/{report.verification_code}").get_data(as_text=True)
    proof = _proof(client, report.verification_code)
    assert "The proof verifies against the signed tree head." in page
    assert head["root_hash"] in page and all(node in page for node in proof["audit_path"])
    assert 'id="log-browser-check"' in page and "js/log-proof.js" in page


# --------------------------------------------------------------------------- offline checks


@pytest.fixture
def files(app, client, logged, tmp_path):
    first, second, head = logged
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(first.pdf)
    key = tmp_path / "key.pem"
    key.write_bytes(client.get("/verify/public-key.pem").data)
    proof = _proof(client, first.verification_code)
    return {"pdf": pdf, "key": key, "head": head, "proof": proof, "second": second,
            "dir": tmp_path}


def _verify(app, files, head=None, proof=None, pdf=None):
    folder = files["dir"]
    args = ["verify-report", str(pdf or files["pdf"]), "--public-key", str(files["key"]),
            "--tree-head", save(folder / "sth.json", head or files["head"]),
            "--proof", save(folder / "proof.json", proof or files["proof"])]
    return app.test_cli_runner().invoke(args=args)


def _flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


def test_verify_report_checks_the_log_offline(app, files):
    ok = _verify(app, files)
    assert ok.exit_code == 0, ok.output
    assert f"LOGGED: leaf {files['proof']['leaf_index']}" in ok.output


def test_verify_report_gives_each_fault_its_own_code(app, files):
    head, proof = files["head"], files["proof"]
    tampered_head = {**head, "root_hash": _flip_hex(head["root_hash"])}
    other_key = signed_head(app, head["tree_size"], bytes.fromhex(head["root_hash"]),
                            key=Ed25519PrivateKey.generate())
    smaller = {**proof, "tree_size": proof["tree_size"] - 1}
    changed_path = {**proof, "audit_path": [_flip_hex(proof["audit_path"][0])]
                    + proof["audit_path"][1:]}
    changed_leaf = {**proof, "leaf_input": proof["leaf_input"].replace('"lang":"vi"',
                                                                        '"lang":"en"')}
    other_pdf = files["dir"] / "other.pdf"
    other_pdf.write_bytes(files["second"].pdf)
    changed_pdf = files["dir"] / "changed.pdf"
    data = files["pdf"].read_bytes()
    changed_pdf.write_bytes(data[:500] + bytes([data[500] ^ 1]) + data[501:])
    outcomes = {
        "tampered head": _verify(app, files, head=tampered_head),
        "unknown key": _verify(app, files, head=other_key),
        "another tree": _verify(app, files, proof=smaller),
        "changed proof": _verify(app, files, proof=changed_path),
        "changed leaf": _verify(app, files, proof=changed_leaf),
        "another pdf": _verify(app, files, pdf=other_pdf),
        "changed pdf": _verify(app, files, pdf=changed_pdf),
    }
    codes = {name: result.exit_code for name, result in outcomes.items()}
    assert codes == {"tampered head": 3, "unknown key": 4, "another tree": 5,
                     "changed proof": 6, "changed leaf": 6, "another pdf": 7, "changed pdf": 1}
    assert "the tree head was changed" in outcomes["tampered head"].output
    assert "unknown key id" in outcomes["unknown key"].output
    assert "NOT GENUINE" in outcomes["changed pdf"].output


def _audit(app, folder, *documents):
    paths = [save(folder / f"head-{i}.json", doc) for i, doc in enumerate(documents)]
    return app.test_cli_runner().invoke(args=["transparency-audit", *paths])


def test_audit_accepts_heads_of_a_growing_log(app, world, files):
    older = files["head"]
    logged_report(app, world, ORG_3="yes")
    newer = publish(app)
    result = _audit(app, files["dir"], newer, older)
    assert result.exit_code == 0, result.output
    assert f"sizes {older['tree_size']}, {newer['tree_size']}" in result.output


def test_audit_gives_each_fault_its_own_code(app, files):
    head, folder = files["head"], files["dir"]
    size, root = head["tree_size"], bytes.fromhex(head["root_hash"])
    forged_root = bytes(32)
    outcomes = {
        "tampered": _audit(app, folder, {**head, "tree_size": size + 1}),
        "unknown key": _audit(app, folder, signed_head(app, size, root,
                                                       key=Ed25519PrivateKey.generate())),
        "truncated": _audit(app, folder, head, signed_head(app, size + 5, root)),
        "inconsistent": _audit(app, folder, signed_head(app, size - 1, forged_root), head),
        "rewritten": _audit(app, folder, signed_head(app, size, forged_root)),
        "unreadable": _audit(app, folder, {"version": 1}),
    }
    codes = {name: result.exit_code for name, result in outcomes.items()}
    assert codes == {"tampered": 3, "unknown key": 4, "truncated": 8, "inconsistent": 9,
                     "rewritten": 11, "unreadable": 10}
    assert f"holds {size}: truncated" in outcomes["truncated"].output
    assert json.loads(json.dumps(head)) == head
