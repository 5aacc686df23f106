"""Warms the application before gunicorn forks its workers (config/wsgi.py calls `warm_up()` once the
application is loaded; with `preload_app` that happens in the master, so every worker inherits the
result). Without it each fresh worker spends its first request importing every URLconf and view
module (PDF, Stripe and API libraries among them), compiling templates and loading translation
catalogs: about a second, against a few milliseconds warm.

It opens no database or Redis connection: a connection made before fork would be shared by every
worker."""

from __future__ import annotations

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = {".html", ".txt"}


def _template_names(directory: Path) -> list[str]:
    return sorted(
        str(path.relative_to(directory))
        for path in directory.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
    )


def _template_folders() -> list[Path]:
    """The project's template folders: TEMPLATES' DIRS and the templates/ of the project's own apps
    (not those of installed libraries: allauth alone has hundreds that Haven overrides or never
    shows)."""
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.is_dir() and base in folder.resolve().parents:
            folders.append(folder)
    return folders


def warm_up() -> dict[str, float]:
    """Imports every URLconf (and so every view module), compiles the project's templates into the
    cached loader, and loads the translation catalogs. Returns seconds per step."""
    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    timings: dict[str, float] = {}
    started = time.perf_counter()
    resolver = get_resolver()
    _ = resolver.reverse_dict  # imports every included URLconf and view, builds the reverse lookup
    timings["urls"] = time.perf_counter() - started

    started = time.perf_counter()
    compiled = 0
    for engine in engines.all():
        for folder in _template_folders():
            for name in _template_names(folder):
                try:
                    engine.get_template(name)
                except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment or another engine's
                    continue
                compiled += 1
    timings["templates"] = time.perf_counter() - started

    started = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):  # merges every app's catalog, once
        translation.gettext("Sign in")
    timings["translations"] = time.perf_counter() - started
    logger.info(
        "Warmed up: URLconfs %.2fs, %d templates %.2fs, translations %.2fs",
        timings["urls"],
        compiled,
        timings["templates"],
        timings["translations"],
    )
    return timings
