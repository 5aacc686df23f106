"""The one form-field component (core/forms.py, templates/includes/form_field.html) and the error
summary every form page shows (templates/includes/error_summary.html)."""

import re

import pytest
from django import forms

from core.forms import PhoneInput


class _Example(forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your ID.")
    phone = forms.CharField(
        label="Your phone", required=False, widget=PhoneInput(attrs={"autocomplete": "tel"})
    )
    days = forms.MultipleChoiceField(
        label="Days", choices=[("mon", "Monday"), ("tue", "Tuesday")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_every_described_by_id_exists_and_no_id_repeats():
    # given a form sent with every field wrong
    html = str(_Example(data={"phone": "x"}))

    # then ids are unique, and every aria-describedby names ids on the page
    ids = _ids(html)
    assert len(ids) == len(set(ids))
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for ref in described.split():
            assert ref in ids, f"aria-describedby names {ref}, which is not on the page"
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert html.count('name="phone"') == 1


def test_the_summary_links_each_error_to_its_input(rf):
    from django.template.loader import render_to_string

    form = _Example(data={})
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    page = str(form)

    assert 'role="alert"' in html and "error-summary.js" in html
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets == ["id_name", "id_days_0", "id_agree"]
    for target in targets:
        assert f'id="{target}"' in page


@pytest.mark.django_db
def test_a_form_page_with_errors_says_so_in_its_title(client):
    # when the sign-in form is sent with a wrong password
    response = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password"})
    body = response.content.decode()

    # then the title starts with "Error:" and the summary, announced, carries the message
    assert re.search(r"<title>\s*Error: ", body)
    assert 'class="error-summary" role="alert"' in body


@pytest.mark.django_db
def test_a_page_that_places_its_own_summary_shows_exactly_one(client):
    # the donate form puts the summary under its heading; base.html must not add a second one
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(slug="safe-nights")
    body = client.post(f"/campaigns/{campaign.slug}/donate/", {"custom_amount": "12.345"}).content.decode()

    assert body.count("data-error-summary") == 1
    assert re.search(r"<title>\s*Error: (?!Error:)", body)
