"""Writes to the "Find help" directory of partner services, each audit-logged.

No entry may say where a shelter or safe house is. The model has no address field at all, and
these services also refuse text that looks like a street address or a PO box in any of an entry's
words (name, description, area, hours, in every language): a city or an area is as precise as the
directory gets. The check catches the usual written forms ("12 Maple Street", "Calle Ocho 1200",
"PO Box 7"); staff forms say why."""

from __future__ import annotations

import datetime
import re
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record

from ..languages import directory_language_codes
from ..models import PartnerService

TRANSLATED_FIELDS = ("name", "description", "area", "hours")
PARTNER_SERVICE_EDITABLE_FIELDS = (
    "need",
    "website",
    "phone",
    "email",
    "languages",
    "is_listed",
    "checked_on",
    *(f"{field}_{language}" for field in TRANSLATED_FIELDS for language in ("en", "es")),
)

_STREET_WORDS = (
    "street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|terrace|"
    "parkway|pkwy|highway|hwy|circle|cir|square|sq|suite|ste|apartment|apt|floor|fl"
)
STREET_ADDRESS_PATTERNS = [
    # 12 Maple Street, 400 N. 5th Ave, 9 Elm St.
    re.compile(rf"\b\d{{1,6}}[a-z]?\s+(?:[\w.'-]+\s+){{0,4}}(?:{_STREET_WORDS})\b", re.IGNORECASE),
    # Calle Ocho 1200, Avenida Juárez 45
    re.compile(
        r"\b(?:calle|avenida|avda|carrera|camino|paseo)\s+(?:[\w.'-]+\s+){0,4}\d{1,6}\b", re.IGNORECASE
    ),
    # PO Box 7, P.O. Box 7, Apartado postal 7
    re.compile(r"\bp\.?\s?o\.?\s+box\b|\bapartado\s+postal\b", re.IGNORECASE),
]


def looks_like_street_address(text: str) -> bool:
    return any(pattern.search(text or "") for pattern in STREET_ADDRESS_PATTERNS)


def _check_no_address(values: dict) -> None:
    errors = {
        field: _(
            "This looks like a street address. The directory never lists one: where a shelter or "
            "safe house is must stay private. Give a city or an area at most."
        )
        for field, value in values.items()
        if field.split("_")[0] in TRANSLATED_FIELDS
        and isinstance(value, str)
        and looks_like_street_address(value)
    }
    if errors:
        raise ValidationError(errors)


def _check_languages(languages: list[str]) -> list[str]:
    allowed = directory_language_codes()
    unknown = [code for code in languages if code not in allowed]
    if unknown:
        raise ValidationError(
            {"languages": _("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    chosen = set(languages)
    return [code for code in allowed if code in chosen]  # one order everywhere, no repeats


def _clean(values: dict) -> dict:
    return {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}


@transaction.atomic
def partner_service_create(
    *,
    actor: User | None,
    need: str,
    name_en: str,
    description_en: str,
    languages: list[str],
    area_en: str = "",
    hours_en: str = "",
    website: str = "",
    phone: str = "",
    email: str = "",
    name_es: str = "",
    description_es: str = "",
    area_es: str = "",
    hours_es: str = "",
    is_listed: bool = True,
    checked_on: datetime.date | None = None,
) -> PartnerService:
    """A new directory entry, at the end of its kind of need."""
    values = _clean(
        {
            "name_en": name_en,
            "name_es": name_es,
            "description_en": description_en,
            "description_es": description_es,
            "area_en": area_en,
            "area_es": area_es,
            "hours_en": hours_en,
            "hours_es": hours_es,
            "website": website,
            "phone": phone,
            "email": email,
        }
    )
    _check_no_address(values)
    last = PartnerService.objects.filter(need=need).aggregate(last=Max("position"))["last"] or 0
    service = PartnerService(
        need=need,
        languages=_check_languages(languages),
        is_listed=is_listed,
        checked_on=checked_on,
        position=last + 10,
        **values,
    )
    service.full_clean()
    service.save()
    audit_record(actor=actor, action="partner_service.create", target=service, data={"need": need})
    return service


@transaction.atomic
def partner_service_update(*, actor: User | None, service: PartnerService, data: dict) -> PartnerService:
    """Changes an entry. Moving it to another kind of need puts it at the end of that list."""
    unknown = set(data) - set(PARTNER_SERVICE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    data = _clean(data)
    _check_no_address(data)
    if "languages" in data:
        data["languages"] = _check_languages(data["languages"])
    service = PartnerService.objects.select_for_update().get(pk=service.pk)
    changed = []
    for field, value in data.items():
        current = getattr(service, field)
        if field.endswith("_es"):
            current, value = current or "", value or ""
        if current != value:
            setattr(service, field, value)
            changed.append(field)
    if not changed:
        return service
    if "need" in changed:
        last = PartnerService.objects.filter(need=service.need).aggregate(last=Max("position"))["last"] or 0
        service.position = last + 10
    service.full_clean()
    service.save()
    audit_record(
        actor=actor, action="partner_service.update", target=service, data={"changed": sorted(changed)}
    )
    return service


@transaction.atomic
def partner_service_reorder(
    *, actor: User | None, service: PartnerService, direction: Literal["up", "down"]
) -> None:
    """Moves an entry one place up or down among the entries of its kind of need."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    # The whole group is locked in primary-key order, so two staff moving entries at once each see
    # the order the other left.
    group = sorted(
        PartnerService.objects.select_for_update().filter(need=service.need).order_by("pk"),
        key=lambda s: (s.position, s.pk),
    )
    index = next(i for i, s in enumerate(group) if s.pk == service.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(group):
        return
    group[index], group[other] = group[other], group[index]
    for position, each in enumerate(group, start=1):
        if each.position != position * 10:
            each.position = position * 10
            each.save(update_fields=["position"])
    audit_record(
        actor=actor,
        action="partner_service.reorder",
        target=group[other],
        data={"need": service.need, "from": index + 1, "to": other + 1},
    )


@transaction.atomic
def partner_service_delete(*, actor: User | None, service: PartnerService) -> None:
    service = PartnerService.objects.select_for_update().get(pk=service.pk)
    audit_record(
        actor=actor,
        action="partner_service.delete",
        target=service,
        data={"need": service.need, "name": service.name_en},
    )
    service.delete()
