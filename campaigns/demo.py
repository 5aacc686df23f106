"""Demo campaigns and open books: the six spending categories, three running campaigns and two that
ended (each with its own restricted fund, a planned split, impact units and an update) and some
spending in past months.
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

CATEGORIES = [
    ("emergency-housing", "Emergency housing", "Safe rooms the same night, and help toward a home."),
    ("medical-care", "Medical care", "Clinic visits, medication and dental care."),
    ("legal-assistance", "Legal assistance", "Immigration, protective orders and clearing records."),
    ("crisis-counseling", "Crisis counseling", "Trauma-informed counselors, day or night."),
    ("education-job-training", "Education and job training", "Classes, certificates and paid placements."),
    ("community-support", "Community support", "Mentors, peer groups and everyday help."),
]

CAMPAIGNS = [
    {
        "slug": "safe-nights",
        "title": "Safe Nights",
        "fund": ("Safe Nights housing fund", "safe-nights-fund"),
        "summary": "A locked door and a warm bed the night someone leaves, and the weeks after.",
        "story": (
            "When someone calls the hotline ready to leave, the first question is where they will sleep "
            "tonight.\n\nSafe Nights pays for emergency rooms in places only our staff know, for "
            "medication someone had to leave behind, and for a counselor on the phone at 3 a.m.\n\n"
            "Every gift goes to this restricted fund and nowhere else."
        ),
        "goal": 7_500_000,
        "suggested": [2500, 4000, 10000, 28000],
        "plan": [("emergency-housing", 7000), ("medical-care", 1500), ("crisis-counseling", 1500)],
        "allowed": ["emergency-housing", "medical-care", "crisis-counseling"],
        "impact": [
            (4000, "one night of safe housing"),
            (10000, "a week of groceries and toiletries"),
            (28000, "one week in a safe room"),
        ],
        "update": (
            "Forty-one nights in October",
            "Your gifts paid for forty-one nights of safe housing last month.\n\nThank you.",
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
        "fund": ("Legal Lifeline fund", "legal-lifeline-fund"),
        "summary": "Immigration lawyers, protective orders and record clearing for survivors.",
        "story": (
            "A T visa, a protective order, a record cleared of crimes someone was forced to commit: the "
            "law can give a survivor their life back, but only with a lawyer.\n\nLegal Lifeline pays "
            "trusted attorneys and filing fees."
        ),
        "goal": 5_000_000,
        "suggested": [5000, 15000, 36000],
        "plan": [("legal-assistance", 8500), ("community-support", 1500)],
        "allowed": ["legal-assistance", "community-support"],
        "impact": [
            (15000, "an hour with an immigration attorney"),
            (36000, "the filing fees for one visa application"),
        ],
        "update": (
            "Three protective orders granted",
            "Three survivors now have protective orders, with your help.",
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
        "fund": ("Pathways to Work fund", "pathways-fund"),
        "summary": "Classes, certificates and paid placements toward independence.",
        "story": (
            "A job that pays is the surest way out for good.\n\nPathways to Work pays for English and "
            "computer classes, certificates such as food handling and forklift, and a paid first placement."
        ),
        "goal": 4_000_000,
        "suggested": [3000, 7500, 20000],
        "plan": [("education-job-training", 7500), ("community-support", 2500)],
        "allowed": ["education-job-training", "community-support"],
        "impact": [
            (7500, "a food handler certificate"),
            (20000, "a month of evening English classes"),
        ],
        "update": (
            "Five certificates this term",
            "Five participants earned certificates this term; two started paid placements.",
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
        "fund": ("Warm Winter fund", "warm-winter-fund"),
        "summary": "Coats, boots and heating bills for families in safe housing last winter.",
        "story": (
            "Many people leave with only what they are wearing.\n\nWarm Winter bought coats and boots "
            "and paid heating bills for families in transitional housing through the cold months."
        ),
        "goal": 1_500_000,
        "suggested": [2500, 5000, 12000],
        "plan": [("community-support", 6000), ("emergency-housing", 4000)],
        "allowed": ["community-support", "emergency-housing"],
        "impact": [(5000, "a warm coat and boots"), (12000, "a month of heating for one family")],
        "update": ("We reached our goal", "Thank you: 212 coats, and heat for 38 families all winter."),
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
        "fund": ("Night Line fund", "night-line-fund"),
        "summary": "New phones and headsets for the volunteers who answer at night.",
        "story": (
            "The night line runs on donated phones that drop calls.\n\nThis campaign replaced them "
            "with reliable phones and headsets, and a year of service."
        ),
        "goal": 1_200_000,
        "suggested": [2500, 5000, 15000],
        "plan": [("crisis-counseling", 10000)],
        "allowed": ["crisis-counseling"],
        "impact": [(15000, "one headset and a year of service")],
        "update": ("The new phones are in", "Every night-line volunteer now answers on a new phone."),
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
    for position, (slug, name, description) in enumerate(CATEGORIES):
        existing = SpendingCategory.objects.filter(slug=slug).first()
        categories[slug] = existing or spending_category_save(
            name=name, slug=slug, description=description, position=position
        )
    Fund.general()
    for spec in CAMPAIGNS:
        fund_name, fund_slug = spec["fund"]
        fund = Fund.objects.filter(slug=fund_slug).first() or fund_save(
            name=fund_name,
            slug=fund_slug,
            description=f"Restricted to {spec['title']}.",
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
        if not CampaignUpdate.objects.filter(campaign=campaign, title=title).exists():
            campaign_update_post(
                campaign=campaign,
                title=title,
                body=body,
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


demo_registry.register("campaigns", seed=seed)
