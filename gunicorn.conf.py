"""gunicorn settings: ``gunicorn -c gunicorn.conf.py dashboard.wsgi``.

Sized and bound from the environment (see the README's Operations section).
Each worker imports the app itself (no preload), so nothing made at import time
— the API client's connection pool, database connections — is shared across
the fork.
"""

import gc
import os

_TRUE = {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        # Stops gunicorn with this line, not a traceback.
        raise SystemExit(
            f"The dashboard cannot start: {name} must be a whole number of at least 1, "
            f"not {raw!r} (see the README's gunicorn section)."
        )
    return int(raw)


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = 30
graceful_timeout = 30
keepalive = 5
preload_app = False
# A worker's memory grows slowly with cached templates and pools; recycle it.
max_requests = 2000
max_requests_jitter = 200
# gunicorn 24+ opens a control socket under $HOME; the image's user may not write
# there and nothing here uses it. (Older gunicorns ignore the name.)
control_socket_disable = True


def on_starting(server: object) -> None:
    """Read the dashboard's settings once in the master, before any worker starts.

    An invalid setting then stops gunicorn with the settings' message (see
    ``dashboard.config.stop_on_invalid_settings``) instead of every worker failing to
    boot in turn. Reading the settings opens nothing (no connection, no client).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - imports the settings module, which checks them


def post_worker_init(worker: object) -> None:
    """Leave what the worker made while starting (Django, the app's modules and
    settings) out of the garbage collector's passes: a big interaction's first view
    makes thousands of objects, and each full pass would walk those too."""
    gc.freeze()


accesslog = "-"  # stdout
errorlog = "-"  # stderr
# The path without its query: a search's query may hold a customer's phone or email.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

# Same choice as the dashboard's own log (settings.LOG_FORMAT): JSON lines unless
# debugging, or as DJANGO_LOG_FORMAT says.
_debug = os.environ.get("DJANGO_DEBUG", "").strip().lower() in _TRUE
_format = os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() or ("plain" if _debug else "json")
if _format == "json":
    logconfig_dict = {
        "root": {"level": "WARNING", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["access_console"],
                "propagate": False,
            },
        },
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "access_console": {
                "class": "logging.StreamHandler",
                "formatter": "access_json",
                "stream": "ext://sys.stdout",
            },
        },
        "formatters": {
            "json": {"()": "dashboard.logs.JsonFormatter"},
            "access_json": {"()": "dashboard.logs.AccessJsonFormatter"},
        },
    }
