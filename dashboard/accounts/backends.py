"""The authentication backend: Django's, with sign-in throttling around it.

Every password check goes through here, the admin's sign-in included, so the
throttle cannot be side-stepped by posting to another login form.

It also reads a user's permissions in one query (their own and their groups'
as a UNION) where Django's backend makes two: every interaction page asks
whether its viewer may see contact details.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
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
            columns = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).values_list(*columns).order_by()
            grouped = (
                Permission.objects.filter(group__user=user_obj).values_list(*columns).order_by()
            )
            user_obj._perm_cache = {f"{app}.{name}" for app, name in own.union(grouped)}
        return cast("set[str]", user_obj._perm_cache)
