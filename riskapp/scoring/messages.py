"""The engine's own words (validation problems, improvement plans), in Vietnamese and English."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from riskapp.scoring.model import Item
from riskapp.scoring.values import BOOL_CONTEXT_KEYS, CONTEXT_KEYS, Grade, Text, format_number


def shown(value: Any) -> str:
    """A value as the user typed or sent it."""
    if isinstance(value, str):
        return f"“{value}”"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def join_words(words: Sequence[str], lang: str) -> str:
    """"A", "A and B", "A, B and C" (Vietnamese "và")."""
    conjunction = " và " if lang == "vi" else " and "
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + conjunction + words[-1]


def join_text(words: Sequence[str]) -> Text:
    return Text(join_words(words, "vi"), join_words(words, "en"))


def _named(item: Item) -> Text:
    return Text(f"{item.id} – “{item.question.vi}”", f"{item.id} – “{item.question.en}”")


def without_item_name(message: Text, item: Item) -> Text:
    """An item's problem as said beside the item's own input, where the question is already
    shown: "HYG-2 – “…”: the value must be …" becomes "The value must be …"."""
    named = _named(item)

    def strip(text: str, prefix: str) -> str:
        rest = text.removeprefix(prefix + ": ")
        return rest[:1].upper() + rest[1:]

    return Text(strip(message.vi, named.vi), strip(message.en, named.en))


def missing(item: Item) -> Text:
    template = Text("{item}: chưa có câu trả lời.", "{item}: no answer given.")
    return template.format(item=_named(item))


def unknown_item(key: Any) -> Text:
    return Text(
        f"{shown(key)} không phải là tiêu chí của bộ tiêu chí này.",
        f"{shown(key)} is not an item of this checklist.",
    )


def _choices(item: Item) -> Text:
    return Text(
        ", ".join(f"{o.id} ({o.label.vi})" for o in item.options),
        ", ".join(f"{o.id} ({o.label.en})" for o in item.options),
    )


def wrong_kind_option(item: Item, value: Any) -> Text:
    return Text(
        "{item}: câu trả lời phải là một trong các lựa chọn {choices}, không phải {value}.",
        "{item}: the answer must be one of {choices}, not {value}.",
    ).format(item=_named(item), choices=_choices(item), value=shown(value))


def unknown_option(item: Item, value: Any) -> Text:
    return Text(
        "{item}: {value} không phải là lựa chọn hợp lệ; chọn một trong {choices}.",
        "{item}: {value} is not one of the choices; choose one of {choices}.",
    ).format(item=_named(item), choices=_choices(item), value=shown(value))


def wrong_kind_number(item: Item, value: Any, whole: bool) -> Text:
    if whole:
        template = Text(
            "{item}: câu trả lời phải là một số nguyên, không phải {value}.",
            "{item}: the answer must be a whole number, not {value}.",
        )
    else:
        template = Text(
            "{item}: câu trả lời phải là một số, không phải {value}.",
            "{item}: the answer must be a number, not {value}.",
        )
    return template.format(item=_named(item), value=shown(value))


def allowed_range(item: Item) -> Text:
    low, high = item.min_value, item.max_value
    if low is not None and high is not None:
        lo, hi = format_number(low), format_number(high)
        return Text(f"từ {lo} đến {hi}", f"between {lo} and {hi}")
    if low is not None:
        lo = format_number(low)
        if item.min_inclusive:
            return Text(f"từ {lo} trở lên", f"at least {lo}")
        return Text(f"lớn hơn {lo}", f"more than {lo}")
    if high is not None:
        hi = format_number(high)
        if item.max_inclusive:
            return Text(f"từ {hi} trở xuống", f"at most {hi}")
        return Text(f"nhỏ hơn {hi}", f"less than {hi}")
    return Text("một số hữu hạn", "a finite number")


def out_of_range(item: Item, value: Any) -> Text:
    return Text(
        "{item}: giá trị phải {range}, không phải {value}.",
        "{item}: the value must be {range}, not {value}.",
    ).format(item=_named(item), range=allowed_range(item), value=shown(value))


def na_not_allowed(item: Item, condition: Text | None) -> Text:
    if condition is None:
        template = Text(
            "{item}: không được chọn “Không áp dụng” cho tiêu chí này.",
            "{item}: “Not applicable” is not allowed for this item.",
        )
        return template.format(item=_named(item))
    template = Text(
        "{item}: chỉ được chọn “Không áp dụng” khi {condition}.",
        "{item}: “Not applicable” is allowed only when {condition}.",
    )
    return template.format(item=_named(item), condition=condition)


def area_level_missing() -> Text:
    return Text(
        "Thiếu cấp độ dịch của địa bàn (area_level, từ 1 đến 4).",
        "The area's epidemic level (area_level, 1 to 4) is missing.",
    )


def area_level_invalid(value: Any) -> Text:
    return Text(
        f"Cấp độ dịch của địa bàn (area_level) phải là 1, 2, 3 hoặc 4, không phải {shown(value)}.",
        f"The area's epidemic level (area_level) must be 1, 2, 3 or 4, not {shown(value)}.",
    )


def unknown_context_key(key: Any) -> Text:
    known = ", ".join(CONTEXT_KEYS)
    return Text(
        f"{shown(key)} không phải là thông tin bối cảnh hợp lệ (dùng: {known}).",
        f"{shown(key)} is not a context key (use: {known}).",
    )


def context_not_boolean(key: str, value: Any) -> Text:
    assert key in BOOL_CONTEXT_KEYS  # nosec B101 # programming-error guard, callers pass known keys
    return Text(
        f"{key} phải là true hoặc false, không phải {shown(value)}.",
        f"{key} must be true or false, not {shown(value)}.",
    )


def context_not_mapping(value: Any) -> Text:
    return Text(
        f"Thông tin bối cảnh (context) phải là một đối tượng, không phải {shown(value)}.",
        f"The context must be an object, not {shown(value)}.",
    )


def answers_not_mapping(value: Any) -> Text:
    return Text(
        "Các câu trả lời (answers) phải là một đối tượng theo mã tiêu chí, "
        f"không phải {shown(value)}.",
        f"The answers must be an object keyed by item id, not {shown(value)}.",
    )


# ── improvement plan ───────────────────────────────────────────────────────────────────────────


def plan_found(item_ids: Sequence[str], grade: Grade) -> Text:
    return Text(
        "Khắc phục {items} sẽ hạ mức nguy cơ xuống {grade}.",
        "Fixing {items} lowers the grade to {grade}.",
    ).format(items=join_text(list(item_ids)), grade=grade.label)


def plan_already_lowest(grade: Grade) -> Text:
    return Text(
        "Mức nguy cơ đã ở mức thấp nhất ({grade}); tiếp tục duy trì các biện pháp hiện có.",
        "The grade is already the lowest ({grade}); keep the measures in place.",
    ).format(grade=grade.label)


def plan_blocked_by_rules(causes: Sequence[Text], grade: Grade) -> Text:
    joined = Text(
        join_words([c.vi for c in causes], "vi"), join_words([c.en for c in causes], "en")
    )
    verb = "keeps" if len(causes) == 1 else "keep"
    return Text(
        "Không có biện pháp khắc phục nào có thể hạ mức nguy cơ: do {causes}, "
        "mức nguy cơ vẫn là {grade}.",
        "No fix can lower the grade: {causes} " + verb + " it {grade}.",
    ).format(causes=joined, grade=grade.label)


def plan_blocked_by_score(score: float, grade: Grade, anything_to_fix: bool) -> Text:
    if not anything_to_fix:
        return Text(
            "Không có biện pháp khắc phục nào có thể hạ mức nguy cơ: "
            "không có tiêu chí nào không đạt, và điểm {score} % vẫn ở mức {grade}.",
            "No fix can lower the grade: no item fails, and the score of {score} % keeps it "
            "{grade}.",
        ).format(score=score, grade=grade.label)
    return Text(
        "Không có biện pháp khắc phục nào có thể hạ mức nguy cơ: "
        "kể cả khi hoàn thành mọi biện pháp, điểm {score} % vẫn ở mức {grade}.",
        "No fix can lower the grade: even with every action done, the score of {score} % keeps "
        "it {grade}.",
    ).format(score=score, grade=grade.label)
