"""The house's shape, read from the source: no import cycles between the project's modules, and the
app layers run one way (TEAM.md):

    core  <-  accounts  <-  messaging  <-  campaigns  <-  donations
    volunteers uses core, accounts and messaging (never campaigns or donations)
    pages (the site's own pages) may use every app; config is wiring only

The graph is built by grimp from every `import` statement of every module, those inside functions
included (a lazy import is still a dependency). Tests are not part of it.
"""

from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"tests"} and not path.parent.name.startswith(".")
)

# Which other top-level packages each package may import. A package missing here fails the test:
# a new app must take its place in the layers.
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "messaging": {"core", "accounts"},
    "campaigns": {"core", "accounts", "messaging"},
    "donations": {"core", "accounts", "messaging", "campaigns"},
    "volunteers": {"core", "accounts", "messaging"},
    "pages": {"core", "accounts", "messaging", "campaigns", "donations", "volunteers"},
    # Wiring only: settings, URLs (which name the apps' URL modules as strings), Celery, WSGI/ASGI and
    # the container's health probe. Nothing imports config, and config imports no app.
    "config": set(),
    # The Stripe stand-in is a program of its own: it knows nothing of Haven.
    "devstripe": set(),
    # The production-like stack (`make stack`): starts processes, knows Haven only through core.
    "deploy": {"core"},
    # Benchmarks drive the apps and the stand-in from outside.
    "bench": {"core", "accounts", "messaging", "campaigns", "donations", "volunteers", "devstripe"},
}
CONFIG_MODULES = {
    "config",
    "config.urls",
    "config.celery",
    "config.wsgi",
    "config.asgi",
    "config.healthcheck",
    # gunicorn's settings file, and the warm-up it runs before forking workers
    "config.gunicorn",
    "config.warmup",
}

# Known import circles: none. An entry (importer, imported) would lift every import from the importer
# module or package to the imported one; the test fails if an entry no longer closes a circle, so the
# list can only shrink. Services never import their tasks: they write outbox messages, or publish by
# task name (messaging.publish.task_publish_on_commit).
ALLOWED_CIRCLES: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def _edges(graph) -> dict[str, set[str]]:
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def _within(module: str, name: str) -> bool:
    return module == name or module.startswith(name + ".")


def _where(graph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(f"line {d['line_number']}: {d['line_contents'].strip()}" for d in details)
    return f"{importer} -> {imported} ({lines})"


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself), by
    Tarjan's algorithm, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read_from_every_app_with_imports_inside_functions(graph):
    # Guards the tests below against reading nothing: every app is there, and an import made inside
    # a function (the statement service reads its gifts through the selectors) is an arrow like any other.
    assert {"core", "accounts", "campaigns", "donations", "volunteers", "pages", "config"} <= set(PACKAGES)
    assert "volunteers.services.booking" in graph.modules
    assert graph.direct_import_exists(
        importer="donations.services.statements", imported="donations.selectors"
    )


def test_services_never_import_their_tasks(graph):
    for app in ("accounts", "campaigns", "donations", "messaging", "volunteers"):
        services = {m for m in graph.modules if _within(m, f"{app}.services")}
        assert services, app
        for module in services:
            assert not any(
                _within(imported, f"{app}.tasks")
                for imported in graph.find_modules_directly_imported_by(module)
            ), f"{module} imports {app}.tasks: write an outbox message or publish the task by name"


def test_no_import_cycles_between_project_modules(graph):
    edges = _edges(graph)
    for importer, imported in ALLOWED_CIRCLES:
        for module in edges:
            if _within(module, importer):
                edges[module] = {m for m in edges[module] if not _within(m, imported)}

    circles = _circles(edges)

    assert not circles, "Modules that import each other in a circle:\n" + "\n".join(
        "  circle:\n"
        + "\n".join(
            "    " + _where(graph, a, b) for a in circle for b in sorted(edges[a]) if b in set(circle)
        )
        for circle in circles
    )


def test_every_allowed_circle_is_still_a_circle(graph):
    edges = _edges(graph)
    for importer, imported in ALLOWED_CIRCLES:
        closing = [
            (a, b)
            for a in edges
            if _within(a, importer)
            for b in edges[a]
            if _within(b, imported) and _reaches(edges, b, a)
        ]

        assert closing, f"{importer} -> {imported} closes no circle any more: remove it from ALLOWED_CIRCLES."
    assert ALLOWED_CIRCLES == []  # issue 8 removed the last ones: keep it empty


def test_every_package_has_its_place_in_the_layers():
    assert set(PACKAGES) <= set(MAY_IMPORT), (
        f"Give {sorted(set(PACKAGES) - set(MAY_IMPORT))} a place in MAY_IMPORT (which apps it may import)."
    )


def test_the_app_layers_run_one_way(graph):
    breaks = defaultdict(list)
    for importer in sorted(graph.modules):
        source = importer.split(".")[0]
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = imported.split(".")[0]
            if target == source or target in MAY_IMPORT.get(source, set()):
                continue
            breaks[f"{source} may not import {target}"].append(_where(graph, importer, imported))

    assert not breaks, "Imports against the layers:\n" + "\n".join(
        f"  {rule}:\n" + "\n".join(f"    {line}" for line in lines) for rule, lines in breaks.items()
    )


def test_config_holds_wiring_only(graph):
    # given every module of config/
    modules = {m for m in graph.modules if _within(m, "config")}

    # then they are settings, URLs, Celery, WSGI/ASGI or the health probe, and nothing else imports them
    # (apps read settings through django.conf, never by importing config)
    others = sorted(m for m in modules if m not in CONFIG_MODULES and not _within(m, "config.settings"))
    assert not others, f"config/ is wiring only; move these into an app: {others}"
    importers = sorted(
        _where(graph, importer, imported)
        for imported in modules
        for importer in graph.find_modules_that_directly_import(imported)
        if not _within(importer, "config")
    )
    assert not importers, "Nothing outside config imports it:\n  " + "\n  ".join(importers)
