"""htmx conventions shared by the views.

A page answers some htmx requests with one of its named parts (the element
whose id is the request's ``HX-Target``); ``answers_targets`` says which, and
passes the chosen target (or None for the whole page) to the view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (see django-htmx's docs on typing)."""

    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def answers_targets(*targets: str) -> Callable[[View], View]:
    """The view answers these ``HX-Target`` ids with a part of the page.

    Any other request (no htmx, or htmx aiming elsewhere) gets the whole page.
    The response varies on the htmx headers, so caches keep page and part apart.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            target = request.htmx.target if request.htmx else None
            response = view(request, *args, target=target if target in targets else None, **kwargs)
            patch_vary_headers(response, ("HX-Request", "HX-Target"))
            return response

        return wrapped

    return decorate
