"""Demo campaigns and open books: the six spending categories, three running campaigns and two that
ended (each with its own restricted fund, a planned split, impact units and an update) and some
spending in past months, in English and Spanish (slugs, payees and notes stay as they are).
Idempotent: running it again changes nothing that already exists and creates nothing twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core import demo as demo_registry

from .models import Campaign, CampaignUpdate, Expenditure, Fund, SpendingCategory
from .selectors import month_start, previous_month
from .services import (
    allocation_plan_set,
    campaign_create,
    campaign_update_post,
    expenditure_record,
    fund_save,
    impact_units_set,
    spending_category_save,
    totals_refresh,
)
from .supporter_demo import supporter_pages_seed

CATEGORIES = [
    (
        "emergency-housing",
        "Emergency housing",
        "Safe rooms the same night, and help toward a home.",
        "Vivienda de emergencia",
        "Habitaciones seguras esa misma noche, y ayuda para llegar a un hogar.",
    ),
    (
        "medical-care",
        "Medical care",
        "Clinic visits, medication and dental care.",
        "Atención médica",
        "Consultas en la clínica, medicamentos y atención dental.",
    ),
    (
        "legal-assistance",
        "Legal assistance",
        "Immigration, protective orders and clearing records.",
        "Asistencia legal",
        "Inmigración, órdenes de protección y limpieza de antecedentes.",
    ),
    (
        "crisis-counseling",
        "Crisis counseling",
        "Trauma-informed counselors, day or night.",
        "Consejería en crisis",
        "Personal de consejería con enfoque informado en el trauma, de día o de noche.",
    ),
    (
        "education-job-training",
        "Education and job training",
        "Classes, certificates and paid placements.",
        "Educación y capacitación laboral",
        "Clases, certificados y empleos pagados.",
    ),
    (
        "community-support",
        "Community support",
        "Mentors, peer groups and everyday help.",
        "Apoyo comunitario",
        "Mentores, grupos de pares y ayuda diaria.",
    ),
]

CAMPAIGNS = [
    {
        "slug": "safe-nights",
        "title": "Safe Nights",
        "title_es": "Noches Seguras",
        "fund": ("Safe Nights housing fund", "safe-nights-fund"),
        "fund_es": "Fondo de vivienda Noches Seguras",
        "summary": "A locked door and a warm bed the night someone leaves, and the weeks after.",
        "summary_es": (
            "Una puerta con llave y una cama caliente la noche en que alguien se va, y las semanas "
            "siguientes."
        ),
        "story": (
            "When someone calls the hotline ready to leave, the first question is where they will sleep "
            "tonight.\n\nSafe Nights pays for emergency rooms in places only our staff know, for "
            "medication someone had to leave behind, and for a counselor on the phone at 3 a.m.\n\n"
            "Every gift goes to this restricted fund and nowhere else."
        ),
        "story_es": (
            "Cuando alguien llama a la línea directa con la decisión de irse, la primera pregunta es dónde "
            "dormirá esta noche.\n\nNoches Seguras paga habitaciones de emergencia en lugares que solo "
            "conoce nuestro personal, los medicamentos que alguien tuvo que dejar atrás y una persona "
            "consejera al teléfono a las 3 de la madrugada.\n\n"
            "Cada donación va a este fondo restringido y a ningún otro lugar."
        ),
        "goal": 7_500_000,
        "suggested": [2500, 4000, 10000, 28000],
        "plan": [("emergency-housing", 7000), ("medical-care", 1500), ("crisis-counseling", 1500)],
        "allowed": ["emergency-housing", "medical-care", "crisis-counseling"],
        "impact": [
            (4000, "one night of safe housing", "una noche de vivienda segura"),
            (10000, "a week of groceries and toiletries", "una semana de comida y artículos de aseo"),
            (28000, "one week in a safe room", "una semana en una habitación segura"),
        ],
        "update": (
            "Forty-one nights in October",
            "Your gifts paid for forty-one nights of safe housing last month.\n\nThank you.",
        ),
        "update_es": (
            "Cuarenta y una noches en octubre",
            "Sus donaciones pagaron cuarenta y una noches de vivienda segura el mes pasado.\n\nGracias.",
        ),
        "spending": [
            (-4, "emergency-housing", 412000, "Northgate Residence Hotel", "Rooms, weeks 1-2"),
            (-4, "medical-care", 38500, "Eastside Community Pharmacy", "Prescriptions"),
            (-3, "emergency-housing", 368000, "Harbor View Extended Stay", "Rooms"),
            (-3, "crisis-counseling", 90000, "Dr. R. Patel, LCSW", "After-hours sessions"),
            (-2, "emergency-housing", 455000, "Northgate Residence Hotel", "Rooms"),
            (-1, "medical-care", 21000, "Eastside Community Pharmacy", "Prescriptions"),
        ],
    },
    {
        "slug": "legal-lifeline",
        "title": "Legal Lifeline",
        "title_es": "Salvavidas Legal",
        "fund": ("Legal Lifeline fund", "legal-lifeline-fund"),
        "fund_es": "Fondo Salvavidas Legal",
        "summary": "Immigration lawyers, protective orders and record clearing for survivors.",
        "summary_es": (
            "Abogados de inmigración, órdenes de protección y limpieza de antecedentes para sobrevivientes."
        ),
        "story": (
            "A T visa, a protective order, a record cleared of crimes someone was forced to commit: the "
            "law can give a survivor their life back, but only with a lawyer.\n\nLegal Lifeline pays "
            "trusted attorneys and filing fees."
        ),
        "story_es": (
            "Una visa T, una orden de protección, unos antecedentes limpios de los delitos que alguien fue "
            "obligado a cometer: la ley puede devolverle la vida a una persona sobreviviente, pero solo con "
            "un abogado.\n\nSalvavidas Legal paga abogados de confianza y las tarifas de presentación."
        ),
        "goal": 5_000_000,
        "suggested": [5000, 15000, 36000],
        "plan": [("legal-assistance", 8500), ("community-support", 1500)],
        "allowed": ["legal-assistance", "community-support"],
        "impact": [
            (15000, "an hour with an immigration attorney", "una hora con un abogado de inmigración"),
            (
                36000,
                "the filing fees for one visa application",
                "las tarifas de presentación de una solicitud de visa",
            ),
        ],
        "update": (
            "Three protective orders granted",
            "Three survivors now have protective orders, with your help.",
        ),
        "update_es": (
            "Tres órdenes de protección concedidas",
            "Tres personas sobrevivientes tienen ahora órdenes de protección, con su ayuda.",
        ),
        "spending": [
            (-4, "legal-assistance", 240000, "Morales & Chen Immigration Law", "Retainer"),
            (-3, "legal-assistance", 125000, "County Clerk filing fees", "Filings"),
            (-2, "community-support", 30000, "Interpreters Guild", "Court interpreting"),
            (-2, "legal-assistance", 180000, "Morales & Chen Immigration Law", "Hours"),
        ],
    },
    {
        "slug": "pathways-to-work",
        "title": "Pathways to Work",
        "title_es": "Caminos al Trabajo",
        "fund": ("Pathways to Work fund", "pathways-fund"),
        "fund_es": "Fondo Caminos al Trabajo",
        "summary": "Classes, certificates and paid placements toward independence.",
        "summary_es": "Clases, certificados y empleos pagados que llevan a la independencia.",
        "story": (
            "A job that pays is the surest way out for good.\n\nPathways to Work pays for English and "
            "computer classes, certificates such as food handling and forklift, and a paid first placement."
        ),
        "story_es": (
            "Un trabajo pagado es el camino más seguro para salir de forma definitiva.\n\nCaminos al "
            "Trabajo paga clases de inglés y de computación, certificados como el de manipulación de "
            "alimentos y el de montacargas, y un primer empleo pagado."
        ),
        "goal": 4_000_000,
        "suggested": [3000, 7500, 20000],
        "plan": [("education-job-training", 7500), ("community-support", 2500)],
        "allowed": ["education-job-training", "community-support"],
        "impact": [
            (7500, "a food handler certificate", "un certificado de manipulación de alimentos"),
            (20000, "a month of evening English classes", "un mes de clases nocturnas de inglés"),
        ],
        "update": (
            "Five certificates this term",
            "Five participants earned certificates this term; two started paid placements.",
        ),
        "update_es": (
            "Cinco certificados este período",
            "Cinco participantes obtuvieron certificados este período; dos empezaron empleos pagados.",
        ),
        "spending": [
            (-3, "education-job-training", 150000, "Lakeside Community College", "Tuition"),
            (-2, "community-support", 25000, "City Transit Authority", "Transit passes"),
            (-1, "education-job-training", 60000, "SafeServe Training Inc.", "Certificates"),
        ],
    },
    {
        "slug": "winter-coats",
        "title": "Warm Winter",
        "title_es": "Invierno Cálido",
        "fund": ("Warm Winter fund", "warm-winter-fund"),
        "fund_es": "Fondo Invierno Cálido",
        "summary": "Coats, boots and heating bills for families in safe housing last winter.",
        "summary_es": (
            "Abrigos, botas y facturas de calefacción para familias en vivienda segura el invierno pasado."
        ),
        "story": (
            "Many people leave with only what they are wearing.\n\nWarm Winter bought coats and boots "
            "and paid heating bills for families in transitional housing through the cold months."
        ),
        "story_es": (
            "Muchas personas se van solo con lo que llevan puesto.\n\nInvierno Cálido compró abrigos y "
            "botas y pagó las facturas de calefacción de familias en vivienda de transición durante los "
            "meses de frío."
        ),
        "goal": 1_500_000,
        "suggested": [2500, 5000, 12000],
        "plan": [("community-support", 6000), ("emergency-housing", 4000)],
        "allowed": ["community-support", "emergency-housing"],
        "impact": [
            (5000, "a warm coat and boots", "un abrigo y unas botas"),
            (12000, "a month of heating for one family", "un mes de calefacción para una familia"),
        ],
        "update": ("We reached our goal", "Thank you: 212 coats, and heat for 38 families all winter."),
        "update_es": (
            "Alcanzamos nuestra meta",
            "Gracias: 212 abrigos, y calefacción para 38 familias todo el invierno.",
        ),
        "spending": [
            (-9, "community-support", 620000, "Northside Outfitters", "Coats and boots"),
            (-8, "emergency-housing", 540000, "City Gas & Electric", "Heating bills"),
        ],
        "starts": -12,
        "ends": -8,
    },
    {
        "slug": "hotline-phones",
        "title": "Phones for the Night Line",
        "title_es": "Teléfonos para la Línea Nocturna",
        "fund": ("Night Line fund", "night-line-fund"),
        "fund_es": "Fondo de la Línea Nocturna",
        "summary": "New phones and headsets for the volunteers who answer at night.",
        "summary_es": "Teléfonos y auriculares nuevos para las personas voluntarias que atienden de noche.",
        "story": (
            "The night line runs on donated phones that drop calls.\n\nThis campaign replaced them "
            "with reliable phones and headsets, and a year of service."
        ),
        "story_es": (
            "La línea nocturna funciona con teléfonos donados que cortan las llamadas.\n\nEsta campaña "
            "los reemplazó por teléfonos y auriculares confiables, y un año de servicio."
        ),
        "goal": 1_200_000,
        "suggested": [2500, 5000, 15000],
        "plan": [("crisis-counseling", 10000)],
        "allowed": ["crisis-counseling"],
        "impact": [(15000, "one headset and a year of service", "unos auriculares y un año de servicio")],
        "update": ("The new phones are in", "Every night-line volunteer now answers on a new phone."),
        "update_es": (
            "Ya llegaron los teléfonos nuevos",
            "Cada persona voluntaria de la línea nocturna atiende ahora con un teléfono nuevo.",
        ),
        "spending": [(-5, "crisis-counseling", 980000, "Metro Telecom Supply", "Phones and headsets")],
        "starts": -10,
        "ends": -5,
    },
]


def _months_ago(months: int) -> datetime.date:
    month = month_start(timezone.localdate())
    for _ in range(-months):
        month = previous_month(month)
    return month


@transaction.atomic
def seed() -> None:
    from accounts.models import User

    staff = User.objects.filter(email="staff@haven.example").first()
    categories = {}
    for position, (slug, name, description, name_es, description_es) in enumerate(CATEGORIES):
        existing = SpendingCategory.objects.filter(slug=slug).first()
        categories[slug] = existing or spending_category_save(
            name=name,
            slug=slug,
            description=description,
            position=position,
            name_es=name_es,
            description_es=description_es,
        )
    Fund.general()
    for spec in CAMPAIGNS:
        fund_name, fund_slug = spec["fund"]
        fund = Fund.objects.filter(slug=fund_slug).first() or fund_save(
            name=fund_name,
            slug=fund_slug,
            description=f"Restricted to {spec['title']}.",
            name_es=spec["fund_es"],
            description_es=f"Fondo restringido: solo puede gastarse en {spec['title_es']}.",
            is_restricted=True,
            allowed_categories=[categories[s] for s in spec["allowed"]],
        )
        campaign = Campaign.objects.filter(slug=spec["slug"]).first()
        if campaign is None:
            campaign = campaign_create(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                story=spec["story"],
                title_es=spec["title_es"],
                summary_es=spec["summary_es"],
                story_es=spec["story_es"],
                fund=fund,
                goal_amount=spec["goal"],
                starts_on=_months_ago(spec.get("starts", -11)),
                ends_on=(
                    _months_ago(spec["ends"]) + datetime.timedelta(days=20)
                    if "ends" in spec
                    else timezone.localdate() + datetime.timedelta(days=120)
                ),
                suggested_amounts=spec["suggested"],
                is_published=True,
            )
        if not campaign.allocation_lines.exists():
            allocation_plan_set(campaign=campaign, lines=[(categories[s], bps) for s, bps in spec["plan"]])
        if not campaign.impact_units.exists():
            impact_units_set(campaign=campaign, units=spec["impact"])
        title, body = spec["update"]
        title_es, body_es = spec["update_es"]
        if not CampaignUpdate.objects.filter(campaign=campaign, title=title).exists():
            campaign_update_post(
                campaign=campaign,
                title=title,
                body=body,
                title_es=title_es,
                body_es=body_es,
                author=staff,
                published_at=timezone.now() - datetime.timedelta(days=9),
            )
        for months, category, amount, payee, note in spec["spending"]:
            spent_on = _months_ago(months) + datetime.timedelta(days=6)
            if not Expenditure.objects.filter(
                campaign=campaign, spent_on=spent_on, payee=payee, amount=amount
            ).exists():
                expenditure_record(
                    spent_on=spent_on,
                    amount=amount,
                    category=categories[category],
                    fund=fund,
                    campaign=campaign,
                    payee=payee,
                    note=note,
                    recorded_by=staff,
                )
        totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    _seed_match(staff)
    supporter_pages_seed(staff=staff)


# One sponsor's match on Safe Nights, open for a month from the demo's first start: a gift made in the
# demo (card 4242 4242 4242 4242 on the stand-in) is matched, and its staff page shows what is owed.
DEMO_MATCH = {
    "campaign": "safe-nights",
    "sponsor": "Northwind Community Foundation",
    "ratio": 1,
    "cap": 500_000,
}


def _seed_match(staff) -> None:
    from .matching import match_offer_create  # noqa: PLC0415

    campaign = Campaign.objects.filter(slug=DEMO_MATCH["campaign"]).first()
    if campaign is None or campaign.match_offers.exists():
        return
    start = timezone.now() - datetime.timedelta(days=1)
    match_offer_create(
        campaign=campaign,
        sponsor_name=DEMO_MATCH["sponsor"],
        ratio=DEMO_MATCH["ratio"],
        cap=DEMO_MATCH["cap"],
        starts_at=start,
        ends_at=start + datetime.timedelta(days=31),
        qualifies="both",
        created_by=staff,
    )


demo_registry.register("campaigns", seed=seed)
