"""Test overrides only."""

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
