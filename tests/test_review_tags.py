"""The review panel's ``<select>`` options are written by tags as the template loops
wrote them (kept in tests/fixtures/before/review_options.html), byte for byte, on
hostile names and on bound forms with any value sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from dashboard.reviews.forms import AssignForm, ReviewForm

BEFORE = (
    Path(__file__).resolve().parent / "fixtures" / "before" / "review_options.html"
).read_text()
AFTER = (
    "{% load review_tags %}{% status_options review_form %}"
    "|{% assignee_options reviewers assign_form %}"
)

REVIEWERS: list[tuple[Any, str]] = [
    (1, "Ann <b>&amp;</b>"),
    (2, 'O\'Brien "Bob"'),
    (10, "{{ x }} {% y %}"),
    (123456, "Zoë ‮reversed‬"),
    (7, ""),
]

REVIEW_FORMS = [
    ReviewForm(initial={"status": "to_review", "comment": "", "version": 0}),
    ReviewForm(initial={"status": "done", "comment": "x", "version": 3}),
    ReviewForm(initial={}),
    ReviewForm({"status": "in_review", "comment": "<x>", "version": "1"}),
    ReviewForm({"status": "<script>", "version": "x"}),
    ReviewForm({}),
]

ASSIGN_FORMS = [
    AssignForm([], initial={"assignee": "", "version": 0}),
    AssignForm([], initial={"assignee": 2, "version": 1}),
    AssignForm([], initial={"assignee": 123456, "version": 1}),
    AssignForm([], initial={"assignee": None, "version": 1}),
    AssignForm([], {"assign-assignee": "10", "assign-version": "2"}),
    AssignForm([], {"assign-assignee": "1 ", "assign-version": "2"}),
    AssignForm([], {"assign-assignee": "<b>", "assign-version": "2"}),
    AssignForm([], {}),
]


@pytest.mark.parametrize("review_form", REVIEW_FORMS)
@pytest.mark.parametrize("assign_form", ASSIGN_FORMS)
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_options_are_written_as_the_loops_wrote_them(
    review_form: ReviewForm, assign_form: AssignForm, autoescape: bool
) -> None:
    for reviewers in (REVIEWERS, [], [(2, "Only")]):
        values = {"review_form": review_form, "assign_form": assign_form, "reviewers": reviewers}
        before = Template(BEFORE).render(Context(values, autoescape=autoescape))
        after = Template(AFTER).render(Context(values, autoescape=autoescape))
        assert after == before.rstrip("\n")


def test_the_chosen_status_and_assignee_are_selected() -> None:
    values = {
        "review_form": REVIEW_FORMS[1],
        "assign_form": ASSIGN_FORMS[4],
        "reviewers": REVIEWERS,
    }
    after = Template(AFTER).render(Context(values))
    assert '<option value="done" selected>Done</option>' in after
    assert '<option value="10" selected>{{ x }} {% y %}</option>' in after
    assert after.count(" selected") == 2
