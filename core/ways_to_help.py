"""More ways to help, for the "How you can help" page, from apps that the page does not know about.

The page itself shows what it knows (campaigns that need money, shifts that need people). An app
with something else people can give, such as in-kind needs (goods a shelter is short of), plugs a
provider in from its `AppConfig.ready()`:

    from core import ways_to_help

    ways_to_help.register("in_kind", in_kind_needs)

A provider takes no arguments and returns a `HelpSection`, or None when nothing is needed right
now; the page then shows nothing for it. With no provider registered the page shows no such
section at all. Providers run on every view of the page, so they should make one query or two."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HelpItem:
    title: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class HelpSection:
    """One section of the page: a heading, a sentence, what is needed, and where to read more.
    Texts are shown as given (escaped): providers pass them already translated."""

    heading: str
    intro: str = ""
    items: list[HelpItem] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""


Provider = Callable[[], HelpSection | None]

_providers: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Registers (or replaces: a module imported twice registers once) the provider under `key`."""
    _providers[key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def sections() -> list[HelpSection]:
    """What every registered provider has to show now, in the order they registered; providers
    with nothing to show are left out."""
    found = []
    for provider in list(_providers.values()):
        section = provider()
        if section is not None and (section.items or section.intro):
            found.append(section)
    return found
