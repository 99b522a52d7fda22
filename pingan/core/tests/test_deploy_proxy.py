"""The real deploy configuration (issue 16, finding 2): gunicorn started with
deploy/gunicorn.conf.py on a Unix socket, as systemd starts it, answering requests that
carry the headers deploy/nginx sets (read from the shipped files, not typed again here);
and, where nginx is installed, nginx itself with deploy/nginx/pingan.conf changed only in
paths and ports.

Each client must be audited with its own address and counted in its own rate-limit bucket;
a header sent by a peer that is not the proxy must change nothing.

The server shares the test database (a file on SQLite), so the cast signs in there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import ipaddress
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from pingan.core import audit, pii
from pingan.core.models import AuditEntry

pytestmark = pytest.mark.slow  # a gunicorn process (and nginx) per test, ~10 s each

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX_DIR = DEPLOY / "nginx"
SITE = NGINX_DIR / "pingan.conf"
# The sign-in limit for these runs: low enough that one bucket overflows even when its
# one-minute window turns over during the run (2 × 10 < 32), so the test never depends
# on the moment it runs.
LOGIN_LIMIT = 10
MANY = 32


# ---- what the shipped nginx configuration says ---------------------------------------------


def _directives(text: str) -> list[str]:
    """The configuration's statements (comments removed, whitespace collapsed)."""
    text = re.sub(r"#[^\n]*", "", text)
    return [" ".join(s.split()) for s in re.split(r"[;{}]", text) if s.strip()]


def _location_root_params() -> Path:
    """The file the site's proxying `location /` includes for its proxy settings."""
    bodies = [m.group(1) for m in re.finditer(r"location / \{(.*?)\}", SITE.read_text(), re.S)]
    proxied = [b for b in bodies if "proxy_pass" in b]
    assert len(proxied) == 1, "one proxying `location /` expected in pingan.conf"
    includes = [d.split()[1] for d in _directives(proxied[0]) if d.startswith("include ")]
    assert len(includes) == 1, "`location /` should include the proxy parameters"
    include = includes[0]
    shipped = NGINX_DIR / Path(include).name
    assert shipped.is_file(), f"pingan.conf includes {include}, not shipped in deploy/nginx"
    return shipped


def proxy_set_headers() -> list[tuple[str, str]]:
    """(header, value with nginx variables) of every `proxy_set_header` nginx applies."""
    out = []
    for d in _directives(_location_root_params().read_text()):
        if d.startswith("proxy_set_header "):
            _, name, *value = d.split(" ")
            out.append((name, " ".join(value).strip('"')))
    assert out, "no proxy_set_header in the shipped proxy parameters"
    return out


def server_name() -> str:
    names = [d.split()[1] for d in _directives(SITE.read_text()) if d.startswith("server_name ")]
    assert names
    return names[0]


HOST = server_name()


def nginx_request_headers(*, client: str, sent: dict[str, str]) -> dict[str, str]:
    """The headers gunicorn receives when `client` sends `sent` to nginx over HTTPS: the
    client's own headers pass through (nginx forwards what it does not redefine), then
    each `proxy_set_header` of the shipped configuration, its variables evaluated."""
    forwarded = sent.get("X-Forwarded-For")
    variables = {
        "$proxy_add_x_forwarded_for": f"{forwarded}, {client}" if forwarded else client,
        "$host": HOST,
        "$scheme": "https",
        "$request_id": uuid.uuid4().hex,
    }
    headers = {k: v for k, v in sent.items() if k.lower() not in ("host", "connection")}
    for name, value in proxy_set_headers():
        for var, replacement in variables.items():
            value = value.replace(var, replacement)
        assert "$" not in value, f"nginx variable not known to this test: {name} {value}"
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        if value:  # an empty value means "do not send"
            headers[name] = value
    return headers


# ---- gunicorn with deploy/gunicorn.conf.py ---------------------------------------------------


def free_port(*hosts: str) -> int:
    """A TCP port free on every one of `hosts`."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            for host in hosts:
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                with socket.socket(family) as s:
                    s.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def database_url() -> str:
    """The test database, as DATABASE_URL for another process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        assert Path(s["NAME"]).is_file(), "the SQLite test database must be a file"
        return f"sqlite:///{s['NAME']}"
    user, password = quote(s["USER"] or ""), quote(s["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Reply:
    status: int
    body: bytes


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=30)
        self.path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        sock.connect(self.path)
        self.sock = sock


Headers = dict[str, str]


def send(
    conn: http.client.HTTPConnection, method: str, path: str, body: object, headers: Headers
) -> Reply:
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers = {**headers, "Content-Type": "application/json"}
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.read())
    finally:
        conn.close()


@dataclass
class Gunicorn:
    dir: Path
    socket: Path
    port: int
    log: Path

    def via_socket(self, method: str, path: str, body: object, headers: Headers) -> Reply:
        return send(UnixConnection(self.socket), method, path, body, headers)

    def via_tcp(self, method: str, path: str, body: object, headers: Headers) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return send(conn, method, path, body, headers)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait(ready: object, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if ready():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not answer within 60 s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def serving(bind: str) -> Iterator[Gunicorn]:
    """gunicorn as pingan-web.service starts it, on the shipped Unix socket (`bind="unix"`,
    in a temporary directory) or on a TCP port of 127.0.0.1 (`bind="tcp"`) that no proxy
    setting trusts, for a peer that is not nginx."""
    # A short directory: a Unix socket's path has at most 107 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="pingan-gu-"))
    server = Gunicorn(tmp, tmp / "gunicorn.sock", free_port("127.0.0.1"), tmp / "gunicorn.log")
    drop = {"DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL", "REDIS_URL", "TASKS_BACKEND"}
    # gunicorn keeps the machine's clock under make test-future (its arbiter's sleeps fail
    # with libfaketime): what is checked here is addresses, not times.
    drop |= {"LD_PRELOAD"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in drop and not k.startswith(("GUNICORN_", "FAKETIME"))
    }
    env.update(
        PINGAN_ENV="production",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url(),
        DB_CONN_MAX_AGE="0",
        PINGAN_VAR_DIR=str(tmp),
        MEDIA_ROOT=str(tmp / "media"),
        # The keys the cast's personal data was written with.
        PINGAN_PII_KEYS=",".join(pii.encryption_keys()),
        PINGAN_PII_INDEX_KEY=pii.index_key().decode(),
        # The key the test's audit chain is written with (required in production).
        PINGAN_AUDIT_KEY=audit.audit_key().decode(),
        # The Unix socket is trusted by default (PINGAN_TRUST_UNIX_SOCKET); no TCP peer is.
        GUNICORN_BIND=f"unix:{server.socket}" if bind == "unix" else f"127.0.0.1:{server.port}",
        GUNICORN_WORKERS="1",  # one process: the rate-limit counters (local memory) are one
        PINGAN_TRUSTED_PROXIES="",
        PINGAN_RATELIMIT_LOGIN=f"{LOGIN_LIMIT}/m",
        # gunicorn's control socket there too, not in the home directory.
        XDG_RUNTIME_DIR=str(tmp),
    )
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            [str(gunicorn_bin), "-c", str(DEPLOY / "gunicorn.conf.py"), "config.wsgi:application"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    call = server.via_socket if bind == "unix" else server.via_tcp
    probe = nginx_request_headers(client="192.0.2.1", sent={})
    try:
        _wait(
            lambda: call("GET", "/healthz", None, probe).status == 200, proc, "gunicorn", server.log
        )
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def signs_in(transactional_db, cast, settings) -> None:
    """The grid worker's password hashed as production hashes it (the test settings use
    a fast hasher that production does not accept)."""
    from django.contrib.auth.hashers import make_password

    from pingan.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    hashed = make_password(cast.password)
    User.objects.filter(pk=cast.gridworker.pk).update(password=hashed)


@pytest.fixture
def gunicorn(signs_in) -> Iterator[Gunicorn]:
    with serving("unix") as server:
        yield server


@pytest.fixture
def gunicorn_tcp(signs_in) -> Iterator[Gunicorn]:
    with serving("tcp") as server:
        yield server


def sign_in(call: Callable[..., Reply], username: str, password: str, headers: Headers) -> int:
    body = {"username": username, "password": password}
    return call("POST", "/api/v1/auth/token", body, headers).status


def audited_ips(action: str, result: str = "") -> list[str | None]:
    rows = AuditEntry.objects.filter(action=action)
    if result:
        rows = rows.filter(result=result)
    return list(rows.order_by("seq").values_list("ip", flat=True))


def _gunicorn_setting(name: str, env_name: str) -> str:
    """The shipped gunicorn configuration's `name`, as read without `env_name` set."""
    env = {k: v for k, v in os.environ.items() if k != env_name}
    out = subprocess.run(
        [sys.executable, "-c",
         f"import runpy; print(runpy.run_path('deploy/gunicorn.conf.py')[{name!r}])"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def test_the_shipped_nginx_and_gunicorn_configurations_agree():
    upstream = re.search(r"upstream pingan_app \{(.*?)\}", SITE.read_text(), re.S)
    assert upstream
    servers = [d.split()[1] for d in _directives(upstream.group(1)) if d.startswith("server ")]
    # nginx's upstream is gunicorn's default socket
    assert servers[0] == _gunicorn_setting("bind", "GUNICORN_BIND")
    names = {name.lower() for name, _ in proxy_set_headers()}
    assert "x-forwarded-for" in names  # what the application reads (docs/deploy.md)


def test_gunicorn_keeps_a_connection_longer_than_nginx_reuses_it():
    # If gunicorn closed an idle upstream connection first, nginx could send the next
    # request on it and a report (a POST, never retried) would fail with a 502.
    server_keeps = int(_gunicorn_setting("keepalive", "GUNICORN_KEEPALIVE"))
    for conf in sorted(NGINX_DIR.glob("*.conf")):
        upstream = re.search(r"upstream pingan_app \{(.*?)\}", conf.read_text(), re.S)
        if not upstream:
            continue
        timeouts = [d.split()[1] for d in _directives(upstream.group(1))
                    if d.startswith("keepalive_timeout ")]  # fmt: skip
        assert timeouts, f"{conf.name}: the upstream names its keepalive_timeout"
        assert int(timeouts[0].rstrip("s")) < server_keeps, conf.name


def test_behind_the_shipped_proxy_each_client_is_audited_and_limited_as_itself(gunicorn, cast):
    nginx = nginx_request_headers
    # A sign-in from 203.0.113.9: the audit row names that address.
    headers = nginx(client="203.0.113.9", sent={})
    assert sign_in(gunicorn.via_socket, "gw", cast.password, headers) == 200, gunicorn.tail()
    assert audited_ips("login", "ok") == ["203.0.113.9"]

    # A client writing its own X-Forwarded-For (and X-Real-IP) is still itself.
    spoof = {"X-Forwarded-For": "1.2.3.4", "X-Real-IP": "1.2.3.4"}
    headers = nginx(client="203.0.113.10", sent=spoof)
    assert sign_in(gunicorn.via_socket, "gw", "wrong-password", headers) == 401
    assert audited_ips("login", "failed") == ["203.0.113.10"]

    # 32 clients are 32 buckets: none is refused (one bucket would refuse 12 or more).
    clients = [f"198.51.100.{i}" for i in range(1, MANY + 1)]
    codes = [
        sign_in(gunicorn.via_socket, f"nobody{i}", "x", nginx(client=ip, sent={}))
        for i, ip in enumerate(clients)
    ]
    assert codes == [401] * MANY, gunicorn.tail()
    assert audited_ips("login", "failed")[1:] == clients

    # One client over the limit is refused, and the refusal names it.
    headers = nginx(client="192.0.2.77", sent={})
    codes = [sign_in(gunicorn.via_socket, f"again{i}", "x", headers) for i in range(MANY)]
    assert codes.count(429) >= MANY - 2 * LOGIN_LIMIT
    assert set(audited_ips("ratelimit")) == {"192.0.2.77"}


def test_a_forwarded_header_from_a_peer_that_is_not_the_proxy_is_ignored(gunicorn_tcp):
    codes = [
        sign_in(
            gunicorn_tcp.via_tcp,
            f"nobody{i}",
            "x",
            nginx_request_headers(client=f"198.51.100.{i}", sent={}),
        )
        for i in range(1, MANY + 1)
    ]
    # One peer, one bucket, whatever the header says.
    assert codes.count(429) >= MANY - 2 * LOGIN_LIMIT, gunicorn_tcp.tail()
    assert set(audited_ips("login")) | set(audited_ips("ratelimit")) == {"127.0.0.1"}


# ---- nginx itself (Debian's nginx package), when installed ------------------------------------

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _certificate(directory: Path) -> Path:
    """A self-signed certificate for the site's name and 127.0.0.1, where pingan.conf
    expects fullchain.pem and privkey.pem."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True)
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return directory / "fullchain.pem"


@dataclass
class Nginx:
    port: int
    cafile: Path

    def call(self, client: str, method: str, path: str, body: object, headers: Headers) -> Reply:
        context = ssl.create_default_context(cafile=str(self.cafile))
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=30, context=context, source_address=(client, 0)
        )
        return send(conn, method, path, body, {"Host": HOST, **headers})


@pytest.fixture
def nginx(gunicorn) -> Iterator[Nginx]:
    if NGINX is None:
        # make test-deps installs it (scripts/ensure-nginx.sh); a focused run elsewhere skips.
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: scripts/ensure-nginx.sh should have")
        pytest.skip("nginx is not installed (scripts/ensure-nginx.sh)")
    tmp = gunicorn.dir / "nginx"
    for d in ("log", "static", "www", "temp"):
        (tmp / d).mkdir(parents=True)
    cafile = _certificate(tmp / "ssl")
    v6 = _ipv6_loopback()
    hosts = ["127.0.0.1", *(["::1"] if v6 else [])]
    https = free_port(*hosts)
    http_port = https
    while http_port == https:
        http_port = free_port(*hosts)
    # The shipped site, changed only in paths and ports (and the IPv6 listens dropped on a
    # machine without IPv6).
    changes = {
        "unix:/run/pingan/gunicorn.sock": f"unix:{gunicorn.socket}",
        "/etc/nginx/proxy_params_pingan": str(NGINX_DIR / "proxy_params_pingan"),
        "/etc/ssl/pingan/": f"{tmp}/ssl/",
        "/var/log/nginx/": f"{tmp}/log/",
        "/var/lib/pingan/static/": f"{tmp}/static/",
        "/var/www/html": f"{tmp}/www",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": f"listen [::1]:{http_port};" if v6 else "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": f"listen [::1]:{https} ssl http2;" if v6 else "",
    }
    site = SITE.read_text()
    for old, new in changes.items():
        assert old in site, f"pingan.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    left = re.findall(r"(?<![\w.-])/(?:etc|var|run)/\S*", " ".join(_directives(site)))
    assert not left, f"system paths left in the adapted site: {left}"
    (tmp / "pingan.conf").write_text(site)
    # nginx.conf of the Debian package, reduced to what a process in a temporary
    # directory needs: its own pid file, error log and temporary files.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "".join(
        f"{kind}_temp_path {tmp}/temp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "nginx.conf").write_text(
        f"daemon off;\n{user}\npid {tmp}/nginx.pid;\nerror_log {tmp}/log/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n{temp}include {tmp}/pingan.conf;\n}}\n"
    )
    command = [NGINX, "-p", f"{tmp}/", "-c", str(tmp / "nginx.conf")]
    command += ["-e", str(tmp / "log/start.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = tmp / "log/error.log"
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Nginx(https, cafile)
    try:
        _wait(
            lambda: server.call("127.0.0.1", "GET", "/healthz", None, {}).status == 200,
            proc,
            "nginx",
            log,
        )
        yield server
    finally:
        _stop(proc)


def test_through_nginx_with_the_shipped_site_configuration(nginx, gunicorn, cast):
    # Clients are loopback addresses other than 127.0.0.1: Linux routes all of 127/8 to
    # the loopback interface, so each connection comes from its own address.
    def call(client: str, username: str, password: str, sent: dict[str, str] | None = None) -> int:
        def request(method: str, path: str, body: object, headers: dict[str, str]) -> Reply:
            return nginx.call(client, method, path, body, {**headers, **(sent or {})})

        return sign_in(request, username, password, {})

    assert call("127.0.0.9", "gw", cast.password) == 200, gunicorn.tail()
    assert audited_ips("login", "ok") == ["127.0.0.9"]
    spoof = {"X-Forwarded-For": "1.2.3.4", "X-Real-IP": "1.2.3.4"}
    assert call("127.0.0.10", "gw", "wrong-password", spoof) == 401
    assert audited_ips("login", "failed") == ["127.0.0.10"]

    clients = [f"127.0.1.{i}" for i in range(1, MANY + 1)]
    codes = [call(ip, f"nobody{i}", "x") for i, ip in enumerate(clients)]
    assert codes == [401] * MANY, gunicorn.tail()
    assert audited_ips("login", "failed")[1:] == clients

    codes = [call("127.0.0.77", f"again{i}", "x") for i in range(MANY)]
    assert codes.count(429) >= MANY - 2 * LOGIN_LIMIT
    assert set(audited_ips("ratelimit")) == {"127.0.0.77"}
