"""The process's one API client, built from settings on first use."""

from __future__ import annotations

import threading

from django.conf import settings

from .client import ClientConfig, CxEngageClient

_lock = threading.Lock()
_client: CxEngageClient | None = None


def _config() -> ClientConfig:
    if settings.DEMO_MODE:
        from dashboard.demo import api as demo_api

        return ClientConfig(base_url="https://demo.cxengage.invalid", upstream=demo_api.handle)
    return ClientConfig(
        base_url=settings.CXENGAGE_API_URL,
        **settings.CXENGAGE_CREDENTIALS,
        **settings.CXENGAGE_TIMEOUTS,
    )


def get_client() -> CxEngageClient:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = CxEngageClient(_config())
    return _client


def reset_client() -> None:
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
