"""The authentication backend: Django's, with sign-in throttling around it.

Every password check goes through here, the admin's sign-in included, so the
throttle cannot be side-stepped by posting to another login form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
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
