"""gunicorn settings; every value can be overridden on the command line or by GUNICORN_* env."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers behind a proxy are the measured safe default on small machines (see README).
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycling workers guards against slow leaks; cached pages serve a thousand requests a second
# per worker, and recycling every 5,000 (a common default) restarted a worker every few seconds.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# X-Forwarded-* are trusted only from the local proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, which every instance
# on the machine would fight over: off, unless GUNICORN_CONTROL_SOCKET names this instance's own.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "var/gunicorn.ctl")
control_socket_disable = "GUNICORN_CONTROL_SOCKET" not in os.environ
