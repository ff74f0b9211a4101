"""Django settings, all from the environment (see the README's Settings table)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from dashboard import config

BASE_DIR = Path(__file__).resolve().parent.parent
# An invalid value stops start-up with a message saying what to do, never a traceback.
with config.stop_on_invalid_settings():
    ENV = config.environ()

    DEBUG = config.env_bool(ENV, "DJANGO_DEBUG", False)
    CXENGAGE_API_URL = config.api_base_url(ENV.get("CXENGAGE_API_URL"))
    DEMO_MODE = CXENGAGE_API_URL is None
    CXENGAGE_CREDENTIALS = config.api_credentials(ENV)
    if not DEMO_MODE and not any(CXENGAGE_CREDENTIALS.values()):
        raise ImproperlyConfigured(
            "CXENGAGE_API_URL is set but no credentials are: set CXENGAGE_USERNAME and "
            "CXENGAGE_PASSWORD, or CXENGAGE_API_KEY and CXENGAGE_API_SECRET."
        )
    CXENGAGE_TIMEOUTS = {
        "connect_timeout": config.env_float(ENV, "CXENGAGE_CONNECT_TIMEOUT", 3.0, minimum=0.1),
        "read_timeout": config.env_float(ENV, "CXENGAGE_READ_TIMEOUT", 8.0, minimum=0.1),
        "deadline": config.env_float(
            ENV,
            "CXENGAGE_DEADLINE",
            10.0,
            minimum=0.1,
            maximum=25.0,
            why_maximum="a page waits for the API within the server's 30 s limit on a request",
        ),
    }

    SECRET_KEY = ENV.get("DJANGO_SECRET_KEY", "")
    if not SECRET_KEY:
        if not (DEMO_MODE or DEBUG):
            raise ImproperlyConfigured(
                "DJANGO_SECRET_KEY must be set when serving live data (it is optional only in "
                "demo mode or with DJANGO_DEBUG=1). Generate one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(50))'"
            )
        SECRET_KEY = "demo-only-insecure-key-" + "x" * 40

    HTTPS = config.env_bool(ENV, "DJANGO_HTTPS", not DEBUG)
    ALLOWED_HOSTS = [
        h.strip()
        for h in ENV.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
        if h.strip()
    ]

    INSTALLED_APPS = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "django_htmx",
        "template_partials",
        "csp",
        "dashboard.accounts",
        "dashboard.interactions",
        "dashboard.reviews",
        "dashboard.index",
    ]

    MIDDLEWARE = [
        # Outermost: a database error from any layer below becomes the 503 page.
        "dashboard.middleware.DatabaseUnavailableMiddleware",
        "dashboard.middleware.RequestIDMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "csp.middleware.CSPMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        # After WhiteNoise: static files keep their own long-lived caching.
        "dashboard.middleware.PrivatePagesMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "dashboard.middleware.SignInRequiredMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "dashboard.middleware.ViewerTimezoneMiddleware",
        "dashboard.failures.BudgetMiddleware",
    ]

    ROOT_URLCONF = "dashboard.urls"
    WSGI_APPLICATION = "dashboard.wsgi.application"

    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [BASE_DIR / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "dashboard.context_processors.dashboard",
                ],
            },
        }
    ]

    DATABASES = {
        "default": config.database(
            ENV,
            f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=60,
            # A kept connection that died with the database (or a proxy) is checked
            # before a request uses it and replaced, so the dashboard recovers by itself.
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A database that does not answer fails a request (and /readyz) in seconds.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # Several threads and processes write (sessions, audit log): WAL lets
        # readers go on, IMMEDIATE transactions queue writers instead of failing.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            timeout=20,
            transaction_mode="IMMEDIATE",
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        )
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

    REDIS_URL = config.redis_url(ENV)
    # Redis is an optimisation: unreachable or slower than REDIS_TIMEOUT, it acts
    # as an empty cache (dashboard/cache_backend.py) and is tried again every
    # REDIS_RETRY_SECONDS, so its outage is not the dashboard's.
    REDIS_TIMEOUT = config.env_float(ENV, "REDIS_TIMEOUT", 0.25, minimum=0.01)
    REDIS_RETRY_SECONDS = config.env_float(ENV, "REDIS_RETRY_SECONDS", 5.0, minimum=0.1)
    if REDIS_URL:
        CACHES = {
            "default": {
                "BACKEND": "dashboard.cache_backend.FailOpenRedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": ENV.get("CACHE_KEY_PREFIX", "dashboard"),
                "OPTIONS": {
                    "socket_connect_timeout": REDIS_TIMEOUT,
                    "socket_timeout": REDIS_TIMEOUT,
                    "retry_seconds": REDIS_RETRY_SECONDS,
                },
            }
        }
    else:
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Sign-ins live in the database, never only in the cache: signing in (and
    # staying signed in) works while Redis is down.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

    # How long upstream answers are kept (seconds).
    CACHE_TTL_COMPLETE = config.env_float(ENV, "CACHE_TTL_COMPLETE", 3600)
    CACHE_TTL_IN_PROGRESS = config.env_float(ENV, "CACHE_TTL_IN_PROGRESS", 10)
    CACHE_TTL_NOT_FOUND = config.env_float(ENV, "CACHE_TTL_NOT_FOUND", 30)
    # A failed upstream request is remembered this long (requests meanwhile get the
    # last good copy, or the error, at once); the last good copy is kept this long.
    CACHE_TTL_ERROR = config.env_float(ENV, "CACHE_TTL_ERROR", 5)
    CACHE_TTL_STALE = config.env_float(ENV, "CACHE_TTL_STALE", 86400)

    # Tickets that store only an interaction ID link to /i/<id>/ in this tenant.
    DASHBOARD_DEFAULT_TENANT = config.tenant_id(ENV, "DASHBOARD_DEFAULT_TENANT") or (
        "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b" if DEMO_MODE else ""
    )
    # Links from CRM hooks to the record itself: CRM_LINK_<HOOKTYPE>=https://…/{hookId}
    CRM_LINK_TEMPLATES = config.crm_link_templates(ENV, demo=DEMO_MODE)
    # The flagged list reads the list endpoint this many interactions a page.
    FLAGGED_PAGE_SIZE = config.env_int(
        ENV,
        "FLAGGED_PAGE_SIZE",
        1000,
        minimum=1,
        maximum=1000,
        why_maximum="the API's largest page",
    )
    FLAGGED_MAX_INTERACTIONS = config.env_int(ENV, "FLAGGED_MAX_INTERACTIONS", 50000, minimum=1)

    # List-endpoint pages one user may have fetched a minute (dashboard/accounts/budget.py);
    # past it, 429 until the next minute. Not counted while the cache is down.
    API_BUDGET_LIST_PAGES_PER_MINUTE = config.env_int(
        ENV, "API_BUDGET_LIST_PAGES_PER_MINUTE", 120, minimum=1
    )

    # When the API takes longer than this (seconds) on a cold cache, the page's
    # frame is shown at once and fills in when the API answers (0 turns this off).
    PAGE_FRAME_AFTER = config.env_float(ENV, "PAGE_FRAME_AFTER", 0.15)

    # Seconds between refreshes of a live (dataComplete: false) interaction's timeline.
    TIMELINE_POLL_SECONDS = int(config.env_float(ENV, "TIMELINE_POLL_SECONDS", 10, minimum=1))

    # The interaction index's sync worker (manage.py sync_interactions; dashboard/index/sync.py).
    # Each pass re-reads this many seconds before where the last one stopped, for late data.
    INDEX_SYNC_OVERLAP = config.env_int(ENV, "INDEX_SYNC_OVERLAP", 15 * 60, minimum=0)
    # Every INDEX_SYNC_LATE_EVERY seconds a pass lists the last INDEX_SYNC_LATE_HOURS
    # again: a flag or a late end can arrive hours after an interaction was stored
    # complete (0 hours: never).
    INDEX_SYNC_LATE_HOURS = config.env_float(
        ENV, "INDEX_SYNC_LATE_HOURS", 24, minimum=0, unit="hours"
    )
    INDEX_SYNC_LATE_EVERY = config.env_int(ENV, "INDEX_SYNC_LATE_EVERY", 3600, minimum=60)
    # The list endpoint is read in windows of this many seconds; the cursor moves per window.
    INDEX_SYNC_WINDOW = config.env_int(ENV, "INDEX_SYNC_WINDOW", 3600, minimum=60)
    # Seconds between passes of the continuous worker.
    INDEX_SYNC_INTERVAL = config.env_float(ENV, "INDEX_SYNC_INTERVAL", 60, minimum=1)
    # API calls one tenant's pass may make (list pages and single re-reads); the rest waits.
    INDEX_SYNC_MAX_CALLS = config.env_int(ENV, "INDEX_SYNC_MAX_CALLS", 1000, minimum=1)
    # In-progress interactions re-read singly per tenant and pass, at most.
    INDEX_SYNC_REREAD_MAX = config.env_int(ENV, "INDEX_SYNC_REREAD_MAX", 200, minimum=0)
    # How far back a tenant's first pass reaches without --since (days).
    INDEX_SYNC_FIRST_DAYS = config.env_float(
        ENV, "INDEX_SYNC_FIRST_DAYS", 1, minimum=0, unit="days"
    )
    # Index rows older than this are purged by the worker.
    INDEX_RETENTION_DAYS = config.env_int(ENV, "INDEX_RETENTION_DAYS", 90, minimum=1)
    # Seconds between reads of the API's queue SLA configuration per tenant (0: never read it;
    # the admin-entered thresholds then decide), and the API calls one read may make.
    INDEX_SLA_REFRESH = config.env_int(ENV, "INDEX_SLA_REFRESH", 3600, minimum=0)
    INDEX_SLA_MAX_CALLS = config.env_int(ENV, "INDEX_SLA_MAX_CALLS", 200, minimum=1)
    # Where the SQLite worker keeps its per-tenant lock files (PostgreSQL uses advisory locks);
    # empty: the system's temporary directory.
    INDEX_LOCK_DIR = ENV.get("INDEX_LOCK_DIR", "").strip()
    # A live interaction older than this (hours) is shown as possibly stuck.
    LIVE_STUCK_AFTER_HOURS = config.env_float(
        ENV, "LIVE_STUCK_AFTER_HOURS", 4, minimum=0.01, unit="hours"
    )
    # Show the tenant's own time zone beside the viewer's for an interaction's start and
    # end, once the index sync has read it (the list endpoint's tenantTimezone; a single
    # interaction does not say it).
    SHOW_TENANT_ZONE = config.env_bool(ENV, "SHOW_TENANT_ZONE", False)
    # Origins (comma-separated, http or https) whose recordings play on the page:
    # they are added to the CSP's media-src; other recordings stay a link.
    RECORDING_HOSTS = config.origins(ENV, "RECORDING_HOSTS")

    AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
    # Sign-in throttling (dashboard/accounts/throttle.py): this many failures for
    # one user name or from one address within LOGIN_LOCKOUT_SECONDS lock that
    # user name or address out for LOGIN_LOCKOUT_SECONDS.
    AUTHENTICATION_BACKENDS = ["dashboard.accounts.backends.ThrottledModelBackend"]
    LOGIN_FAILURE_LIMIT = config.env_int(ENV, "LOGIN_FAILURE_LIMIT", 5, minimum=1)
    LOGIN_LOCKOUT_SECONDS = config.env_int(ENV, "LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
    # How many proxies of ours append to X-Forwarded-For in front of gunicorn
    # (1 behind compose.yaml's nginx); 0 believes only REMOTE_ADDR.
    TRUSTED_PROXY_COUNT = config.env_int(ENV, "DJANGO_TRUSTED_PROXY_COUNT", 0)
    LOGIN_URL = "login"
    LOGIN_REDIRECT_URL = "home"
    LOGOUT_REDIRECT_URL = "login"

    LANGUAGE_CODE = "en"
    TIME_ZONE = "UTC"
    USE_I18N = False
    USE_TZ = True

    STATIC_URL = "static/"
    STATICFILES_DIRS = [BASE_DIR / "static"]
    STATIC_ROOT = BASE_DIR / "staticfiles"
    # Hashed, compressed static files when collected (make run, the Docker image);
    # plain files found in place otherwise (tests, development).
    STATIC_MANIFEST = config.env_bool(ENV, "STATIC_MANIFEST", False)
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_AGE = int(config.env_float(ENV, "DJANGO_SESSION_AGE", 8 * 3600, minimum=60))
    # Supervisors share workstations: a sign-in ends when the browser closes, and
    # in any case SESSION_COOKIE_AGE after it began.
    SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    SESSION_COOKIE_SAMESITE = "Lax"
    CSRF_COOKIE_SAMESITE = "Lax"
    CSRF_FAILURE_VIEW = "dashboard.views.csrf_failure"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # Everything the pages load comes from this origin: no inline script or style,
    # no eval (htmx's config meta tag turns its eval and inline styles off).
    CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "font-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"],
            "form-action": ["'self'"],
        }
    }
    if RECORDING_HOSTS:  # recordings play on the page from these origins only
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"] = ["'self'", *RECORDING_HOSTS]
    if HTTPS:
        SECURE_SSL_REDIRECT = True
        # Load balancers and container health checks probe over plain http.
        SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
        SECURE_HSTS_SECONDS = 31536000
        SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        SECURE_HSTS_PRELOAD = True

    LOG_LEVEL = config.log_level(ENV)
    # json: one JSON object a line (dashboard/logs.py), for log collectors; plain:
    # for reading in a terminal. Every record carries the request's ID.
    LOG_FORMAT = config.env_choice(
        ENV, "DJANGO_LOG_FORMAT", ("json", "plain"), "plain" if DEBUG else "json"
    )
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "dashboard.logs.RequestIDFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "dashboard.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": LOG_FORMAT,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "dashboard": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        },
    }


del os
