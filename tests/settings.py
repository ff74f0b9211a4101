"""Settings for the test suite: the real settings, served over plain http.

The test client and the live server speak http; TLS-only settings are tested
separately by running the real settings module with DJANGO_HTTPS on.

Under pytest-xdist each worker gets a Redis database of its own (REDIS_URL's
number plus the worker's index), since every test clears the cache (FLUSHDB)
and one worker must not empty the cache under another's test. The worker's
URL goes back into the environment for the suites that hand it to processes
of their own (tests/test_replicas.py). PostgreSQL needs nothing of the kind:
pytest-django gives each worker a test database of its own.
"""

import os
import re

os.environ.setdefault("DJANGO_HTTPS", "0")


def _worker_redis_url(url: str, worker: str) -> str:
    """``redis://host:port/1`` for worker ``gw2`` -> ``redis://host:port/3``."""
    match = re.fullmatch(r"(redis://[^/]+)(?:/(\d*))?", url.strip())
    if not match or not worker.startswith("gw"):
        return url
    return f"{match.group(1)}/{int(match.group(2) or 0) + int(worker[2:])}"


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_URL"] = _worker_redis_url(
        os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

from dashboard.settings import *  # noqa: E402,F403

# Hashing real passwords is slow by design; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages wait for the API: the slow-API frame has tests of its own that turn it on,
# since a background fetch outliving a mocked upstream would make tests flaky.
PAGE_FRAME_AFTER = 0

# The suite's PostgreSQL database is thrown away after the run: its commits need not
# wait for the disk. The browser and process suites empty every table after each test,
# and on a slow disk those waits were most of their time.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
