"""Keeps the cached reviewer lists (``selectors.reviewer_names``) true: any change to
a user (name, active, superuser) or to a tenant grant starts a new generation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from dashboard.accounts.models import TenantGrant

from .selectors import new_reviewers_generation


def _changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in or a new password: the list does not change
    # After the commit as well: a page that read the list between the change and its
    # commit would otherwise keep the old one under the new generation.
    new_reviewers_generation()
    transaction.on_commit(new_reviewers_generation)


def connect() -> None:
    user_model = get_user_model()
    for model in (user_model, TenantGrant):
        post_save.connect(_changed, sender=model, dispatch_uid=f"reviewers-{model.__name__}-save")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"reviewers-{model.__name__}-delete"
        )
