"""Demo in-kind needs (run from donations/demo.py's seed): winter coats for Safe Nights, with pledges
(one from the demo donor, received in part, so /me/giving/ lists a gift of goods), and hygiene kits;
and one subscriber to campaign updates. Idempotent: needs are found by their English title, pledges
by their email."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, UpdateConsent
from campaigns.subscriptions import opt_in_wording, update_subscription_opt_in

from .models import InKindNeed, InKindPledge
from .services import inkind

NEEDS = [
    # English title, Spanish title, English description, Spanish description, needed, days left, campaign
    (
        "Winter coats, adult sizes",
        "Abrigos de invierno, tallas de adulto",
        "Warm, clean coats for the people staying in our safe rooms this winter.",
        "Abrigos limpios y abrigados para las personas en nuestras habitaciones seguras este invierno.",
        40,
        30,
        "safe-nights",
    ),
    (
        "Hygiene kits",
        "Kits de higiene",
        "Soap, shampoo, a toothbrush and toothpaste, in a sealed bag.",
        "Jabón, champú, un cepillo y pasta de dientes, en una bolsa cerrada.",
        120,
        21,
        None,
    ),
]
DROPOFF = "Demo drop-off: 100 Example Street (side door), Tuesdays and Thursdays 10:00–14:00"
# need index, email, name, quantity, received (None: still pledged)
PLEDGES = [
    (0, "donor@haven.example", "Dana Donor", 5, 4),
    (0, "maria.k@example.org", "Maria Kowalski", 10, None),
    (1, "lee.park@example.org", "Lee Park", 30, None),
    (1, "tomas.r@example.org", "Tomás Rivera", 20, 20),
]
SUBSCRIBER = ("maria.k@example.org", "safe-nights")


@transaction.atomic
def seed() -> None:
    staff = User.objects.filter(email="staff@haven.example").first()
    needs = []
    for title, title_es, text, text_es, needed, days, slug in NEEDS:
        need = InKindNeed.objects.filter(title_en=title).first()
        if need is None:
            need = InKindNeed.objects.create(
                title_en=title,
                title_es=title_es,
                description_en=text,
                description_es=text_es,
                quantity_needed=needed,
                deadline=timezone.localdate() + datetime.timedelta(days=days),
                campaign=Campaign.objects.filter(slug=slug).first() if slug else None,
                dropoff=DROPOFF,
            )
        needs.append(need)
    for index, email, name, quantity, received in PLEDGES:
        if InKindPledge.objects.filter(need=needs[index], email=email).exists():
            continue
        pledge = inkind.inkind_pledge_create(
            need=needs[index],
            quantity=quantity,
            name=name,
            email=email,
            user=User.objects.filter(email=email).first(),
            language="en",
        )
        if received:
            inkind.inkind_pledge_receive(actor=staff, pledge=pledge, quantity=received)
    email, slug = SUBSCRIBER
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is not None and not campaign.update_subscriptions.filter(email=email).exists():
        update_subscription_opt_in(
            email=email,
            wording=opt_in_wording(campaign),
            source=UpdateConsent.Source.DONATE_FORM,
            campaign=campaign,
            language="en",
        )
