"""Demo content for the public face: the pages with a purpose (as a fresh install has them, in case
the database predates them), an ordinary page, and a "Find help" directory of made-up partner
services (example.org addresses and 555 numbers: none of them is real). Written through the
services, as staff would, by staff@haven.example. Idempotent: a second run creates nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import demo as demo_registry

from . import services
from .content import purpose_pages_ensure
from .models import Page, PartnerService

ABOUT_BODY = """\
We are a small team and many volunteers. We work alongside the organisations in our
[Find help](/find-help/) directory, and we publish how every gift is spent on our
[open books](/transparency/).

## What we believe

- Survivors decide. We offer help; we never make it depend on telling a story.
- Privacy keeps people safe. We never publish where anyone stays.
- Money given for a purpose is spent on that purpose, and we show it.
"""

# (need, name, description, area, phone, email, website, hours, languages)
DIRECTORY = [
    (
        "housing",
        "Harbor Light Shelter Network",
        "Emergency rooms the same night, and longer stays in safe homes while people plan what comes next.",
        "Riverside County",
        "1-800-555-0141",
        "intake@harborlight.example.org",
        "https://harborlight.example.org",
        "24 hours, every day",
        ["en", "es", "vi"],
    ),
    (
        "housing",
        "Second Step Homes",
        "Transitional apartments for up to two years, with a case worker and help "
        "finding a lease of your own.",
        "Riverside and Eastside",
        "1-800-555-0178",
        "",
        "https://secondstep.example.org",
        "Mon–Fri 9–5",
        ["en", "es"],
    ),
    (
        "medical",
        "Open Door Community Clinic",
        "Primary care, sexual health, dental care and prescriptions, free or on a sliding scale. "
        "No ID or insurance needed.",
        "Downtown",
        "1-800-555-0110",
        "care@opendoor.example.org",
        "https://opendoor.example.org",
        "Mon–Sat 8–8",
        ["en", "es", "zh", "ar"],
    ),
    (
        "mental_health",
        "Still Waters Counselling",
        "Trauma-informed counselling with licensed therapists, in person or by video, "
        "for survivors and their families.",
        "Citywide and online",
        "1-800-555-0123",
        "hello@stillwaters.example.org",
        "https://stillwaters.example.org",
        "Mon–Fri 10–7",
        ["en", "es", "ko"],
    ),
    (
        "mental_health",
        "Night Line Crisis Support",
        "Someone to talk to at any hour, by phone or chat, and help finding a counsellor near you.",
        "By phone",
        "1-800-555-0199",
        "",
        "https://nightline.example.org",
        "24 hours, every day",
        ["en", "es", "ase"],
    ),
    (
        "legal",
        "Justice Bridge Legal Aid",
        "Free lawyers for immigration relief, protective orders, clearing records and back wages.",
        "Statewide",
        "1-800-555-0156",
        "help@justicebridge.example.org",
        "https://justicebridge.example.org",
        "Mon–Fri 9–6",
        ["en", "es", "tl", "fr", "ht"],
    ),
    (
        "education",
        "New Chapter Skills Center",
        "English classes, high-school equivalency, computer skills and paid job "
        "placements with partner employers.",
        "Eastside",
        "1-800-555-0133",
        "learn@newchapter.example.org",
        "https://newchapter.example.org",
        "Mon–Thu 9–9, Fri 9–5",
        ["en", "es", "ru", "uk"],
    ),
    (
        "community",
        "Circle of Survivors",
        "Peer support groups led by survivors, mentoring, and a place to be among people who understand.",
        "Citywide",
        "",
        "circle@survivors.example.org",
        "https://circle.example.org",
        "Groups on Tuesday and Saturday",
        ["en", "es"],
    ),
]


def _staff() -> User | None:
    return User.objects.filter(email="staff@haven.example").first()


@transaction.atomic
def seed() -> None:
    purpose_pages_ensure(Page, now=timezone.now())
    actor = _staff()
    if not Page.objects.filter(slug="about-us").exists():
        page = services.page_create(
            actor=actor,
            slug="about-us",
            title_en="About us",
            summary_en="Who we are, how we work, and who we work with.",
            body_en=ABOUT_BODY,
        )
        services.page_publish(actor=actor, page=page)
    if PartnerService.objects.exists():
        return
    for need, name, description, area, phone, email, website, hours, languages in DIRECTORY:
        services.partner_service_create(
            actor=actor,
            need=need,
            name_en=name,
            description_en=description,
            area_en=area,
            phone=phone,
            email=email,
            website=website,
            hours_en=hours,
            languages=languages,
            checked_on=timezone.localdate(),
        )


demo_registry.register("pages", seed=seed)
