# The dashboard as one stateless web process: gunicorn, static files baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_MANIFEST=1 \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /app
COPY . .
RUN pip install -e . \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home /app dashboard \
    && mkdir -p /app/data && chown dashboard /app/data

USER dashboard
EXPOSE 8000
# SQLite lives in /app/data unless DATABASE_URL points elsewhere.
ENV DATABASE_URL=sqlite:////app/data/db.sqlite3
# Asks the container itself, naming the first of DJANGO_ALLOWED_HOSTS as the host
# (a request for 127.0.0.1 is refused once that lists only the public name).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import os,sys,urllib.request as u; h=(os.environ.get('DJANGO_ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('*.') or 'localhost'; sys.exit(u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h}), timeout=2).status != 200)"
# Workers, threads, bind and logs: gunicorn.conf.py, from WEB_CONCURRENCY,
# GUNICORN_THREADS, HOST and PORT. Several replicas: run migrate once (compose.yaml).
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c gunicorn.conf.py dashboard.wsgi"]
