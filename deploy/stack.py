"""`make stack` (`python -m deploy.stack`): Haven as deployed, on this machine, until Ctrl-C.

- PostgreSQL: the machine's server, its own database (`DATABASE_URL`, default `haven_stack`, created
  if missing); Redis: the machine's (`REDIS_URL`), broker and cache.
- gunicorn with production settings (config/gunicorn.py: preloaded and warmed, WEB_CONCURRENCY
  workers) behind Debian's nginx, configured from deploy/nginx/haven.conf.template, the file that
  docker-compose's proxy uses: TLS ends at nginx with a certificate made here for localhost by a CA
  made here, X-Forwarded-For/-Proto to the app, static files from collectstatic's output.
- Celery workers (CELERY_WORKERS processes of CELERY_WORKER_CONCURRENCY) and exactly one beat.
- The two things this machine has no real one of: Stripe (the devstripe stand-in; the only setting
  that differs from production, config/settings/stack.py) and a mail relay (aiosmtpd writing every
  message into a Maildir).

Everything it makes lives in HAVEN_STACK_DIR (default var/stack). The processes run under the same
supervisor as `manage.py demo` (core/processes.py): Ctrl-C or SIGTERM stops them all, and they go
with it if it is killed. When everything answers, it prints the addresses and writes
<stack dir>/ready.json."""

from __future__ import annotations

import datetime
import ipaddress
import json
import mailbox
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from core.processes import Supervisor, port_is_free, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "haven.conf.template"
WEBHOOK_SECRET = "whsec_stack_haven_local_only"  # noqa: S105 - shared with the local stand-in only
PLACEHOLDER = re.compile(r"\$\{(HAVEN_[A-Z0-9_]+)\}")


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "")
    return int(value) if value.strip() else default


@dataclass(frozen=True)
class StackConfig:
    """Where everything listens and lives; each from the environment, with a default."""

    directory: Path
    host: str
    https_port: int
    http_port: int
    app_port: int
    stripe_port: int
    smtp_port: int
    database_url: str
    redis_url: str
    web_concurrency: int
    workers: int
    worker_concurrency: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> StackConfig:
        environ = os.environ if environ is None else environ
        return cls(
            directory=Path(environ.get("HAVEN_STACK_DIR", ROOT / "var" / "stack")).resolve(),
            host=environ.get("HAVEN_STACK_HOST", "localhost"),
            https_port=_env_int(environ, "HAVEN_STACK_HTTPS_PORT", 8443),
            http_port=_env_int(environ, "HAVEN_STACK_HTTP_PORT", 8080),
            app_port=_env_int(environ, "HAVEN_STACK_APP_PORT", 8001),
            stripe_port=_env_int(environ, "HAVEN_STACK_STRIPE_PORT", 12112),
            smtp_port=_env_int(environ, "HAVEN_STACK_SMTP_PORT", 8025),
            database_url=environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haven_stack"),
            redis_url=environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            web_concurrency=_env_int(environ, "WEB_CONCURRENCY", 2),
            workers=_env_int(environ, "CELERY_WORKERS", 1),
            worker_concurrency=_env_int(environ, "CELERY_WORKER_CONCURRENCY", 2),
        )

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.https_port}"

    @property
    def tls_dir(self) -> Path:
        return self.directory / "tls"

    @property
    def maildir(self) -> Path:
        return self.directory / "mail"

    @property
    def log_dir(self) -> Path:
        return self.directory / "log"


# --- TLS -------------------------------------------------------------------------------------------


def tls_make(config: StackConfig) -> None:
    """A CA of this stack and a certificate for localhost and 127.0.0.1 signed by it (made once, kept
    in <stack dir>/tls/). Clients trust ca.pem (SSL_CERT_FILE, requests' verify=); nginx serves
    chain.pem (the certificate, then the CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = config.tls_dir
    if (folder / "chain.pem").exists() and (folder / "key.pem").exists() and (folder / "ca.pem").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Haven stack local CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    if config.host not in {"localhost", "127.0.0.1"}:
        names.append(x509.DNSName(config.host))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, config.host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(pem))
    (folder / "chain.pem").write_bytes(certificate.public_bytes(pem) + ca.public_bytes(pem))
    key_path = folder / "key.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def tls_spki_hash(config: StackConfig) -> str:
    """base64(sha256(SubjectPublicKeyInfo)) of the site's certificate, for chromium's
    --ignore-certificate-errors-spki-list (a browser that trusts exactly this key)."""
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certificate = x509.load_pem_x509_certificate((config.tls_dir / "cert.pem").read_bytes())
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


# --- nginx -----------------------------------------------------------------------------------------


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def render_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with our template: replace the ${HAVEN_*} placeholders
    that have a value; leave nginx's own $variables alone. A placeholder without a value is an error
    here (envsubst would leave it in, and nginx would refuse the file less clearly)."""
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _nginx_user() -> tuple[str, str] | None:
    """Started as root, nginx's workers drop to `nobody` (they need to read the static files, which
    collectstatic leaves world-readable, and write their temp folders); otherwise they run as us."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd

    nobody = pwd.getpwnam("nobody")
    return nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name


def nginx_configure(config: StackConfig, static_root: Path) -> Path:
    """Writes <stack dir>/nginx/{haven.conf,nginx.conf}; returns the main file."""
    folder = config.directory / "nginx"
    user = _nginx_user()
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "temp" / sub).mkdir(parents=True, exist_ok=True)
        if user:  # nginx's workers write request bodies and buffered responses here
            shutil.chown(folder / "temp" / sub, *user)
    config.log_dir.mkdir(parents=True, exist_ok=True)
    site = render_template(
        TEMPLATE.read_text(),
        {
            "HAVEN_UPSTREAM": f"127.0.0.1:{config.app_port}",
            "HAVEN_LISTEN_ADDRESS": "127.0.0.1",
            "HAVEN_SERVER_NAME": f"{config.host} 127.0.0.1",
            "HAVEN_HTTP_PORT": str(config.http_port),
            "HAVEN_HTTPS_PORT": str(config.https_port),
            "HAVEN_TLS_CERTIFICATE": str(config.tls_dir / "chain.pem"),
            "HAVEN_TLS_CERTIFICATE_KEY": str(config.tls_dir / "key.pem"),
            "HAVEN_STATIC_ROOT": str(static_root),
            "HAVEN_ACCESS_LOG": str(config.log_dir / "nginx-access.log"),
        },
    )
    (folder / "haven.conf").write_text(site)
    mime_types = "/etc/nginx/mime.types"
    temp = folder / "temp"
    main = f"""# Written by deploy/stack.py: nginx in the foreground, everything under {folder}.
daemon off;
master_process on;
worker_processes 2;
pid {folder / "nginx.pid"};
error_log stderr warn;
{f"user {user[0]} {user[1]};" if user else ""}

events {{
    worker_connections 1024;
}}

http {{
    {"include " + mime_types + ";" if Path(mime_types).exists() else ""}
    default_type application/octet-stream;
    sendfile on;
    # Each server of haven.conf logs to {config.log_dir / "nginx-access.log"} (secrets redacted).
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};

    include {folder / "haven.conf"};
}}
"""
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


# --- the app's environment -------------------------------------------------------------------------


def _secret_key(config: StackConfig) -> str:
    path = config.directory / "secret-key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def app_environment(config: StackConfig) -> dict[str, str]:
    """What gunicorn, the workers and beat run with: production settings (+ the stand-in)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.stack",
        "DJANGO_SECRET_KEY": _secret_key(config),
        "DJANGO_ALLOWED_HOSTS": f"{config.host},127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": config.origin,
        "HAVEN_SITE_URL": config.origin,
        "HAVEN_TRUSTED_PROXY_COUNT": "1",
        "HAVEN_VAR_DIR": str(config.directory),
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "STRIPE_SECRET_KEY": "sk_test_stack",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_stack",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": f"http://127.0.0.1:{config.stripe_port}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(config.smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "Haven <hello@haven.example>",
        "WEB_CONCURRENCY": str(config.web_concurrency),
        "GUNICORN_BIND": f"127.0.0.1:{config.app_port}",
        "PYTHONUNBUFFERED": "1",
    }


def database_ensure(url: str) -> None:
    """Creates the database of `url` if the server does not have it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- running ---------------------------------------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own argv
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def _https_ok(config: StackConfig, path: str) -> bool:
    context = ssl.create_default_context(cafile=str(config.tls_dir / "ca.pem"))
    try:
        with urllib.request.urlopen(  # noqa: S310 - our own https URL
            f"https://127.0.0.1:{config.https_port}{path}", context=context, timeout=5
        ) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_healthy(config: StackConfig, supervisor: Supervisor, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not supervisor.dead_child() and not supervisor.stop_requested:
        if _https_ok(config, "/healthz"):
            return True
        time.sleep(0.3)
    return False


def run(config: StackConfig, out=sys.stdout) -> int:
    nginx = nginx_binary()
    if nginx is None:
        raise SystemExit("nginx is missing: run deploy/install-nginx.sh (what `make stack` does).")
    ports = {
        "https (nginx)": config.https_port,
        "http (nginx)": config.http_port,
        "gunicorn": config.app_port,
        "Stripe stand-in": config.stripe_port,
        "mail catcher": config.smtp_port,
    }
    busy = [f"{port} ({what})" for what, port in ports.items() if not port_is_free("127.0.0.1", port)]
    if busy:
        raise SystemExit(f"In use: {', '.join(busy)}. Stop what uses them or set HAVEN_STACK_*_PORT.")

    os.chdir(ROOT)  # manage.py, `-A config` and config/gunicorn.py are found from here
    config.directory.mkdir(parents=True, exist_ok=True)
    (config.directory / "ready.json").unlink(missing_ok=True)
    mailbox.Maildir(config.maildir, create=True)  # with its cur/, new/ and tmp/
    tls_make(config)
    env = {**os.environ, **app_environment(config)}
    supervisor = Supervisor(env=env, log_dir=config.log_dir, out=out, log_prefix="stack", label="stack")
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    python = sys.executable
    started = time.monotonic()
    try:
        supervisor.say(f"Database {config.database_url}; Redis {config.redis_url}")
        database_ensure(config.database_url)
        supervisor.say("Migrating, collecting static files…")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        nginx_conf = nginx_configure(config, config.directory / "static")
        subprocess.run([nginx, "-t", "-q", "-c", str(nginx_conf)], check=True)  # noqa: S603

        supervisor.start(
            "mail",
            [python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{config.smtp_port}"]
            + ["-c", "aiosmtpd.handlers.Mailbox", str(config.maildir)],
        )
        supervisor.start(
            "stripe",
            [python, "-m", "devstripe", "--port", str(config.stripe_port)]
            + ["--webhook-url", f"{config.origin}/stripe/webhook/", "--webhook-secret", WEBHOOK_SECRET],
            # The stand-in delivers webhooks through nginx, trusting this stack's CA.
            env={**env, "SSL_CERT_FILE": str(config.tls_dir / "ca.pem")},
        )
        # The app's processes are started again if they die (as compose's restart policy does);
        # anything else exiting stops the stack.
        web = supervisor.start(
            "web",
            [python, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
            restart=True,
        )
        for number in range(1, config.workers + 1):
            supervisor.start(
                f"worker{number}" if config.workers > 1 else "worker",
                [python, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
                + [f"--concurrency={config.worker_concurrency}", "-n", f"stack{number}@%h"],
                restart=True,
            )
        supervisor.start(
            "beat",
            [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
            + ["-s", str(config.directory / "celerybeat-schedule")],
            restart=True,
        )
        supervisor.start("nginx", [nginx, "-c", str(nginx_conf)])

        if not wait_for_port("127.0.0.1", config.app_port, 60, alive=lambda: web.alive):
            raise SystemExit("gunicorn did not start; see the [web] lines above.")
        if not _wait_healthy(config, supervisor, timeout=60):
            if supervisor.stop_requested:
                supervisor.stop_all()
                return 0
            supervisor.say("The stack did not become healthy (GET /healthz through nginx); stopping.")
            supervisor.stop_all()
            return 1
        _banner(supervisor, config, time.monotonic() - started)
        ready = {
            "origin": config.origin,
            "pids": {child.name: child.process.pid for child in supervisor.children},
            "ca": str(config.tls_dir / "ca.pem"),
            "maildir": str(config.maildir),
        }
        (config.directory / "ready.json").write_text(json.dumps(ready))
        code = supervisor.wait()
    except BaseException:
        supervisor.stop_all()
        raise
    finally:
        (config.directory / "ready.json").unlink(missing_ok=True)
    supervisor.say("Stopped.")
    return code


def _banner(supervisor: Supervisor, config: StackConfig, seconds: float) -> None:
    text = f"""
  Haven (production settings) is running, started in {seconds:.0f} s.
  Site             {config.origin}/   (TLS by nginx; trust {config.tls_dir / "ca.pem"})
  Plain HTTP       http://{config.host}:{config.http_port}/ redirects to HTTPS
  Health           {config.origin}/healthz
  Admin            {config.origin}/admin/   (create a user: DATABASE_URL=... manage.py createsuperuser)
  gunicorn         http://127.0.0.1:{config.app_port}/ ({config.web_concurrency} workers, not for browsers)
  Stripe stand-in  http://127.0.0.1:{config.stripe_port}/   test card 4242 4242 4242 4242
  Mail             every message in {config.maildir} (Maildir, SMTP on 127.0.0.1:{config.smtp_port})
  Logs             {config.log_dir}/stack-*.log

  Press Ctrl-C to stop everything.
"""
    for line in text.splitlines():
        supervisor.say(line)


def main() -> int:
    return run(StackConfig.from_environment())


if __name__ == "__main__":
    sys.exit(main())
