"""Sign-in and sign-out: Django's views with the throttled form, 429 while locked
out, and a sign-out that clears what the browser kept of the pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse

from .forms import SignInForm

#: Supervisors share workstations: pages (contact details, transcripts) kept in
#: the browser's cache or storage must not outlive the sign-in.
CLEAR_SITE_DATA = '"cache", "storage"'


class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.lockout is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.seconds_left)
        return response


class SignOutView(LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
