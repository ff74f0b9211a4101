from __future__ import annotations

from django import forms

from .models import Status


class ReviewForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, label="Review status")
    comment = forms.CharField(
        label="Comment", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
