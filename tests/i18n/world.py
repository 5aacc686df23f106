"""A small site with one of everything a page or an email can be about, made with the factories and
the services (as in tests/campaigns/test_no_leaks.py): a campaign with gifts, spending and updates,
pages and directory entries, a supporter's fundraising page, a sponsor's match, a subscriber to updates,
an in-kind need with pledges, shifts with bookings, a waitlist offer, a swap offer, hours, a kiosk,
and the five kinds of reader (the public, a donor, a volunteer, a coordinator, staff).

`known_content()` is everything the database holds as text once the world is made (names, titles,
emails, staff-written pages, addresses): what a page shows of it is content, not the site's words."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from campaigns.services import impact_units_set
from tests.factories import (
    CampaignFactory,
    CampaignUpdateFactory,
    DonationFactory,
    ExpenditureFactory,
    MessageFactory,
    PageFactory,
    PartnerServiceFactory,
    ReceiptFactory,
    RecurringGiftFactory,
    RoleApplicationFactory,
    RoleFactory,
    ShiftFactory,
    SpendingCategoryFactory,
    UserFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from tests.factories.volunteers import BookingFactory

from .pseudo import PSEUDO, KnownContent

# Apps whose tables hold the text pages show (the framework's own tables hold permission names and
# sessions, which no page of ours shows).
CONTENT_APPS = {"accounts", "messaging", "pages", "campaigns", "donations", "volunteers", "account"}


@dataclass
class World:
    readers: dict[str, object] = field(default_factory=dict)  # role -> user (None: the public)
    objects: dict[str, object] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    from campaigns.matching import match_offer_create
    from campaigns.models import UpdateConsent
    from campaigns.subscriptions import opt_in_wording, unsubscribe_token, update_subscription_opt_in
    from donations.models import RecurringGift
    from donations.services.inkind import inkind_need_create, inkind_pledge_create, inkind_pledge_receive
    from donations.services.statements import statement_issue
    from tests.factories.supporter_pages import photo_with_gps, supporter_page
    from volunteers.models import HoursCategory, WaitlistEntry
    from volunteers.services.calendar import calendar_token_reset
    from volunteers.services.checkin import kiosk_open
    from volunteers.services.hours import hours_report, hours_report_decide
    from volunteers.services.swaps import swap_offer_make, swap_offer_token
    from volunteers.services.waitlist import waitlist_offer_token

    world = World()
    donor = UserFactory(roles=["donor"], language=PSEUDO)
    coordinator = UserFactory(roles=["coordinator"], language=PSEUDO)
    staff = UserFactory(roles=["staff"], language=PSEUDO)
    volunteer = ready_volunteer(language=PSEUDO)
    colleague = ready_volunteer(language=PSEUDO)
    stand_in = ready_volunteer(language=PSEUDO)  # offered a swap
    world.readers = {
        "public": None,
        "donor": donor,
        "volunteer": volunteer,
        "coordinator": coordinator,
        "staff": staff,
    }

    category = SpendingCategoryFactory(slug="emergency-housing", name="Emergency housing")
    campaign = CampaignFactory()
    gift = DonationFactory(campaign=campaign, donor=donor, donor_email=donor.email, language=PSEUDO)
    DonationFactory(campaign=campaign, show_name_publicly=True, public_name="Ann O.")
    DonationFactory(campaign=campaign, is_anonymous=True)
    receipt = ReceiptFactory(donation=gift)
    monthly = RecurringGiftFactory(
        campaign=campaign, donor=donor, donor_email=donor.email, status=RecurringGift.Status.ACTIVE
    )
    expenditure = ExpenditureFactory(campaign=campaign, category=category)
    impact_units_set(campaign=campaign, units=[(4000, "one night of safe housing")])
    update = CampaignUpdateFactory(campaign=campaign)
    statement = statement_issue(email=donor.email, year=timezone.localdate().year, send=False)

    # a donor's fundraising page (approved, with a photo), a sponsor's match, a subscriber to updates
    fundraiser = supporter_page(campaign, owner=donor, photo=photo_with_gps(size=(240, 180)))
    match = match_offer_create(
        campaign=campaign,
        sponsor_name="Northwind Foundation",
        ratio=1,
        cap=100_000,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=30),
        qualifies="both",
        created_by=staff,
    )
    subscription = update_subscription_opt_in(
        email=donor.email,
        wording=opt_in_wording(campaign),
        source=UpdateConsent.Source.DONATE_FORM,
        campaign=campaign,
        user=donor,
        language=PSEUDO,
    )
    # an in-kind need with two pledges: one the donor brought (received), one still to come
    need = inkind_need_create(
        actor=staff,
        title="Winter coats",
        description="Adult sizes, clean and warm.",
        quantity_needed=10,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
        dropoff="Back door of 12 Larkspur Lane, Tuesdays 9-12",
    )
    brought = inkind_pledge_create(
        need=need, quantity=2, name=donor.name, email=donor.email, user=donor, language=PSEUDO
    )
    inkind_pledge_receive(actor=staff, pledge=brought, quantity=2)
    pledge = inkind_pledge_create(need=need, quantity=3, name="Rosa Field", email="rosa@example.org")

    page = PageFactory(slug="about-us", title_en="About us", body_en="We answer the phone.")
    partner = PartnerServiceFactory()

    role = RoleFactory(coordinators=[coordinator])
    shift = ShiftFactory(role=role, capacity=5)
    booking = BookingFactory(shift=shift, volunteer=volunteer)
    BookingFactory(shift=shift, volunteer=colleague)
    later = ShiftFactory(
        role=role, starts_at=shift.starts_at + datetime.timedelta(days=1), capacity=1
    )  # full: a waitlist with an offer on it
    BookingFactory(shift=later, volunteer=colleague)
    offered = WaitlistEntryFactory(
        shift=later,
        volunteer=volunteer,
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + datetime.timedelta(hours=12),
    )
    swap = swap_offer_make(booking=booking, volunteer=volunteer, colleague_email=stand_in.email)
    report = hours_report(
        volunteer=volunteer,
        role=role,
        date=timezone.localdate() - datetime.timedelta(days=2),
        minutes=90,
        category=HoursCategory.TRAINING,
    )
    approved = hours_report(
        volunteer=volunteer,
        role=role,
        date=timezone.localdate() - datetime.timedelta(days=3),
        minutes=120,
        category=HoursCategory.OUTREACH,
    )
    hours_report_decide(report=approved, by=coordinator, approve=True)  # for the service letter
    kiosk, _token = kiosk_open(
        shift=shift, by=coordinator, now=shift.starts_at - datetime.timedelta(minutes=30)
    )
    application = RoleApplicationFactory(volunteer=volunteer)
    message = MessageFactory(
        kind="volunteers.booking_confirmation", recipient=volunteer.email, user=volunteer
    )

    world.objects = {
        "campaign": campaign,
        "gift": gift,
        "receipt": receipt,
        "monthly": monthly,
        "update": update,
        "statement": statement,
        "category": category,
        "fund": campaign.fund,
        "expenditure": expenditure,
        "page": page,
        "partner": partner,
        "role": role,
        "shift": shift,
        "booking": booking,
        "waitlist_entry": offered,
        "swap": swap,
        "hours_report": report,
        "kiosk": kiosk,
        "application": application,
        "message": message,
        "fundraiser": fundraiser,
        "match": match,
        "need": need,
        "pledge": pledge,
        "received_pledge": brought,
    }
    world.tokens = {
        "calendar": calendar_token_reset(user=volunteer),
        "waitlist_offer": waitlist_offer_token(offered),
        "swap": swap_offer_token(swap),
        "unsubscribe": unsubscribe_token(subscription),
    }
    return world


def known_content() -> KnownContent:
    """The database's text (free-text columns; a column with choices holds codes, shown through
    their translated labels), plus the organisation's settings (name, address, hotline numbers, time
    zone), the languages' own names and CLDR's names of languages."""
    from pages.context_processors import HOTLINE
    from pages.languages import directory_language_codes, language_name

    known = KnownContent()
    for model in apps.get_models():
        if model._meta.app_label not in CONTENT_APPS:
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if columns:
            for row in model._default_manager.values_list(*columns):
                known.add(*(value for value in row if isinstance(value, str) and value))
    known.add_settings(
        settings.HAVEN_ORG_NAME,
        settings.HAVEN_ORG_LEGAL_NAME,
        settings.HAVEN_ORG_ADDRESS,
        *(name for _code, name in settings.LANGUAGES),
        *(value for key, value in HOTLINE.items() if key != "name"),
        settings.TIME_ZONE,
        *_zone_abbreviations(),
        # languages a partner helps in, named by CLDR in the reader's language (pages/languages.py)
        *(language_name(code, language=PSEUDO) for code in directory_language_codes()),
    )
    return known


def _zone_abbreviations() -> set[str]:
    """The organisation's time zone as the tz database abbreviates it ("EST", "EDT")."""
    zone = timezone.get_default_timezone()
    year = timezone.now().year
    return {datetime.datetime(year, month, 1, 12, tzinfo=zone).tzname() for month in (1, 7)}
