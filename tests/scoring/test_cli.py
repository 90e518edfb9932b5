"""`python -m riskapp.scoring`: JSON out and status 0, or one line per problem and status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskapp.scoring.cli import main

from .conftest import DATA, EVERYTHING, answers_for

ROOT = Path(__file__).resolve().parents[2]


def write_input(tmp_path, context, answers, **extra):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"context": context, "answers": answers, **extra}), encoding="utf-8")
    return path


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_score_prints_one_json_object(tmp_path, capsys, default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    path = write_input(tmp_path, EVERYTHING.to_dict(), answers, assessed_on="2021-11-01")
    status, out, err = run_cli(capsys, "score", str(path), "--lang", "en")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["checklist"] == "vn-workplace-2021"
    assert (data["score"], data["band"], data["grade"]) == (20.0, "low", "high")
    assert data["decision"] == default.decision(data["grade"]).en
    assert data["escalations"][0]["rule"] == "R2-critical"
    assert set(data["escalations"][0]) >= {"rule", "from", "to", "reason"}
    assert data["remediation"][0] == {
        "item": "SCR-1", "priority": "P1", "action": default.item("SCR-1").remediation.en,
        "points": 10, "critical": True, "due_in_days": 1, "due_on": "2021-11-02",
    }
    assert data["improvement_plan"]["items"] == ["SCR-1"]
    assert data["next_assessment_due_in_days"] == 7
    assert len(data["items"]) == 32


def test_vietnamese_is_the_default_language(tmp_path, capsys, default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    path = write_input(tmp_path, EVERYTHING.to_dict(), answers)
    status, out, _ = run_cli(capsys, "score", str(path))
    data = json.loads(out)
    assert status == 0
    assert data["decision"] == default.decision(data["grade"]).vi
    assert "Khắc phục" in data["improvement_plan"]["message"]


def test_score_with_a_checklist_file(tmp_path, capsys):
    answers = {"A-1": "yes", "A-2": "mid", "A-3": "yes", "B-1": 12, "B-2": 30, "B-3": 15.3}
    path = write_input(tmp_path, {"area_level": 1}, answers)
    status, out, _ = run_cli(capsys, "score", str(path), "--checklist",
                             str(DATA / "test-mini.v1.yaml"))
    assert status == 0
    assert json.loads(out)["checklist"] == "test-mini"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON at line 1, column 2"),
        ("[]", "expected an object"),
        ('{"context": {"area_level": 1}}', "missing 'answers'"),
        ('{"context": {"area_level": 1}, "answers": {}, "assessed_on": "yesterday"}',
         "assessed_on must be a date"),
        ('{"context": {"area_level": 1}, "answers": {}, "extra": 1}', "unknown key 'extra'"),
    ],
)
def test_bad_input_exits_2_with_a_line_on_stderr(tmp_path, capsys, content, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, out, err = run_cli(capsys, "score", str(path))
    assert (status, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_invalid_answers_give_one_line_per_problem(tmp_path, capsys, default):
    answers = answers_for(default, EVERYTHING, 60) | {"CTX-1": 0, "ORG-1": "maybe", "XX-9": 1}
    path = write_input(tmp_path, {"area_level": 7, "has_canteen": True, "has_shuttle": True,
                                  "has_dormitory": True}, answers)
    status, out, err = run_cli(capsys, "score", str(path), "--lang", "en")
    lines = err.strip().splitlines()
    assert (status, out) == (2, "")
    assert len(lines) == 4
    assert any(line.startswith("CTX-1 – ") and "at least 1" in line for line in lines)
    assert any("area_level" in line for line in lines)


def test_unknown_checklist_and_usage_errors(tmp_path, capsys):
    path = write_input(tmp_path, {"area_level": 1}, {})
    status, out, err = run_cli(capsys, "score", str(path), "--checklist", "nope")
    assert (status, out) == (2, "") and "no shipped checklist nope" in err
    status, out, err = run_cli(capsys, "score")
    assert (status, out) == (2, "") and len(err.strip().splitlines()) == 1
    status, out, err = run_cli(capsys, "score", str(path), "--lang", "fr")
    assert (status, out) == (2, "") and "invalid choice" in err


def test_validate_and_list(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "validate", str(DATA / "test-mini.v1.yaml"))
    assert status == 0 and "OK — test-mini v1, 7 items" in out
    broken = tmp_path / "broken.yaml"
    text = (DATA / "test-mini.v1.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("applies_if: has_canteen", "applies_if: has_pool"), "utf-8")
    status, out, err = run_cli(capsys, "validate", str(broken))
    assert (status, out) == (2, "")
    assert err == "broken.yaml: item B-4, field applies_if: unknown context key 'has_pool'\n"
    status, out, _ = run_cli(capsys, "list")
    assert status == 0 and out.startswith("vn-workplace-2021\tv1\t2021-10-11\t32 items")


def test_python_dash_m_in_a_c_locale(tmp_path, default):
    answers = answers_for(default, EVERYTHING, 60, fixed={"SCR-1": "none"})
    path = write_input(tmp_path, EVERYTHING.to_dict(), answers)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    done = subprocess.run([sys.executable, "-m", "riskapp.scoring", "score", str(path)],
                          cwd=ROOT, capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Khắc phục" in json.loads(done.stdout.decode("utf-8"))["improvement_plan"]["message"]
    missing = subprocess.run([sys.executable, "-m", "riskapp.scoring", "score", "nope.json"],
                             cwd=ROOT, capture_output=True, timeout=60)
    assert (missing.returncode, missing.stdout) == (2, b"")
    assert missing.stderr == b"nope.json: no such file\n"
