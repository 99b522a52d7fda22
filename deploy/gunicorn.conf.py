"""Gunicorn settings for Pingan (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be overridden from the environment (GUNICORN_*), so one file serves a
2-core county server and a 16-core city node alike.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "unix:/run/pingan/gunicorn.sock")
# The socket (and uploaded files) readable and writable by the group: nginx's user is a
# member of the pingan group (docs/deploy.md).
umask = 0o007
# Threads overlap database waits; processes use the cores.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# An idle kept-alive connection stays open longer than its client keeps it: nginx's
# upstream connections live 60 s (keepalive_timeout in deploy/nginx/), a phone's or a
# load tester's a few seconds between requests. A server that closes first races the
# client's next request on that connection, which then fails without an answer (a POST is
# not retried): seen as one dropped report in a load run with keepalive = 5 (issue 24).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Recycle workers now and then (guards against slow leaks); jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx on the same host (or the load balancer's address) sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Requests are logged by Django (pingan.ops.middleware.RequestLogMiddleware) as JSON,
# without query strings; gunicorn's own access log would repeat them with query strings.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Uploads of photos up to 10 MB pass through nginx buffering first.
limit_request_line = 8190


def post_worker_init(worker):
    """Before the worker accepts a connection: load what its first requests would (the
    URLconf with every view, the templates, the translations: ~2 s of CPU that would
    otherwise land on the first people served after a start or a recycling;
    pingan/ops/warmup.py). Then what it has loaded lives as long as the worker: move it
    out of the garbage collector's sight, so that a full collection walks only what
    requests allocate (docs/performance.md, "10 M events")."""
    import gc

    from pingan.ops.warmup import warm

    done = warm()
    worker.log.info("warmed: %(templates)s templates, %(cpu_s)s s of CPU", done)
    gc.collect()
    gc.freeze()
