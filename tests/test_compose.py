"""docker-compose.yml cannot run here (no Docker); this checks what can be checked without it: every
command points at real code, one image for all app services, and .env.example documents the
environment the settings read."""

import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "static", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service) -> list[str]:
    command = service["command"]
    return command.split() if isinstance(command, str) else list(command)


def _env_example() -> dict[str, str | None]:
    """Variable → value for set lines, None for documented-but-commented lines ("# NAME=...")."""
    found: dict[str, str | None] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        set_line = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        commented = re.match(r"^#\s*([A-Z][A-Z0-9_]*)=", line)
        if set_line:
            found[set_line.group(1)] = set_line.group(2)
        elif commented:
            found.setdefault(commented.group(1), None)
    return found


def _variables_read_by(path: Path) -> set[str]:
    pattern = r"(?:env|env_bool|env_int|env_list|required|os\.environ\.get)\(\s*\"([A-Z][A-Z0-9_]*)\""
    return set(re.findall(pattern, path.read_text()))


def test_the_stack_has_every_service(compose):
    assert {"postgres", "redis", "mailpit", "migrate", "static", "web", "worker", "beat", "proxy"} <= set(
        compose["services"]
    )


def test_every_app_service_builds_the_same_image_from_the_dockerfile(compose):
    services = compose["services"]
    builds = {name: services[name].get("build") for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}

    assert all(build == {"context": ".", "dockerfile": "Dockerfile"} for build in builds.values()), builds
    assert len(images) == 1
    assert (ROOT / "Dockerfile").exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "pip install ." in dockerfile and "collectstatic" in dockerfile


def test_web_runs_gunicorn_on_our_wsgi_application_with_our_gunicorn_settings(compose):
    command = _command(compose["services"]["web"])

    assert command[0] == "gunicorn"
    assert command[1:3] == ["-c", "config/gunicorn.py"] and (ROOT / "config/gunicorn.py").exists()
    module_name, attribute = command[3].split(":")
    assert (module_name, attribute) == ("config.wsgi", "application")
    assert importlib.util.find_spec(module_name) is not None
    # not published: only the proxy reaches it
    assert "ports" not in compose["services"]["web"]


def test_the_proxy_runs_the_nginx_template_that_make_stack_runs(compose):
    from deploy.stack import PLACEHOLDER, TEMPLATE

    proxy = compose["services"]["proxy"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    template = mounts["/etc/nginx/templates/default.conf.template"]
    assert (ROOT / template).resolve() == TEMPLATE
    # every placeholder of the template has a value in the proxy's environment
    assert set(PLACEHOLDER.findall(TEMPLATE.read_text())) <= set(proxy["environment"])
    # it forwards to web's gunicorn port, and serves the volume the static job fills
    assert (
        proxy["environment"]["HAVEN_UPSTREAM"]
        == "web:" + compose["services"]["web"]["environment"]["GUNICORN_BIND"].split(":")[1]
    )
    assert mounts[proxy["environment"]["HAVEN_STATIC_ROOT"]] == "static"
    assert compose["services"]["static"]["volumes"] == ["static:/app/var/static"]
    assert _command(compose["services"]["static"])[:3] == ["python", "manage.py", "collectstatic"]
    assert sorted(proxy["ports"]) == ["443:443", "80:80"]


@pytest.mark.parametrize("name, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_celery_on_our_app(compose, name, subcommand):
    command = _command(compose["services"][name])

    assert command[:4] == ["celery", "-A", "config", subcommand]
    # `-A config` finds the app that config/__init__.py exports
    import config

    assert config.celery_app.main == "haven"


def test_migrate_runs_once_and_the_app_waits_for_it(compose):
    services = compose["services"]
    assert _command(services["migrate"])[:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_long_running_services_have_healthchecks(compose):
    services = compose["services"]
    for name in ("postgres", "redis", "mailpit", "web", "worker", "beat"):
        assert services[name].get("healthcheck", {}).get("test"), name
    web_check = services["web"]["healthcheck"]["test"]
    assert web_check[-2:] == ["-m", "config.healthcheck"]
    assert importlib.util.find_spec("config.healthcheck") is not None


def test_secrets_come_from_the_env_file(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        assert services[name]["env_file"] == ".env"
        assert "DJANGO_SECRET_KEY" not in (services[name].get("environment") or {})
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_the_env_example_sets_every_variable_production_requires():
    required = _variables_read_by(ROOT / "config/settings/production.py") & set(
        re.findall(r"required\(\"([A-Z0-9_]+)\"\)", (ROOT / "config/settings/production.py").read_text())
    )
    documented = _env_example()

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "STRIPE_SECRET_KEY"} <= required
    missing = sorted(name for name in required if not documented.get(name))
    assert not missing, f".env.example must set these required variables: {missing}"


def test_the_env_example_documents_every_variable_the_settings_read():
    read = _variables_read_by(ROOT / "config/settings/base.py") | _variables_read_by(
        ROOT / "config/settings/production.py"
    )
    documented = _env_example()

    missing = sorted(read - set(documented))
    assert not missing, f"add these to .env.example (commented with their default if optional): {missing}"


def test_the_postgres_credentials_match_the_database_url():
    env = _env_example()

    url = env["DATABASE_URL"]
    assert f"{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@postgres:5432/{env['POSTGRES_DB']}" in url
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["EMAIL_HOST"] == "mailpit"
