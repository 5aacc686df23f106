"""The words a fresh install starts with on the four pages that have a purpose (home, learn the
signs, how you can help, find help). Staff change them from /staff/pages/; this module only seeds
them (the data migration 0002 and the demo call `purpose_pages_ensure`). English only: a Spanish
translation is entered by staff, and until then Spanish visitors read the English.

Plain data and one function taking the model class, so the migration can pass its historical model."""

from __future__ import annotations

HOME_BODY = """\
## What your support pays for

- **Emergency housing**: safe rooms the same night, and help finding a home after.
- **Medical care**: clinic visits, medication and dental care, without questions about status.
- **Legal help**: immigration, protective orders and clearing records, with trusted attorneys.
- **Crisis counseling**: trauma-informed counselors, day or night.
- **Education and job training**: classes, certificates and paid placements toward independence.
- **Community support**: mentors, peer groups and everyday help rebuilding a life.

Every gift is recorded, and what we spend is published by category on our [open books](/transparency/).
"""

LEARN_THE_SIGNS_BODY = """\
Human trafficking is making someone work, or sell sex, through force, fraud or coercion; and any
commercial sex involving someone under 18. It happens in homes, on farms, in restaurants, hotels,
salons, factories and building sites, and online. It happens to people of every age, gender and
background, to citizens and to people who came from elsewhere.

## Signs that something may be wrong

No single sign proves anything, and most have innocent explanations. Several together are a reason
to ask for advice. Someone who is being trafficked may:

- not hold their own passport, ID or bank card, or not be allowed to keep the money they earn;
- owe a debt to an employer or recruiter that keeps growing and can never be paid off;
- seem afraid of someone, or always be with a person who speaks for them;
- not be free to leave their work or where they stay, or not know the address;
- live where they work, or in crowded housing the employer arranged;
- work very long hours with few breaks, for little or no pay;
- show injuries, exhaustion, untreated illness or hunger;
- tell a story that sounds rehearsed, or that changes;
- be under 18 and involved in commercial sex in any way.

## What to do

- **If someone is in immediate danger, call 911.**
- Call the National Human Trafficking Hotline at 1-888-373-7888 (TTY 711), or text 233733, and tell
  them what you saw. You do not have to be sure.
- Write down what you noticed: dates, times, places and descriptions. Facts, not guesses.
- If you can talk with the person privately and safely, listen without judging and let them know
  that help exists. Let them decide what happens next.
- Look after yourself as well: what you saw may stay with you.

## What not to do

- Do not confront someone you suspect, and do not try to rescue anyone yourself: it can put the
  person, and you, in danger.
- Do not question the person about what happened to them, or press them to tell their story.
- Do not promise what you cannot be sure of, such as a place to stay or a legal outcome.
- Do not post photos, names or details online.
- Do not decide for them, for example by contacting their employer or family, unless someone is in
  immediate danger.

If you, or someone you know, needs support, the [Find help](/find-help/) page lists services by need.
"""

HOW_YOU_CAN_HELP_BODY = """\
## Learn the signs

Knowing what trafficking can look like is the first step. Read our guide to
[the signs, and what to do and not to do](/learn-the-signs/), and keep the hotline number in your phone.

## Tell others

Many people never hear how close to home trafficking happens. Share this page, or the guide to the
signs, with friends and family, a school or a workplace, in an email or a message of your own. The
links below are plain links: no sharing buttons, nothing that follows you around the web.

## Speak up for change

- Ask the people who represent you how they support survivors: housing, legal help, and protection
  for people who come forward.
- Ask your employer, school or place of worship to train people to recognise the signs.
- When you talk or post about trafficking, protect survivors' privacy: no names, faces or places,
  and let survivors tell their own stories when and if they choose.

## Buy with care

Forced labour hides in the supply chains of everyday things: clothes, phones, seafood, chocolate,
coffee and more.

- Ask the brands you buy from how they check their suppliers for forced labour, and prefer the ones
  that publish what they find.
- Choose independently certified and fair-trade products where they exist, knowing that a label is
  not a guarantee.
- Buy from social enterprises that employ survivors and pay them fairly.
- Pay fairly for work done in and around your home, and ask who does it.
"""

FIND_HELP_BODY = """\
Whatever you need, you can start with the hotline: it is confidential and answers day and night.
If you are in immediate danger, call 911.

The services below are organisations we work with. We list how to reach them, never where anyone
stays. If a listing is out of date, please let us know.
"""

PURPOSE_PAGES = [
    {
        "purpose": "home",
        "slug": "home",
        "title": "Safety, care and a future for survivors of human trafficking",
        "summary": (
            "We fund and staff the help survivors need, the night they need it and for as long as it takes."
        ),
        "body": HOME_BODY,
        "in_navigation": False,
        "nav_position": 10,
    },
    {
        "purpose": "find_help",
        "slug": "find-help",
        "title": "Find help",
        "summary": (
            "Services for survivors of human trafficking and the people who support them, grouped by "
            "need, with their public contact details."
        ),
        "body": FIND_HELP_BODY,
        "in_navigation": True,
        "nav_position": 20,
    },
    {
        "purpose": "learn_the_signs",
        "slug": "learn-the-signs",
        "title": "Learn the signs",
        "summary": (
            "Trafficking often hides in plain sight. What to look for, and what to do and not to do if "
            "you think someone is being trafficked."
        ),
        "body": LEARN_THE_SIGNS_BODY,
        "in_navigation": True,
        "nav_position": 30,
    },
    {
        "purpose": "how_you_can_help",
        "slug": "how-you-can-help",
        "title": "How you can help",
        "summary": "Give where money is short, give your time, tell others, speak up and buy with care.",
        "body": HOW_YOU_CAN_HELP_BODY,
        "in_navigation": True,
        "nav_position": 40,
    },
]


def purpose_pages_ensure(page_model, *, now) -> int:
    """Creates each page with a purpose that does not exist yet (published, in English); leaves
    existing ones as staff wrote them. Returns how many it created."""
    created = 0
    for spec in PURPOSE_PAGES:
        if page_model.objects.filter(purpose=spec["purpose"]).exists():
            continue
        slug = spec["slug"]
        if page_model.objects.filter(slug=slug).exists():  # an ordinary page took the address
            slug = f"{slug}-{spec['purpose'].replace('_', '-')}"
        page_model.objects.create(
            purpose=spec["purpose"],
            slug=slug,
            title=spec["title"],
            title_en=spec["title"],
            summary=spec["summary"],
            summary_en=spec["summary"],
            body=spec["body"],
            body_en=spec["body"],
            is_published=True,
            published_at=now,
            in_navigation=spec["in_navigation"],
            nav_position=spec["nav_position"],
        )
        created += 1
    return created
