"""Demo content for the public face: the pages with a purpose (as a fresh install has them, in case
the database predates them), an ordinary page, and a "Find help" directory of made-up partner
services (example.org addresses and 555 numbers: none of them is real), in English and Spanish.
Written through the services, as staff would, by staff@haven.example.
Idempotent: a second run creates nothing."""

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

ABOUT_BODY_ES = """\
Somos un equipo pequeño y muchas personas voluntarias. Trabajamos junto a las organizaciones de
nuestro directorio [Buscar ayuda](/find-help/), y publicamos en qué se gasta cada donación en
nuestras [cuentas abiertas](/transparency/).

## En qué creemos

- Las personas sobrevivientes deciden. Ofrecemos ayuda; nunca la condicionamos a que cuenten su historia.
- La privacidad mantiene a las personas a salvo. Nunca publicamos dónde se aloja nadie.
- El dinero donado para un propósito se gasta en ese propósito, y lo mostramos.
"""

# The Spanish of each directory entry, by its (English) name: description, area, hours. The
# organisations' names are their own and stay as they are.
DIRECTORY_ES = {
    "Harbor Light Shelter Network": (
        "Habitaciones de emergencia esa misma noche, y estancias más largas en casas seguras mientras "
        "las personas planean lo que viene después.",
        "Condado de Riverside",
        "24 horas, todos los días",
    ),
    "Second Step Homes": (
        "Apartamentos de transición por hasta dos años, con una persona encargada del caso y ayuda "
        "para encontrar un contrato de alquiler propio.",
        "Riverside y Eastside",
        "lun–vie 9–17",
    ),
    "Open Door Community Clinic": (
        "Atención primaria, salud sexual, atención dental y recetas, gratis o con tarifa según sus "
        "ingresos. No se necesita identificación ni seguro médico.",
        "Centro",
        "lun–sáb 8–20",
    ),
    "Still Waters Counselling": (
        "Consejería con enfoque informado en el trauma, con terapeutas con licencia, en persona o por "
        "video, para sobrevivientes y sus familias.",
        "Toda la ciudad y en línea",
        "lun–vie 10–19",
    ),
    "Night Line Crisis Support": (
        "Alguien con quien hablar a cualquier hora, por teléfono o chat, y ayuda para encontrar un "
        "consejero o una consejera cerca de usted.",
        "Por teléfono",
        "24 horas, todos los días",
    ),
    "Justice Bridge Legal Aid": (
        "Abogados gratuitos para alivio migratorio, órdenes de protección, limpieza de antecedentes y "
        "salarios no pagados.",
        "Todo el estado",
        "lun–vie 9–18",
    ),
    "New Chapter Skills Center": (
        "Clases de inglés, equivalencia de secundaria, computación y empleos pagados con empresas asociadas.",
        "Eastside",
        "lun–jue 9–21, vie 9–17",
    ),
    "Circle of Survivors": (
        "Grupos de apoyo entre pares dirigidos por personas sobrevivientes, mentoría y un lugar para "
        "estar entre personas que entienden.",
        "Toda la ciudad",
        "Grupos los martes y los sábados",
    ),
}

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
            title_es="Quiénes somos",
            summary_es="Quiénes somos, cómo trabajamos y con quién trabajamos.",
            body_es=ABOUT_BODY_ES,
        )
        services.page_publish(actor=actor, page=page)
    if PartnerService.objects.exists():
        return
    for need, name, description, area, phone, email, website, hours, languages in DIRECTORY:
        description_es, area_es, hours_es = DIRECTORY_ES[name]
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
            description_es=description_es,
            area_es=area_es,
            hours_es=hours_es,
            languages=languages,
            checked_on=timezone.localdate(),
        )


demo_registry.register("pages", seed=seed)
