"""Settings for the benchmark's gunicorn servers (bench/run_all.py).

The project's real settings (from the environment, as in production), plus the
benchmark's "floor" route (``bench/urls.py``) and, when ``BENCH_STATIC_ROOT`` is
set, a temporary folder for ``collectstatic`` instead of ``staticfiles/``.
Nothing else differs from ``dashboard.settings``.
"""

import os
from pathlib import Path

from dashboard.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
