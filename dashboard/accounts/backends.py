"""The authentication backend: Django's, with sign-in throttling around it.

Every password check goes through here, the admin's sign-in included, so the
throttle cannot be side-stepped by posting to another login form.

It also reads a user's permissions in one query (their own and their groups'
as a UNION) where Django's backend makes two: every interaction page asks
whether its viewer may see contact details. The statement is written once per
process from the models' tables (``_permissions_sql``): building it through the
ORM on every request cost more than running it.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import HttpRequest

from . import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:  # management commands and shells: no client to throttle
            return super().authenticate(request, username, password, **kwargs)
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if throttle.check(request, username) is not None:
            # Django stops at PermissionDenied: no other backend is asked.
            raise PermissionDenied("too many failed sign-ins")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            throttle.record_failure(request, username)
        else:
            throttle.record_success(request, username or "")
        return user

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:  # every permission: Django's own read
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            alias = router.db_for_read(Permission)
            with connections[alias].cursor() as cursor:
                cursor.execute(_permissions_sql(alias), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{name}" for app, name in cursor.fetchall()}
        return cast("set[str]", user_obj._perm_cache)


@functools.cache
def _permissions_sql(alias: str) -> str:
    """The (app label, codename) of a user's own permissions and their groups', as one
    UNION with the user's key as its two parameters; every name comes from the models."""
    quote = connections[alias].ops.quote_name
    user_model = get_user_model()
    own: Any = user_model._meta.get_field("user_permissions")
    groups: Any = user_model._meta.get_field("groups")
    granted: Any = Group._meta.get_field("permissions")
    permission, content_type = Permission._meta, ContentType._meta
    n = {
        "perm": quote(permission.db_table),
        "perm_pk": quote(permission.pk.column),
        "perm_type": quote(permission.get_field("content_type").column),
        "codename": quote(permission.get_field("codename").column),
        "ct": quote(content_type.db_table),
        "ct_pk": quote(content_type.pk.column),
        "app": quote(content_type.get_field("app_label").column),
        "own": quote(own.m2m_db_table()),
        "own_perm": quote(own.m2m_reverse_name()),
        "own_user": quote(own.m2m_column_name()),
        "granted": quote(granted.m2m_db_table()),
        "granted_perm": quote(granted.m2m_reverse_name()),
        "granted_group": quote(granted.m2m_column_name()),
        "member": quote(groups.m2m_db_table()),
        "member_group": quote(groups.m2m_reverse_name()),
        "member_user": quote(groups.m2m_column_name()),
    }
    pick = (
        "SELECT ct.{app}, p.{codename} FROM {perm} p"
        " INNER JOIN {ct} ct ON ct.{ct_pk} = p.{perm_type}"
    )
    mine = pick + " INNER JOIN {own} up ON up.{own_perm} = p.{perm_pk} WHERE up.{own_user} = %s"
    theirs = (
        pick + " INNER JOIN {granted} gp ON gp.{granted_perm} = p.{perm_pk}"
        " INNER JOIN {member} ug ON ug.{member_group} = gp.{granted_group}"
        " WHERE ug.{member_user} = %s"
    )
    return f"{mine} UNION {theirs}".format(**n)
