"""gunicorn settings for Trigger: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (deploy/trigger-web.service).

Every value can be overridden from the environment (GUNICORN_*), so the file itself stays as shipped.
"""

import os

# Only nginx (deploy/nginx.conf) talks to gunicorn; never expose this port.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes, not threads: WeasyPrint's PDF rendering holds the GIL. Two per core is plenty for a partnership's
# few hundred users (bench/README.md: 50 people at once, with the jobs running, on two workers); each process
# takes about 140 MiB, and keeps no pages: every page is built from the database on every request.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
# A long PDF (minutes, action plan) can take seconds; a minute means something is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then so a slow leak in a C library (PDF, images) cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100
# Workers' heartbeat files in memory rather than on a disk that may be slow or read-only.
worker_tmp_dir = "/dev/shm"

# Trigger writes its own access line per request as JSON (trigger/operations/logs.py): the route's pattern, status,
# duration, user id and request id, and never the query string (case searches are by name and postcode). gunicorn's
# own access log would write the raw request line, query string included, so it stays off.
accesslog = None
errorlog = "-"
loglevel = "info"

# nginx on the same host sets X-Forwarded-For/-Proto; BEHIND_PROXY=true makes Trigger trust one hop of them.
forwarded_allow_ips = "127.0.0.1"
# Refuse oversized request lines and headers before they reach the app (forms are POSTed, not in the URL).
limit_request_line = 8190
limit_request_fields = 100
