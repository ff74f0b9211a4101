"""The process's one CxEngage client, built from Django's settings on first use.

Everything that talks to the API gets its client here, so the connection pool
(and the API token) is shared by every request a process serves. Tests that
change settings call ``reset_client``.
"""

from __future__ import annotations

import threading

from dashboard.demo import api as demo_api

from .client import ClientConfig, CxEngageClient

_lock = threading.Lock()
_client: CxEngageClient | None = None


def get_client() -> CxEngageClient:
    """The process's client; the first caller builds it from settings."""
    global _client
    client = _client
    if client is None:
        with _lock:
            # Another thread may have built it while this one waited for the lock.
            if _client is None:
                _client = CxEngageClient(ClientConfig.from_settings(demo_upstream=demo_api.handle))
            client = _client
    return client


def reset_client() -> None:
    """Close and forget the client; the next ``get_client`` reads settings again."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
