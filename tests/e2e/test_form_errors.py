"""Every form, sent with mistakes, answers as GOV.UK's do: the page title starts with "Error:", an
error summary at the top is announced (role=alert) and takes the keyboard focus, each of its links
leads to a field that exists and puts the focus there, each field in error names its message with
aria-describedby, and axe finds nothing serious or critical on the page in that state."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import browser, page  # noqa: F401  (shared browser fixtures)
from tests.e2e.test_accessibility import AXE_OPTIONS, _seed, _sign_in
from tests.factories import AgreementFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _uncheck_all(page):  # noqa: F811
    for box in page.locator("main form input[type=checkbox]:checked").all():
        box.uncheck()


def _wrong_password(page):  # noqa: F811
    page.fill("#id_login", "donor@example.org")
    page.fill("#id_password", "not-the-password")


def _weekly_without_days(page):  # noqa: F811
    page.check("input[name=frequency][value=weekly]")
    _uncheck_all(page)


# (name, who, path, what to do before sending, the submit button, errors expected at least)
FORMS = [
    ("sign-in", None, "/accounts/login/", _wrong_password, "main form button[type=submit]", 1),
    ("sign-up", None, "/accounts/signup/?as=volunteer", None, "main form button[type=submit]", 3),
    ("sign-in-code", None, "/accounts/login/code/", None, "main form button[type=submit]", 1),
    ("password-reset", None, "/accounts/password/reset/", None, "main form button[type=submit]", 1),
    (
        "volunteer-profile",
        "newcomer",
        "/me/volunteer/profile/",
        _uncheck_all,
        "main form button[type=submit]",
        3,
    ),
    ("new-shift", "coordinator", "/coordinate/shifts/new/", None, "main form button[type=submit]", 3),
    (
        "new-series",
        "coordinator",
        "/coordinate/series/new/",
        _weekly_without_days,
        "main form button[type=submit]",
        3,
    ),
    (
        "edit-shift",
        "coordinator",
        "/coordinate/shifts/{shift}/edit/",
        "clear",
        "main form button[type=submit]",
        1,
    ),
    (
        "message-shift",
        "coordinator",
        "/coordinate/shifts/{shift}/message/",
        None,
        "main form button[type=submit]",
        1,
    ),
    ("staff-new-page", "staff", "/staff/pages/new/", None, "main form button[name=action][value=save]", 1),
    ("staff-new-service", "staff", "/staff/find-help/new/", None, "main form button[type=submit]", 1),
    ("staff-new-campaign", "staff", "/staff/campaigns/new/", None, "main form button[type=submit]", 1),
    ("staff-new-spending", "staff", "/staff/expenditures/new/", None, "main form button[type=submit]", 1),
    ("staff-offline-gift", "staff", "/staff/donations/offline/", None, "main form button[type=submit]", 1),
]


@pytest.mark.parametrize(
    ("name", "who", "path", "prepare", "submit", "at_least"), FORMS, ids=[f[0] for f in FORMS]
)
def test_a_form_sent_with_mistakes_says_what_is_wrong_and_where(
    page,  # noqa: F811
    live_server,
    name,
    who,
    path,
    prepare,
    submit,
    at_least,
):
    # given the form, opened by the person it is for
    campaign, shift, people = _seed()
    people["newcomer"] = UserFactory(email="new@example.org")
    AgreementFactory()
    if who:
        _sign_in(page, live_server, people[who])
    response = page.goto(path.format(shift=shift.pk, campaign=campaign.slug))
    assert response.status < 400, f"{name}: {path} answered {response.status}"

    # when it is sent empty or wrong (the browser's own checks set aside, as many phones skip them)
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    if prepare == "clear":
        for field in page.locator("main form input[type=text], main form input[type=number]").all():
            field.fill("")
    elif prepare:
        prepare(page)
    with page.expect_navigation():
        page.locator(submit).first.click()

    # then the title says so and the summary, announced, holds the focus
    assert page.title().startswith("Error: "), f"{name}: title is {page.title()!r}"
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1 and summary.get_attribute("role") == "alert"
    page.wait_for_function("document.activeElement && document.activeElement.matches('[data-error-summary]')")
    links = summary.locator("a[href^='#']")
    items = summary.locator("li")
    assert items.count() >= at_least, f"{name}: {items.count()} errors listed"

    # and every link leads to a field that exists and takes the focus
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        assert page.locator(f"[id='{target}']").count() == 1, (
            f"{name}: the summary links to #{target}, not on the page"
        )
    if links.count():
        first = links.first.get_attribute("href")[1:]
        links.first.click()
        assert page.evaluate("document.activeElement.id") == first

    # and each field in error points at ids that exist
    broken = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
             el.getAttribute('aria-describedby').split(/\\s+/).filter(id => !document.getElementById(id))
               .map(id => (el.id || el.tagName) + ' -> ' + id))"""
    )
    assert not broken, f"{name}: aria-describedby names missing ids: {broken}"

    # and axe finds nothing serious in the error state
    results = Axe().run(page, options=AXE_OPTIONS)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in bad
    )
