"""Test overrides only."""

import hashlib
import os
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
# Rate limits are tested on their own (pingan/core/tests/test_ratelimit.py) with low
# limits; the rest of the suite makes many requests from one address within a minute.
PINGAN_RATELIMIT_LOGIN = PINGAN_RATELIMIT_API = PINGAN_RATELIMIT_PUBLIC = ""
# No SMS gateway unless a test sets one (the local receiver).
PINGAN_SMS_GATEWAY_URL = PINGAN_SMS_GATEWAY_KEY = PINGAN_SMS_SIGN = ""

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared in-memory database: the live server used by the browser
    # tests answers each request in its own thread, and with an in-memory database every
    # thread shares the test's one connection (a transaction begun by one request is seen,
    # committed or broken by another). With a file each thread has its own connection, as
    # the web server, task worker and sweeper have in production. It lives in /dev/shm
    # where there is one (no disk writes); pytest-django adds _gw0, _gw1 for xdist workers.
    _shm = Path("/dev/shm")  # noqa: S108 (test databases only, named per checkout)
    _test_db_dir = Path(os.environ.get("PINGAN_TEST_DB_DIR", _shm if _shm.is_dir() else VAR_DIR))
    _checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]
    # Named by checkout and process: two runs at once (two clones, or a focused run beside
    # `make test`) never share a file.
    DATABASES["default"]["TEST"] = {
        "NAME": str(_test_db_dir / f"pingan-test-{_checkout}-{os.getpid()}.sqlite3")
    }
