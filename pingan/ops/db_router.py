"""Analytics reads go to the read replica when one is configured.

A read is an analytics read inside `replica_reads()` (set by
`pingan.ops.middleware.ReplicaReadsMiddleware` for the paths in
settings.PINGAN_REPLICA_PATHS, or by code). Only the tables of REPLICA_APPS are read there.
Everything else, every write, every read inside a transaction on the primary (it must
see its own writes), and everything when no `replica` database is configured, goes to
`default`. Only `default` is migrated.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
# Only these apps' tables are read from the replica. Sessions, users, tokens, memberships
# and the task queue always come from the primary: a lagging replica must never log a
# user out, accept a revoked token or widen a revoked scope.
REPLICA_APPS = frozenset({"events", "geo", "analytics"})

_analytics = contextvars.ContextVar("pingan_replica_reads", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in the block may be served by the replica (seconds behind the primary)."""
    token = _analytics.set(True)
    try:
        yield
    finally:
        _analytics.reset(token)


def in_replica_reads() -> bool:
    return _analytics.get()


def has_replica() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not (in_replica_reads() and has_replica()):
            return PRIMARY
        if model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
