"""The sign-in form: Django's, refusing outright while a lockout is in force."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import throttle


class SignInForm(AuthenticationForm):
    # The stubs declare error_messages per instance, so no ClassVar; Django never mutates it.
    error_messages = {  # noqa: RUF012
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed sign-ins for this user name or from this address. "
            "Signing in is paused; try again in %(minutes)d minute%(plural)s."
        ),
    }
    lockout: throttle.Lockout | None = None

    def clean(self) -> dict[str, Any]:
        # Checked before the password, so a right password during a lockout is
        # refused the same way and teaches a guesser nothing.
        if self.request is not None:
            lockout = throttle.check(self.request, self.cleaned_data.get("username"))
            if lockout is not None:
                self.lockout = lockout
                minutes = lockout.minutes_left
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": minutes, "plural": "" if minutes == 1 else "s"},
                )
        return super().clean()
