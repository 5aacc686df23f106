"""What `manage.py demo` runs for each app, without `core` importing any of them.

Each app's own `demo.py` registers its part at import time:

    from core import demo as demo_registry
    demo_registry.register("campaigns", seed=seed)

The demo command imports every installed app's `demo` module (`discover()`, as the admin discovers
`admin.py`), then runs the steps in the order of INSTALLED_APPS, which is the order the apps depend
on each other (accounts before campaigns before donations)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPart:
    app_label: str
    # Loads the app's demo data; safe to run again (it creates nothing twice).
    seed: Callable[[], None] | None = None
    # Runs after seeding (with --no-seed too) when the Stripe stand-in is up, given its base URL;
    # returns a line to print. Raises DemoStepError for something to report without stopping.
    standin_sync: Callable[[str], str] | None = None
    # Lines for the banner's sign-in table, e.g. ("staff@haven.example", "staff").
    logins: Callable[[], list[tuple[str, str]]] | None = None
    # The demo password the banner prints with the logins.
    password: str | None = None


class DemoStepError(Exception):
    """A demo step could not do its part; the demo says so and goes on."""


_parts: dict[str, DemoPart] = {}


def register(
    app_label: str,
    *,
    seed: Callable[[], None] | None = None,
    standin_sync: Callable[[str], str] | None = None,
    logins: Callable[[], list[tuple[str, str]]] | None = None,
    password: str | None = None,
) -> DemoPart:
    """Registers (or replaces: a module imported twice registers once) an app's demo part."""
    part = DemoPart(app_label, seed=seed, standin_sync=standin_sync, logins=logins, password=password)
    _parts[app_label] = part
    return part


def discover() -> None:
    """Imports `<app>.demo` of every installed app, which registers its part."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")


def parts() -> list[DemoPart]:
    """The registered parts in INSTALLED_APPS order."""
    from django.apps import apps

    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_parts.values(), key=lambda part: order.get(part.app_label, len(order)))
