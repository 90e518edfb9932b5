"""How long the assessment form's inputs take to draw: the macro file vs WTForms' own widgets.

Run: python bench/bench_assessment_form.py (prints milliseconds per form of 32 items)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import current_app  # noqa: E402

from riskapp import create_app  # noqa: E402
from riskapp.assessments.forms import assessment_form_class  # noqa: E402
from riskapp.scoring import get_checklist  # noqa: E402

MACRO_PAGE = """{% from "assessments/_inputs.html" import item_input %}
{% for item in checklist.items %}{{ item_input(item, form.item_field(item), info) }}{% endfor %}"""
WIDGET_PAGE = """{% for item in checklist.items %}{{ form.item_field(item)() }}{% endfor %}"""


def per_render_ms(page: str, repeat: int = 200, **values) -> float:
    template = current_app.jinja_env.from_string(page)  # compiled once, like a file template
    template.render(**values)
    start = time.perf_counter()
    for _ in range(repeat):
        template.render(**values)
    return (time.perf_counter() - start) * 1000 / repeat


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False})
    checklist = get_checklist("vn-workplace-2021")
    with app.test_request_context():
        start = time.perf_counter()
        form_class = assessment_form_class(checklist, "vi")
        build_ms = (time.perf_counter() - start) * 1000
        form = form_class(formdata=None, data={"item-ORG-1": "yes", "item-CTX-1": "250"})
        info = {"applies": True, "na_allowed": True, "why_not": None, "min": "0", "max": None,
                "step": "any", "unit": ""}
        macro = per_render_ms(MACRO_PAGE, checklist=checklist, form=form, info=info)
        widgets = per_render_ms(WIDGET_PAGE, checklist=checklist, form=form)
        start = time.perf_counter()
        for _ in range(200):
            assessment_form_class(checklist, "vi")
        cached_us = (time.perf_counter() - start) * 1e6 / 200
    print(f"form class built once: {build_ms:.2f} ms; cached lookup: {cached_us:.1f} µs")
    print(f"inputs of {len(checklist.items)} items via _inputs.html macros: {macro:.2f} ms")
    print(f"inputs of {len(checklist.items)} items via WTForms widgets:     {widgets:.2f} ms")


if __name__ == "__main__":
    main()
