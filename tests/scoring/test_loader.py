"""The shipped definition matches the specification; the loader names every problem."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from riskapp.scoring import (
    DEFAULT_CHECKLIST_ID,
    AnswerKind,
    ChecklistError,
    Grade,
    Priority,
    checklist_from_text,
    get_checklist,
    load_checklist,
    shipped_checklists,
)
from riskapp.scoring.loader import CHECKLIST_DIR

from .conftest import DATA, tiny_text, yes_no_item

# The spec's item table: section, kind, points per answer (None: bands), max, critical,
# priority, applies_if.
YN, YNA, APN = AnswerKind.YES_NO, AnswerKind.YES_NO_NA, AnswerKind.ALL_PARTIAL_NONE
STD = {"yes": 0, "no": 10}
STD_NA = {"yes": 0, "no": 10, "na": None}
APN_PTS = {"all": 0, "partial": 5, "none": 10}
SPEC = {
    "ORG-1": ("organisation", YN, STD, 10, True, "P1", None),
    "ORG-2": ("organisation", YN, STD, 10, False, "P2", None),
    "ORG-3": ("organisation", YN, STD, 10, False, "P2", None),
    "ORG-4": ("organisation", YNA, {"yes": 0, "no": 5, "na": None}, 5, False, "P2", None),
    "CTX-1": ("context", AnswerKind.INTEGER, None, 10, False, "P2", None),
    "CTX-2": ("context", AnswerKind.NUMBER, None, 10, False, "P2", None),
    "CTX-3": ("context", AnswerKind.CHOICE,
              {"none": 0, "coworkers": 3, "public": 6, "suspected": 10}, 10, False, "P2", None),
    "CTX-4": ("context", YN, {"yes": 5, "no": 0}, 5, False, "P3", None),
    "SCR-1": ("screening", APN, APN_PTS, 10, True, "P1", None),
    "SCR-2": ("screening", APN, APN_PTS, 10, False, "P2", None),
    "SCR-3": ("screening", YN, STD, 10, False, "P2", None),
    "SCR-4": ("screening", YN, STD, 10, True, "P1", None),
    "SCR-5": ("screening", YNA, STD_NA, 10, False, "P1", None),
    "HYG-1": ("hygiene", YN, {"yes": 1, "no": 10}, 10, True, "P1", None),
    "HYG-2": ("hygiene", AnswerKind.PERCENT, None, 10, False, "P2", None),
    "HYG-3": ("hygiene", AnswerKind.CHOICE,
              {"no_touchpoints": 0, "all": 1, "some": 5, "none": 10}, 10, False, "P2", None),
    "HYG-4": ("hygiene", AnswerKind.CHOICE,
              {"every_sitting": 0, "incomplete": 5, "not_done": 10}, 10, False, "P2", None),
    "MSK-1": ("masks", YN, {"yes": 1, "no": 10}, 10, True, "P1", None),
    "MSK-2": ("masks", YN, STD, 10, False, "P2", None),
    "MSK-3": ("masks", APN, APN_PTS, 10, False, "P2", None),
    "MSK-4": ("masks", YN, STD, 10, False, "P2", None),
    "MSK-5": ("masks", YNA, {"yes": 0, "no": 5, "na": None}, 5, False, "P3", None),
    "VEN-1": ("ventilation", APN, APN_PTS, 10, False, "P2", None),
    "CAN-1": ("canteen", AnswerKind.CHOICE,
              {"distanced": 0, "one_to_two": 5, "under_one": 10}, 10, False, "P2", "has_canteen"),
    "CAN-2": ("canteen", YN, STD, 10, False, "P2", "has_canteen"),
    "TRN-1": ("transport", AnswerKind.PERCENT, None, 10, False, "P3", "has_shuttle"),
    "TRN-2": ("transport", AnswerKind.INTEGER, None, 10, False, "P3", "has_shuttle"),
    "TRN-3": ("transport", APN, APN_PTS, 10, True, "P1", "has_shuttle"),
    "DRM-1": ("dormitory", AnswerKind.INTEGER, None, 10, False, "P2", "has_dormitory"),
    "DRM-2": ("dormitory", APN, APN_PTS, 10, True, "P1", "has_dormitory"),
    "VAC-1": ("people", AnswerKind.PERCENT, None, 10, False, "P2", None),
    "COM-1": ("people", YN, {"yes": 0, "no": 5}, 5, False, "P3", None),
}
VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def test_shipped_checklists_are_listed_and_the_default_is_found():
    ids = [(c.id, c.version) for c in shipped_checklists()]
    assert ("vn-workplace-2021", 1) in ids
    assert all(not c.id.startswith("test") for c in shipped_checklists())
    assert get_checklist().id == DEFAULT_CHECKLIST_ID
    assert get_checklist(DEFAULT_CHECKLIST_ID, 1).version == 1
    with pytest.raises(ChecklistError, match="no shipped checklist nope"):
        get_checklist("nope")


def test_default_has_the_32_items_of_the_spec_in_order(default):
    assert [i.id for i in default.items] == list(SPEC)
    assert default.max_points_total == 300
    assert default.effective_from.isoformat() == "2021-10-11"


@pytest.mark.parametrize("item_id", list(SPEC))
def test_default_item_matches_the_spec(default, item_id):
    section, kind, points, max_points, critical, priority, applies_if = SPEC[item_id]
    item = default.item(item_id)
    assert (item.section, item.kind, item.max_points, item.critical, item.priority,
            item.applies_if) == (section, kind, max_points, critical, Priority(priority),
                                 applies_if)
    if points is not None:
        assert {o.id: o.points for o in item.options} == points
    else:
        assert item.options == ()
        assert item.bands


def test_default_grading_parameters_match_the_spec(default):
    assert default.fail_threshold == 5
    assert [(b.grade, b.upper) for b in default.grade_bands] == [
        (Grade.VERY_LOW, 15), (Grade.LOW, 30), (Grade.MEDIUM, 50), (Grade.HIGH, 80),
        (Grade.VERY_HIGH, None),
    ]
    assert [r.id for r in default.rules] == [
        "R1-1203", "R2-critical", "R3-critical-3", "R4-case", "R5-area"
    ]
    r1 = default.rules[0]
    assert (r1.min_points, r1.when_grades, r1.raise_to) == (7, (Grade.MEDIUM,), Grade.HIGH)
    assert dict(default.remediation_due_days) == {Priority.P1: 1, Priority.P2: 7, Priority.P3: 30}
    assert dict(default.next_assessment_days) == {1: 30, 2: 14, 3: 7, 4: 7}
    assert (default.next_assessment_cap_days, default.next_assessment_cap_grade) == (7, Grade.HIGH)
    assert default.item("SCR-5").na_allowed_if == "area_level <= 2"
    assert default.item("CTX-2").divided_by == "CTX-1"


def test_every_human_text_is_in_both_languages_with_vietnamese_diacritics(default):
    texts = [default.title, *(s.title for s in default.sections), *default.decisions.values()]
    for item in default.items:
        texts += [item.question, item.help, item.remediation, *(o.label for o in item.options)]
    texts += [t for r in default.rules for t in (r.reason, r.cause)]
    for text in texts:
        assert text.vi and text.en
        if len(text.vi.split()) >= 2:  # a sentence, not a unit like "m²"
            assert VIETNAMESE_LETTERS.search(text.vi), text.vi
            assert text.vi != text.en


def test_definition_round_trips_through_its_dict_and_source_text(default):
    again = checklist_from_text(json.dumps(default.to_dict(), ensure_ascii=False), "copy.json")
    assert again.to_dict() == default.to_dict()
    assert again.fingerprint == default.fingerprint == default.fingerprint
    assert checklist_from_text(default.source_text).fingerprint == default.fingerprint
    assert len(default.fingerprint) == 64


def test_a_changed_weight_changes_the_fingerprint(default):
    changed = default.source_text.replace("fail_threshold: 5", "fail_threshold: 6")
    assert checklist_from_text(changed).fingerprint != default.fingerprint


def test_test_checklist_uses_other_parameters(mini, default):
    assert mini.id == "test-mini" and mini.fail_threshold != default.fail_threshold
    assert [b.upper for b in mini.grade_bands] != [b.upper for b in default.grade_bands]
    assert mini not in shipped_checklists()


def test_file_name_must_match_id_and_version(tmp_path):
    text = (DATA / "test-mini.v1.yaml").read_text(encoding="utf-8")
    wrong = tmp_path / "test-mini.v2.yaml"
    wrong.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError, match="file name says test-mini v2"):
        load_checklist(wrong)


def test_missing_file_is_a_checklist_error(tmp_path):
    with pytest.raises(ChecklistError, match="nothing.yaml: cannot read the file"):
        load_checklist(tmp_path / "nothing.yaml")


def test_every_shipped_file_loads_without_problems():
    paths = sorted(Path(CHECKLIST_DIR).iterdir())
    # Only *.yaml files are shipped (shipped_checklists() reads no other), the default among them.
    assert [p.suffix for p in paths] == [".yaml"] * len(paths)
    assert Path(CHECKLIST_DIR) / f"{DEFAULT_CHECKLIST_ID}.v1.yaml" in paths
    loaded = [load_checklist(path) for path in paths]
    assert sorted(loaded, key=lambda c: (c.id, c.version)) == list(shipped_checklists())


MINI = (DATA / "test-mini.v1.yaml").read_text(encoding="utf-8")

# (text to replace, replacement, expected problem)
BROKEN = [
    ("  - id: A-2\n", "  - id: A-1\n", "x.yaml: item A-1, field id: duplicate id A-1"),
    ("{at_least: 10, at_most: 19, points: 3}", "{at_least: 9, at_most: 19, points: 3}",
     "x.yaml: item B-1, field bands: bands overlap at 9"),
    ("{at_least: 10, at_most: 19, points: 3}", "{at_least: 11, at_most: 19, points: 3}",
     "x.yaml: item B-1, field bands: bands leave a gap: no band covers 10"),
    ("{at_least: 1.5, below: 3, points: 3}", "{above: 1.5, below: 3, points: 3}",
     "x.yaml: item B-2, field bands: bands leave a gap at 1.5"),
    ("{at_least: 1.5, below: 3, points: 3}", "{at_least: 1.4, below: 3, points: 3}",
     "x.yaml: item B-2, field bands: bands overlap at 1.4"),
    ("{at_least: 3, points: 0}", "{at_least: 3, below: 50, points: 0}",
     "x.yaml: item B-2, field bands: no band covers values above 50"),
    ("{at_most: 9, points: 0}", "{at_least: 5, at_most: 9, points: 0}",
     "x.yaml: item B-1, field bands: no band covers 2 to 4"),
    ("{at_most: 15.3, points: 0}", "{at_most: 15.3, points: 0}\n      - {at_least: 200, points: 1}",
     "x.yaml: item B-3, field bands: band ≥ 200 lies outside the allowed values"),
    ('{id: mid, label: {vi: "Vừa", en: "Middle"}, points: 3}',
     '{id: mid, label: {vi: "Vừa", en: "Middle"}}',
     "x.yaml: item A-2, field options: option mid has no points"),
    ('{id: top, label: {vi: "Cao", en: "Top"}, points: 6}',
     '{id: top, label: {vi: "Cao", en: "Top"}, points: 7}',
     "x.yaml: item A-2, field options: option top: 7 points is above the maximum 6"),
    ("{above: 19, points: 5}", "{above: 19, points: 8}",
     "x.yaml: item B-1, field bands: band > 19: 8 points is above the maximum 5"),
    ('points: {"all": 0, "partial": 3, "none": 5}', 'points: {"all": 0, "partial": 3}',
     "x.yaml: item B-4, field points: option none has no points"),
    ("applies_if: has_canteen", "applies_if: has_pool",
     "x.yaml: item B-4, field applies_if: unknown context key 'has_pool'"),
    ('na_allowed_if: "area_level >= 2"', 'na_allowed_if: "level >= 2"',
     "x.yaml: item A-3, field na_allowed_if: unknown context key 'level'"),
    ("context_key: confirmed_case_14d", "context_key: outbreak",
     "x.yaml: rule T3-case, field context_key: unknown context key 'outbreak'"),
    ("kind: context_flag", "kind: magic",
     "x.yaml: rule T3-case, field kind: unknown rule 'magic'"),
    ('question: {vi: "Câu hỏi A-2", en: "Question A-2"}', 'question: {en: "Question A-2"}',
     "x.yaml: item A-2, field question: missing translation: vi"),
    ('remediation: {vi: "Khắc phục A-1", en: "Fix A-1"}',
     'remediation: {vi: "Fix the door now", en: "Fix the door now"}',
     "x.yaml: item A-1, field remediation: missing translation: vi"),
    ('medium: {vi: "Quyết định C", en: "Decision C"}', 'medium: {vi: "Quyết định C"}',
     "x.yaml: grading, field medium: missing translation: en"),
    ("{grade: low, at_most: 25.5}", "{grade: low, at_most: 5}",
     "x.yaml: grading, field bands[2]: the limit must be above 10"),
    ("when_grades: [low, medium]", "when_grades: [low]",
     "x.yaml: rule T1-points, field when_grades: must also list medium"),
    ("min_points: 4", "min_points: 2",
     "x.yaml: rule T1-points, field min_points: must be at least the fail threshold 3"),
    ("divided_by: B-1", "divided_by: B-9",
     "x.yaml: item B-2, field divided_by: unknown item 'B-9'"),
    ("section: b\n    kind: integer", "section: zz\n    kind: integer",
     "x.yaml: item B-1, field section: unknown section 'zz'"),
    ("{level: 4, from_grade: very_low, steps: 2}", "{level: 4, from_grade: high, steps: 2}",
     "x.yaml: rule T4-area, field levels: level 4 would raise a grade less than level 3"),
    ("{1: 60, 2: 30, 3: 10, 4: 5}", "{1: 60, 2: 30, 3: 10}",
     "x.yaml: grading, field next_assessment.days_by_area_level: missing level 4"),
    ("max_points: 4\n    critical: true", "max_points: 4\n    max_point: 5\n    critical: true",
     "x.yaml: item A-1, field max_point: unknown field"),
    ("{vi: \"Tiêu chí trọng yếu không đạt ({items}).\"", "{vi: \"Tiêu chí trọng yếu ({itemz}).\"",
     "x.yaml: rule T2-critical, field reason: vi: unknown placeholder {itemz}"),
    ("max_points: 4\n    critical: true", "max_points: 4\n    max_points: 5\n    critical: true",
     "column 5: not valid YAML/JSON: duplicate key 'max_points'"),
    ("    kind: yes_no\n    max_points: 4", "    kind: yes_maybe\n    max_points: 4",
     "x.yaml: item A-1, field kind: unknown value 'yes_maybe'"),
    ('priority: P1\n    question: {vi: "Câu hỏi A-2"',
     'priority: P9\n    question: {vi: "Câu hỏi A-2"',
     "x.yaml: item A-2, field priority: unknown value 'P9'"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_loader_names_file_item_and_field(old, new, expected):
    assert old in MINI
    with pytest.raises(ChecklistError) as caught:
        checklist_from_text(MINI.replace(old, new, 1), source="x.yaml")
    assert any(expected in p and p.startswith("x.yaml: ") for p in caught.value.problems), (
        caught.value.problems
    )


def test_loader_reports_every_problem_at_once():
    broken = MINI.replace("  - id: A-2\n", "  - id: A-1\n")
    broken = broken.replace("applies_if: has_canteen", "applies_if: has_pool")
    broken = broken.replace("kind: context_flag", "kind: magic")
    with pytest.raises(ChecklistError) as caught:
        checklist_from_text(broken, source="x.yaml")
    assert len(caught.value.problems) == 3
    assert str(caught.value).count("\n") == 2


def test_no_cascade_from_a_broken_divisor():
    broken = MINI.replace("{at_least: 10, at_most: 19, points: 3}",
                          "{at_least: 9, at_most: 19, points: 3}")
    with pytest.raises(ChecklistError) as caught:
        checklist_from_text(broken, source="x.yaml")
    assert caught.value.problems == ["x.yaml: item B-1, field bands: bands overlap at 9"]


def test_yes_and_no_stay_answer_ids_unquoted():
    text = MINI.replace('{id: "no", label: {vi: "Không", en: "No"}, points: 4}',
                        '{id: no, label: {vi: "Không", en: "No"}, points: 4}')
    assert checklist_from_text(text).item("A-1").option("no").points == 4


def test_not_yaml_and_not_a_mapping_are_reported():
    with pytest.raises(ChecklistError, match=r"up.yaml: line \d+, column \d+: not valid YAML"):
        checklist_from_text("id: [unclosed", source="up.yaml")
    # A list or mapping as a key was a TypeError (unhashable type) instead of a ChecklistError.
    for key in ("{}", "[]", "[id, version]"):
        with pytest.raises(ChecklistError, match="line 2, column 1: .*unhashable key"):
            checklist_from_text(f"version: 1\n{key}: test-mini\n", source="up.yaml")
    with pytest.raises(ChecklistError, match="must be a mapping"):
        checklist_from_text("- just\n- a list\n", source="up.yaml")


def test_a_tiny_definition_loads(tmp_path):
    checklist = checklist_from_text(tiny_text(yes_no_item("Q-1")))
    assert [i.id for i in checklist.items] == ["Q-1"]
    with pytest.raises(ChecklistError, match="no answer reaches the maximum 12"):
        checklist_from_text(tiny_text(yes_no_item("Q-1", max_points=12)))
