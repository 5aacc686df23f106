"""The translation catalogues (locale/<lang>/LC_MESSAGES/django.po and djangojs.po): how they are
made from the code, and the checks CI runs on them (tests/test_catalogue.py).

`manage.py catalogue update` rewrites them from the code (then translate what is new);
`manage.py catalogue check` fails when they are out of date, or when a language has an entry that is
untranslated or fuzzy. The stand-in payment service (devstripe), the tests and the benchmarks are not
part of the site and are not translated.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

IGNORE = [".venv/*", "var/*", "tests/*", "bench/*", "devstripe/*", "deploy/*", "node_modules/*"]
DOMAINS = ("django", "djangojs")


def translated_languages() -> list[str]:
    """Every language but the default (the code is written in it)."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGES[0][0]]


def makemessages(root: Path) -> None:
    """Run Django's makemessages in `root` (a checkout) for every translated language and domain."""
    for domain in DOMAINS:
        command = [
            sys.executable,
            "manage.py",
            "makemessages",
            "--no-obsolete",
            "--no-location",
            "-d",
            domain,
        ]
        for language in translated_languages():
            command += ["-l", language]
        for pattern in IGNORE:
            command += ["--ignore", pattern]
        if domain == "djangojs":
            command += ["--ignore", "static/admin/*"]
        subprocess.run(command, cwd=root, check=True, capture_output=True)  # noqa: S603 (our own arguments)


def _entries(path: Path) -> dict[tuple[str | None, str], object]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalogue if m.id}


def problems(root: Path | None = None) -> list[str]:
    """What is wrong with the catalogues in `root` (default: this checkout): entries the code has and
    the catalogue lacks (or the reverse), and untranslated or fuzzy entries."""
    root = Path(root or settings.BASE_DIR)
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "checkout"
        shutil.copytree(
            root,
            copy,
            ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "__pycache__", "*.mo"),
            symlinks=True,
        )
        makemessages(copy)
        for language in translated_languages():
            for domain in DOMAINS:
                relative = Path("locale") / language / "LC_MESSAGES" / f"{domain}.po"
                fresh, current = _entries(copy / relative), _entries(root / relative)
                for key in sorted(fresh.keys() - current.keys(), key=str):
                    found.append(f"{relative}: missing {_show(key)} (run `manage.py catalogue update`)")
                for key in sorted(current.keys() - fresh.keys(), key=str):
                    found.append(f"{relative}: no longer in the code {_show(key)}")
    for language in translated_languages():
        for domain in DOMAINS:
            relative = Path("locale") / language / "LC_MESSAGES" / f"{domain}.po"
            for key, message in _entries(root / relative).items():
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.fuzzy:
                    found.append(f"{relative}: fuzzy {_show(key)}")
                elif not all(strings):
                    found.append(f"{relative}: untranslated {_show(key)}")
    return found


def _show(key) -> str:
    context, msgid = key
    return repr(msgid) + (f" (context {context!r})" if context else "")


def compile_catalogues(root: Path | None = None, *, only_stale: bool = False) -> None:
    """Build the .mo files of locale/ (what `make install`, the demo, the image and CI run; the .mo
    files are not committed: they are built from the .po files, which are). `only_stale`: only when
    a .po is newer than its .mo (the tests call this, so an edited .po is always what they see)."""
    root = Path(root or settings.BASE_DIR)
    for po in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603, S607
