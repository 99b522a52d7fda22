"""Backup and restore of the database and the media files.

A backup is a directory:

    manifest.json      what was taken, when, the row counts of the tables that matter
    database.dump      PostgreSQL: `pg_dump --format=custom` (restored with pg_restore
                       and psql, in one transaction)
    database.sqlite3   SQLite: a consistent copy made with SQLite's online backup API
    media/             the photos and thumbnails (local storage; an S3 bucket is backed
                       up by the object store itself: versioning and replication)

Restore replaces the database and the media with the backup's, then checks the row
counts against the manifest. Point-in-time recovery (WAL archiving) is in docs/deploy.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

FORMAT = 1
# Tables whose rows a restore must bring back, counted in the manifest and checked after.
COUNTED = (
    "events.Event",
    "events.EventTransition",
    "events.Attachment",
    "events.Assignment",
    "core.AuditEntry",
    "accounts.User",
    "geo.Region",
    "notifications.Delivery",
)


class BackupError(Exception):
    pass


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库：{vendor}")
    return vendor


def _pg_env_args(alias: str = "default") -> tuple[dict[str, str], list[str], str]:
    s = connections[alias].settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["-h", str(s["HOST"])]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    return env, args, str(s["NAME"])


# pg_restore --clean drops a partition's primary key before its table, which PostgreSQL
# refuses for a partition of a partitioned table (the events, docs/adr/0006-partitioning.md).
# So the restore script is run through psql after dropping the partitioned tables (their
# partitions go with them); the rest of the clean-up is the script's own DROP ... IF EXISTS.
# One transaction: a failed restore leaves the database as it was.
DROP_PARTITIONED_SQL = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS t FROM pg_class c
             WHERE c.relkind = 'p' AND NOT c.relispartition
               AND c.relnamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('DROP TABLE %s CASCADE', r.t);
    END LOOP;
END
$$
"""


def _pg_restore(env: dict[str, str], args: list[str], name: str, db_file: Path) -> None:
    script = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "-f",
        "-",
        str(db_file),
    ]
    apply = [
        "psql",
        *args,
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "--single-transaction",
        "-c",
        DROP_PARTITIONED_SQL,
        "-f",
        "-",
        "-d",
        name,
    ]
    with subprocess.Popen(  # noqa: S603
        script, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as source:
        applied = subprocess.run(  # noqa: S603
            apply,
            env=env,
            stdin=source.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if source.stdout is not None:
            source.stdout.close()
        source_err = source.stderr.read() if source.stderr is not None else b""
        source.wait()
    if source.returncode != 0:
        detail = source_err.decode(errors="replace").strip()[:2000]
        raise BackupError(f"pg_restore 失败（{source.returncode}）：{detail}")
    if applied.returncode != 0:
        errors = [
            line
            for line in applied.stderr.decode(errors="replace").splitlines()
            if "NOTICE" not in line
        ]
        raise BackupError(f"psql 恢复失败（{applied.returncode}）：{chr(10).join(errors)[:2000]}")


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败（{proc.returncode}）：{proc.stderr.strip()[:2000]}")


def row_counts(alias: str = "default") -> dict[str, int]:
    return {
        label: apps.get_model(label).objects.using(alias).count()  # type: ignore[attr-defined]
        for label in COUNTED
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _media_root() -> Path | None:
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def backup_create(*, output: Path | str, alias: str = "default") -> dict[str, Any]:
    """Write a backup into `output` (created; must be empty); returns the manifest."""
    out = Path(output)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"目标目录不为空：{out}")
    out.mkdir(parents=True, exist_ok=True)
    engine = _engine(alias)
    counts = row_counts(alias)
    if engine == "postgresql":
        env, args, name = _pg_env_args(alias)
        db_file = out / "database.dump"
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(db_file),
                name,
            ],
            env,
        )
    else:
        db_file = out / "database.sqlite3"
        conn = connections[alias]
        conn.ensure_connection()
        target = sqlite3.connect(db_file)
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    media_files = 0
    media = _media_root()
    if media is not None and media.exists():
        shutil.copytree(media, out / "media")
        media_files = sum(1 for p in (out / "media").rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "engine": engine,
        "database_file": db_file.name,
        "database_sha256": _sha256(db_file),
        "media": "local" if media is not None else "object-store",
        "media_files": media_files,
        "counts": counts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def read_manifest(source: Path | str) -> dict[str, Any]:
    src = Path(source)
    path = src / "manifest.json"
    if not path.exists():
        raise BackupError(f"不是备份目录（缺少 manifest.json）：{src}")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不支持")
    db_file = src / manifest["database_file"]
    if not db_file.exists() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError("数据库备份文件缺失或校验不符")
    return manifest


def backup_restore(*, source: Path | str, alias: str = "default") -> dict[str, Any]:
    """Replace the database and the media with the backup in `source`; returns the
    manifest. Raises BackupError when the backup is damaged, of another engine, or the
    restored row counts differ from the manifest's."""
    src = Path(source)
    manifest = read_manifest(src)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {engine}")
    conn = connections[alias]
    if conn.in_atomic_block:
        raise BackupError("不能在事务中恢复")
    db_file = src / manifest["database_file"]
    if engine == "postgresql":
        conn.close()
        env, args, name = _pg_env_args(alias)
        _pg_restore(env, args, name, db_file)
    else:
        conn.ensure_connection()
        source_db = sqlite3.connect(db_file)
        try:
            source_db.backup(conn.connection)
        finally:
            source_db.close()
    media = _media_root()
    if media is not None and (src / "media").exists():
        if media.exists():
            shutil.rmtree(media)
        shutil.copytree(src / "media", media)
    restored = row_counts(alias)
    if restored != manifest["counts"]:
        raise BackupError(f"恢复后行数与备份不符：{restored} ≠ {manifest['counts']}")
    return manifest
