"""Sign-in: Django's login view with the throttled form; 429 while locked out."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.http import HttpResponse

from .forms import SignInForm


class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.lockout is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.seconds_left)
        return response
