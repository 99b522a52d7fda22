"""The password hasher: Argon2id with OWASP's parameters (docs/performance.md, "Sign-in").

Django's `Argon2PasswordHasher` uses m = 100 MiB, t = 2, p = 8: about 190 ms of CPU per
sign-in on the county server's cores, five sign-ins a second per core, and 100 MiB per
sign-in in flight. A shift change (a county's 1,800 grid workers within ten minutes, in
bursts) would queue behind it. OWASP's Password Storage Cheat Sheet gives Argon2id with
m = 19 MiB, t = 2, p = 1 as its first configuration (≈ 19 ms of CPU here).

The algorithm name stays "argon2": stored hashes carry their own parameters, so a
password hashed with Django's defaults still verifies, and Django re-hashes it with these
parameters at the next successful sign-in (`must_update` compares the parameters).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19,456 KiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet)."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
