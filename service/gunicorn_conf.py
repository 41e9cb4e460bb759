"""gunicorn settings for `qingfeng serve` (`-c python:service.gunicorn_conf`); workers and threads come from
the command line, everything else from here."""

from __future__ import annotations

import os

worker_class = "gthread"  # threads serve concurrent requests of one process (waits on the database, slow clients)
timeout = int(os.environ.get("QINGFENG_WORKER_TIMEOUT", "60"))  # a worker stuck this long is replaced
graceful_timeout = 30  # on SIGTERM (and Ctrl-C via `qingfeng serve`), requests in flight may finish
keepalive = 5
max_requests = int(os.environ.get("QINGFENG_MAX_REQUESTS", "0"))  # 0: workers are never recycled
max_requests_jitter = max_requests // 10
# A reverse proxy on these addresses may say the original scheme (X-Forwarded-Proto: https), so links
# and the Secure cookie are right behind TLS termination.
forwarded_allow_ips = os.environ.get("QINGFENG_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True  # gunicornc is not used; one shared socket path would clash between instances
accesslog = None  # the app logs one JSON line per request, with its request id
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "service.observability.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False,
                                   "qualname": "gunicorn.error"},
                "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False,
                                    "qualname": "gunicorn.access"}},
}
if os.environ.get("QINGFENG_LOG_FORMAT", "json").lower() == "text":
    logconfig_dict = {}


def child_exit(_server, worker) -> None:
    """Drop a dead worker's live gauges from the shared Prometheus files (its counters stay summed in)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
