"""gunicorn settings for Bolots: `gunicorn -c gunicorn.conf.py config.wsgi`.

Chosen by measurement with bench/load.py on a 2-core machine (docs/deploy.md
"gunicorn", docs/performance.md "Throughput under load (issue 16)"). Every
value can be overridden from the environment, so that one file serves the
systemd unit, the load test and a larger host:

- GUNICORN_BIND (default 127.0.0.1:8000): loopback only; the TLS proxy in
  front of it is the only one that talks to gunicorn (docs/deploy.md).
- GUNICORN_WORKER_CLASS (default gthread), GUNICORN_WORKERS (default
  3 × cores), GUNICORN_THREADS (default 2): a page spends a good part of its
  time waiting for PostgreSQL and Redis; a second thread lets a process
  serve another request meanwhile. More threads per process made requests
  queue for the process's one GIL while the other core idled (3 × 4 left
  a third of the CPU unused at 50 users, with p95 over budget in half the
  runs); three processes per core spread the same 12 requests in flight
  over both cores (docs/deploy.md "gunicorn").
- GUNICORN_TIMEOUT (default 30 s): a request hung longer is killed; no page
  takes a fraction of that (reports run in the worker).
"""

import os

_cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", 3 * _cores))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Keep-alive connections from the proxy save a TCP handshake per request.
keepalive = 5
# Workers are recycled now and then, so that a slow leak (matplotlib's font
# caches, fragmented memory) never grows without bound; the jitter keeps
# them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# Import Django once in the master, before forking: workers start in
# milliseconds and share the code pages. Connections (PostgreSQL, Redis)
# are opened lazily in each worker, never inherited.
preload_app = True
# Access lines off: the proxy logs requests; our own logger writes JSON
# lines without personal data (URLs may carry record ids only).
accesslog = None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
