"""Every message leaves through the outbox (messaging): no other code hands mail to Django's email
backends or to an SMTP server. Read from the source (every module of every project package, imports
inside functions included), so a new direct send fails here before it reaches review."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The outbox's channels, and the demo's mail catcher (a backend: it receives mail, it sends none).
ALLOWED = {"messaging", "core/mail.py"}
SENDING_NAMES = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}
SENDING_MODULES = {"django.core.mail", "smtplib"}


def _project_modules():
    for package in sorted(p.parent for p in ROOT.glob("*/__init__.py")):
        if package.name in {"tests"} or package.name.startswith("."):
            continue
        for path in package.rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if any(relative == allowed or relative.startswith(allowed + "/") for allowed in ALLOWED):
                continue
            if "/migrations/" in relative:
                continue
            yield relative, ast.parse(path.read_text(), filename=relative)


def _direct_sends(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in SENDING_MODULES | {"django.core"}:
            names = {alias.name for alias in node.names}
            if node.module == "django.core":
                names &= {"mail"}
            elif node.module == "django.core.mail":
                names &= SENDING_NAMES
            if names:
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in SENDING_MODULES:
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in SENDING_NAMES:
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id == "mail":
                found.append(f"line {node.lineno}: mail.{node.attr}")
    return found


def test_the_scan_reads_the_project_and_would_see_a_direct_send():
    modules = dict(_project_modules())
    assert "volunteers/services/booking.py" in modules and "donations/services/receipts.py" in modules
    sneaky = ast.parse(
        "def f():\n    from django.core.mail import send_mail\n    send_mail('a', 'b', 'c', ['d'])\n"
    )
    assert _direct_sends(sneaky) == ["line 2: from django.core.mail import send_mail"]
    assert _direct_sends(ast.parse("from django.core import mail\nmail.send_mail()\n"))


def test_no_code_outside_the_outbox_sends_mail_itself():
    offenders = {path: sends for path, tree in _project_modules() if (sends := _direct_sends(tree))}

    assert not offenders, "Send through messaging.services.message_queue instead:\n" + "\n".join(
        f"  {path}: {'; '.join(sends)}" for path, sends in sorted(offenders.items())
    )
