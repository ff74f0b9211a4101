"""The embedded defaults (no DATABASE_URL, no REDIS_URL): what ``make run`` serves the
demo with. SQLite is set up for several threads and processes writing at once, and
the cache is local memory.

Marked ``embedded``: CI runs these in a pass of their own with neither variable
set; with either set they skip (tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[1]

# Run with DATABASE_URL pointing at a fresh SQLite file: migrate, report the journal
# mode, then let eight threads write at once, each holding its transaction open a
# while. Without IMMEDIATE transactions and a busy timeout, SQLite refuses the
# losers with "database is locked" instead of queueing them.
_WRITERS = """
import threading, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction

call_command("migrate", interactive=False, verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print("journal", cursor.fetchone()[0])
errors = []

def write(n):
    try:
        with transaction.atomic():
            get_user_model().objects.create_user(f"writer-{n}")
            time.sleep(0.05)
    except Exception as exc:  # reported below
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("users", get_user_model().objects.count())
print("errors", errors)
"""


def test_the_test_process_runs_on_the_embedded_defaults() -> None:
    assert connection.vendor == "sqlite"
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_sqlite_file_runs_in_wal_mode_and_queues_concurrent_writers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", _WRITERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["journal wal", "users 8", "errors []"], result.stdout
