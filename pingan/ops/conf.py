"""Production settings read from the environment: pure functions of a mapping, so that
each switch is tested without reloading settings. `config/settings.py` calls them.

Nothing here imports Django models; it runs while settings load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dj_database_url
from dj_database_url import DBConfig

DB_TASKS = "django_tasks_db.DatabaseBackend"
RQ_TASKS = "django_tasks_rq.RQBackend"


def pg_options(env: Mapping[str, str], config: DBConfig) -> None:
    """Session settings for a PostgreSQL connection (libpq `options`), from PG_OPTIONS;
    by default `-c jit=off`: Pingan's statements are short, and JIT compiled the plan of
    any aggregate PostgreSQL costed high (a county's rollup rows) for 25–30 ms, more
    than some of those statements take to run. PG_OPTIONS="" keeps the server's own."""
    if "postgresql" not in str(config.get("ENGINE", "")):
        return
    options = env.get("PG_OPTIONS", "-c jit=off").strip()
    if options:
        config.setdefault("OPTIONS", {})["options"] = options


def replica_database(env: Mapping[str, str], default: Mapping[str, Any]) -> DBConfig | None:
    """The `replica` database from DATABASE_REPLICA_URL, or None when there is none.

    The replica is a read-only PostgreSQL standby; Django never migrates it and its test
    database mirrors `default` (analytics reads in tests hit the same rows)."""
    url = env.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    replica = dj_database_url.parse(
        url,
        conn_max_age=default.get("CONN_MAX_AGE", 0) or 0,
        conn_health_checks=True,
    )
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def task_backend(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(TASKS, RQ_QUEUES). TASKS_BACKEND=rq (or the class path) with REDIS_URL moves the
    task queue to Redis; the task code is the same. The default is the database queue."""
    name = env.get("TASKS_BACKEND", "").strip()
    if name.lower() == "rq":
        name = RQ_TASKS
    name = name or DB_TASKS
    queues: dict[str, Any] = {}
    if name == RQ_TASKS:
        url = env.get("TASKS_REDIS_URL") or env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        queues = {
            "default": {
                "URL": url,
                "DEFAULT_TIMEOUT": int(env.get("TASKS_TIMEOUT_S", "600")),
            }
        }
    return {"default": {"BACKEND": name}}, queues


def media_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """STORAGES["default"]: the local disk (MEDIA_ROOT), or an S3-compatible bucket
    (MinIO, Ceph RGW, a cloud object store) when MEDIA_STORAGE=s3. Photos are private:
    no public ACL, links are signed and expire."""
    if env.get("MEDIA_STORAGE", "").strip().lower() != "s3":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env.get("S3_BUCKET", "").strip()
    if not bucket:
        raise RuntimeError("MEDIA_STORAGE=s3 needs S3_BUCKET")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(env.get("S3_URL_EXPIRE_S", "3600")),
        "file_overwrite": False,
        "location": env.get("S3_PREFIX", "media"),
    }
    for key, option in (
        ("S3_ENDPOINT_URL", "endpoint_url"),
        ("S3_REGION", "region_name"),
        ("S3_ACCESS_KEY_ID", "access_key"),
        ("S3_SECRET_ACCESS_KEY", "secret_key"),
        ("S3_ADDRESSING_STYLE", "addressing_style"),
    ):
        if env.get(key):
            options[option] = env[key]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def logging_config(env: Mapping[str, str], *, production: bool) -> dict[str, Any]:
    """One JSON object per line on stderr (LOG_FORMAT=json, the default in production) or
    plain text; personal data (phone numbers, ID numbers, e-mail addresses) is masked in
    every record by `pingan.ops.logs.RedactFilter`."""
    fmt = env.get("LOG_FORMAT", "json" if production else "text").strip().lower()
    formatter = (
        {
            "()": "pingan.ops.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",
        }
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "pingan.ops.logs.RedactFilter"}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Requests are logged once, by pingan.ops.middleware.RequestLogMiddleware.
            "django.server": {"level": "WARNING"},
            "gunicorn.access": {"level": "WARNING"},
        },
    }
