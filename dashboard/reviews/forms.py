"""The review form and the assignment form."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Status


class CommentField(forms.CharField):
    """Text with its line breaks as LF: a browser sends CR LF, yet its textarea's maxlength
    counts a line break as one character, as the limit here must."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, label="Review status")
    comment = CommentField(
        label="Comment", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    """Who to assign an interaction to: one of ``people`` (users who may view the tenant), or
    nobody ("")."""

    assignee = forms.TypedChoiceField(
        label="Assigned to", required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, people: list[Any], *args: Any, **kwargs: Any) -> None:
        # Its own field names: the review form beside it already sends a "version".
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        field = self.fields["assignee"]
        if isinstance(field, forms.TypedChoiceField):  # always: narrows the type for mypy
            field.choices = [("", "Nobody"), *((pk, str(pk)) for pk in self.people)]

    def chosen(self) -> Any:
        """The chosen user, or None for nobody (after ``is_valid``)."""
        pk = self.cleaned_data["assignee"]
        return self.people.get(pk) if pk is not None else None
