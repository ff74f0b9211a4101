"""The review panel's ``<select>`` options, written in one pass each.

As template loops they asked the form for its chosen value once per option (a
bound field, its value, two filters), which cost more than the rest of the
panel's form; here each value is escaped as autoescape would and the chosen
one is worked out once."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe

from dashboard.reviews.selectors import person as _person

register = template.Library()


@register.simple_tag(takes_context=True)
def status_options(context: template.Context, form: Any) -> SafeString:
    """The review status's ``<option>``s, the form's status chosen."""
    chosen = form["status"].value()
    return mark_safe(  # noqa: S308 - every value escaped by render_value_in_context
        "".join(
            f'<option value="{render_value_in_context(value, context)}"'
            f"{' selected' if value == chosen else ''}>"
            f"{render_value_in_context(label, context)}</option>"
            for value, label in form.fields["status"].choices
        )
    )


@register.simple_tag(takes_context=True)
def assignee_options(context: template.Context, reviewers: Any, form: Any) -> SafeString:
    """An ``<option>`` per reviewer (pk, name), the form's assignee chosen: compared as
    text, as the template compared them (``stringformat:"s"``)."""
    chosen = _as_text(form["assignee"].value())
    return mark_safe(  # noqa: S308 - every value escaped by render_value_in_context
        "".join(
            f'<option value="{render_value_in_context(pk, context)}"'
            f"{' selected' if _as_text(pk) == chosen else ''}>"
            f"{render_value_in_context(name, context)}</option>"
            for pk, name in reviewers
        )
    )


@register.filter
def person(user: Any, viewer: Any) -> str:
    """``{{ someone|person:user }}``: "you", their full name, else their user name."""
    return _person(user, viewer)


def _as_text(value: Any) -> str:
    """``value|stringformat:"s"``."""
    return "%s" % (str(value) if isinstance(value, tuple) else value)  # the filter's own formatting
