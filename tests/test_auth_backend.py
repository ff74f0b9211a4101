"""The authentication backend reads a user's permissions in one query, with the
same answer as Django's own backend."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.accounts.access import CONTACT_DETAILS_PERMISSION, can_see_contact_details
from dashboard.accounts.backends import ThrottledModelBackend

pytestmark = pytest.mark.django_db


def _perm(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def _fresh(user_id: int):  # a new object: no permission cache on it
    return get_user_model().objects.get(pk=user_id)


def test_own_and_group_permissions_in_one_query() -> None:
    user = get_user_model().objects.create_user("perm-both")
    group = Group.objects.create(name="reviewers")
    group.permissions.add(_perm("view_contact_details"), _perm("view_review"))
    user.user_permissions.add(_perm("change_review"))
    user.groups.add(group)
    fresh = _fresh(user.pk)
    with CaptureQueriesContext(connection) as queries:
        ours = ThrottledModelBackend().get_all_permissions(fresh)
        assert can_see_contact_details(fresh)
    assert len(queries) == 1
    assert ours == ModelBackend().get_all_permissions(_fresh(user.pk))
    assert {CONTACT_DETAILS_PERMISSION, "reviews.view_review", "reviews.change_review"} <= ours


@pytest.mark.parametrize("where", ["user", "group", "none"])
def test_contact_details_from_either_source(where: str) -> None:
    user = get_user_model().objects.create_user(f"perm-{where}")
    if where == "user":
        user.user_permissions.add(_perm("view_contact_details"))
    elif where == "group":
        group = Group.objects.create(name="contact")
        group.permissions.add(_perm("view_contact_details"))
        user.groups.add(group)
    assert can_see_contact_details(_fresh(user.pk)) is (where != "none")


def test_inactive_users_and_objects_have_none() -> None:
    user = get_user_model().objects.create_user("perm-inactive", is_active=False)
    user.user_permissions.add(_perm("view_contact_details"))
    backend = ThrottledModelBackend()
    assert backend.get_all_permissions(_fresh(user.pk)) == set()
    active = get_user_model().objects.create_user("perm-obj")
    active.user_permissions.add(_perm("view_contact_details"))
    assert backend.get_all_permissions(_fresh(active.pk), obj=object()) == set()


def test_superuser_has_every_permission() -> None:
    admin = get_user_model().objects.create_superuser("perm-admin", password="x")
    assert CONTACT_DETAILS_PERMISSION in ThrottledModelBackend().get_all_permissions(admin)
