"""Settings for the test suite: the real settings, served over plain http.

The test client and the live server speak http; TLS-only settings are tested
separately by running the real settings module with DJANGO_HTTPS on.
"""

import os

os.environ.setdefault("DJANGO_HTTPS", "0")

from dashboard.settings import *  # noqa: E402,F403

# Hashing real passwords is slow by design; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Pages wait for the API: the slow-API frame has tests of its own that turn it on,
# since a background fetch outliving a mocked upstream would make tests flaky.
PAGE_FRAME_AFTER = 0
