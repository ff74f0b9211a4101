"""At most one syncing process per tenant, across replicas.

PostgreSQL: a session-level advisory lock on a 64-bit hash of the tenant, held
by the worker's database connection (released when it ends, even by a crash).
SQLite (one machine): an exclusive ``fcntl`` lock on a file per database and
tenant, released by the operating system when the process ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

_NAMESPACE = b"dashboard.index.sync:"


def lock_key(tenant_id: str) -> int:
    """The tenant's advisory-lock key: a signed 64-bit number, stable across processes."""
    digest = hashlib.blake2b(_NAMESPACE + tenant_id.lower().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_path(tenant_id: str) -> Path:
    folder = Path(settings.INDEX_LOCK_DIR or tempfile.gettempdir())
    database = str(connection.settings_dict.get("NAME") or "")
    if getattr(connection, "is_in_memory_db", lambda: False)():
        # An in-memory database belongs to this process alone (test runs in parallel).
        database += f"|pid {os.getpid()}"
    # One file per database and tenant: two checkouts on one machine do not block each other.
    name = hashlib.blake2b(f"{database}|{tenant_id.lower()}".encode(), digest_size=12).hexdigest()
    return folder / f"cxengage-index-sync-{name}.lock"


@contextmanager
def tenant_lock(tenant_id: str) -> Iterator[bool]:
    """Try to become the tenant's one syncing process; yields whether this one is.

    Never waits: a caller that gets False leaves the tenant to the holder.
    """
    if connection.vendor == "postgresql":
        key = lock_key(tenant_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    path = _lock_path(tenant_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for an operator
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
