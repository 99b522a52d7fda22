"""The production switches: each environment variable selects what the docs say."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils.module_loading import import_string

from pingan.ops import conf, db_router
from pingan.ops.logs import JsonFormatter, RedactFilter
from pingan.ops.middleware import ReplicaReadsMiddleware

# ---- database sessions ------------------------------------------------------------------


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_unless_told_otherwise():
    pg = {"ENGINE": "pingan.core.db.postgresql"}
    conf.pg_options({}, pg)
    assert pg["OPTIONS"]["options"] == "-c jit=off"
    mine = {"ENGINE": "pingan.core.db.postgresql"}
    conf.pg_options({"PG_OPTIONS": "-c work_mem=64MB"}, mine)
    assert mine["OPTIONS"]["options"] == "-c work_mem=64MB"
    kept = {"ENGINE": "pingan.core.db.postgresql"}
    conf.pg_options({"PG_OPTIONS": ""}, kept)
    assert "OPTIONS" not in kept
    sqlite = {"ENGINE": "django.db.backends.sqlite3"}
    conf.pg_options({}, sqlite)
    assert "OPTIONS" not in sqlite
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW jit")
            assert cur.fetchone()[0] == "off"


# ---- media storage --------------------------------------------------------------------


def test_media_stays_on_disk_unless_s3_is_asked_for():
    assert conf.media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_storage_from_the_environment_is_private_and_signed():
    storage = conf.media_storage(
        {
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "pingan-media",
            "S3_ENDPOINT_URL": "http://minio.internal:9000",
            "S3_ACCESS_KEY_ID": "key",
            "S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    backend = import_string(storage["BACKEND"])(**storage["OPTIONS"])
    assert backend.bucket_name == "pingan-media"
    assert backend.endpoint_url == "http://minio.internal:9000"
    assert backend.default_acl is None and backend.querystring_auth is True
    assert backend.file_overwrite is False
    # A link to a photo is signed and expires (no network needed to sign).
    url = backend.url("photos/2026/03/a.jpg")
    assert url.startswith("http://minio.internal:9000/pingan-media/media/photos/2026/03/a.jpg?")
    assert "Signature=" in url or "X-Amz-Signature=" in url


def test_s3_without_a_bucket_is_refused():
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        conf.media_storage({"MEDIA_STORAGE": "s3"})


# ---- task backend ---------------------------------------------------------------------


def test_tasks_default_to_the_database_queue():
    tasks, queues = conf.task_backend({})
    assert tasks["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend" and queues == {}


def test_tasks_move_to_redis_by_configuration():
    tasks, queues = conf.task_backend({"TASKS_BACKEND": "rq", "REDIS_URL": "redis://r:6379/2"})
    assert tasks["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert queues["default"]["URL"] == "redis://r:6379/2"
    import_string(tasks["default"]["BACKEND"])  # the backend is installed


# ---- replica --------------------------------------------------------------------------


def test_replica_is_configured_only_by_its_url():
    default = {"CONN_MAX_AGE": 60}
    assert conf.replica_database({}, default) is None
    replica = conf.replica_database(
        {"DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/pingan"}, default
    )
    assert replica["HOST"] == "10.0.0.2" and replica["USER"] == "reader"
    assert replica["TEST"] == {"MIRROR": "default"}


# ---- logs -----------------------------------------------------------------------------


def test_logs_are_json_lines_without_personal_data():
    record = logging.LogRecord(
        "pingan.test",
        logging.WARNING,
        __file__,
        1,
        "反映人电话 %s 身份证 %s 邮箱 %s",
        ("13812345678", "33042419900101123X", "li@example.cn"),
        None,
    )
    record.contact = "0573-86123456"
    assert RedactFilter().filter(record)
    line = JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="time").format(record)
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "pingan.test" and data["time"]
    assert data["message"] == "反映人电话 [手机号] 身份证 [身份证号] 邮箱 [邮箱]"
    assert data["contact"] == "[电话]"
    for secret in ("13812345678", "33042419900101123X", "li@example.cn", "86123456"):
        assert secret not in line


def test_event_codes_and_ids_are_not_mistaken_for_personal_data():
    from pingan.ops.logs import redact

    text = "事件 330424-20260302-000123 (id 1234567) 已派遣"
    assert redact(text) == text
    # A hex worker or request id may hold eleven digits that look like a mobile number.
    worker = "Worker 2a4feb9dd290472e8b18738776144eb7: started"
    assert redact(worker) == worker
    assert redact("电话13812345678，") == "电话[手机号]，"


def test_production_logs_json_by_default():
    cfg = conf.logging_config({}, production=True)
    assert cfg["formatters"]["main"]["()"] == "pingan.ops.logs.JsonFormatter"
    assert "redact" in cfg["handlers"]["console"]["filters"]
    assert "()" not in conf.logging_config({}, production=False)["formatters"]["main"]


# ---- the read replica router -----------------------------------------------------------


class Model:
    def __init__(self, app_label):
        self._meta = type("Meta", (), {"app_label": app_label})


EVENT, SESSION, USER = Model("events"), Model("sessions"), Model("accounts")


@pytest.fixture
def router():
    return db_router.ReplicaRouter()


def test_without_a_replica_everything_reads_the_primary(router, monkeypatch):
    monkeypatch.setattr(db_router, "has_replica", lambda: False)
    with db_router.replica_reads():
        assert router.db_for_read(EVENT) == "default"


def test_analytics_reads_of_event_tables_go_to_the_replica(router, monkeypatch):
    monkeypatch.setattr(db_router, "has_replica", lambda: True)
    assert router.db_for_read(EVENT) == "default"  # not an analytics read
    with db_router.replica_reads():
        assert router.db_for_read(EVENT) == "replica"
        assert router.db_for_read(Model("geo")) == "replica"
        # A lagging replica must never log someone out or accept a revoked token.
        assert router.db_for_read(SESSION) == "default"
        assert router.db_for_read(USER) == "default"
        assert router.db_for_write(EVENT) == "default"
    assert router.db_for_read(EVENT) == "default"
    assert router.allow_migrate("default", "events") is True
    assert router.allow_migrate("replica", "events") is False


@pytest.mark.django_db
def test_reads_inside_a_transaction_see_the_primary(router, monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(db_router, "has_replica", lambda: True)
    with db_router.replica_reads(), transaction.atomic():
        assert connection.in_atomic_block
        assert router.db_for_read(EVENT) == "default"


def test_only_analytics_gets_read_from_the_replica(settings):
    settings.PINGAN_REPLICA_PATHS = ["/api/v1/stats/"]
    seen = []
    mw = ReplicaReadsMiddleware(lambda request: seen.append(db_router.in_replica_reads()))
    rf = RequestFactory()
    mw(rf.get("/api/v1/stats/summary"))
    mw(rf.get("/api/v1/events"))
    mw(rf.post("/api/v1/stats/summary"))
    assert seen == [True, False, False]


# ---- readiness ----------------------------------------------------------------------


@pytest.mark.django_db
def test_ready_when_the_database_answers(client, settings):
    settings.REDIS_URL = ""
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ready" and r.json()["checks"]["database"]["ok"] is True
    assert "redis" not in r.json()["checks"]


@pytest.mark.django_db
def test_readiness_checks_redis_when_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    assert client.get("/readyz").json()["checks"]["redis"]["ok"] is True
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{dead}/0"
    r = client.get("/readyz")
    assert r.status_code == 503 and r["Retry-After"] == "10"
    assert r.json()["checks"]["redis"]["ok"] is False
    assert r.json()["checks"]["database"]["ok"] is True


def test_requests_are_logged_once_without_query_strings(client, caplog):
    with caplog.at_level(logging.INFO, logger="pingan.request"):
        r = client.get("/healthz?phone=13812345678", headers={"X-Request-ID": "abc123"})
    assert r["X-Request-ID"] == "abc123"
    [record] = [x for x in caplog.records if x.name == "pingan.request"]
    assert record.path == "/healthz" and record.status == r.status_code
    assert record.request_id == "abc123"
    assert "13812345678" not in record.getMessage()
