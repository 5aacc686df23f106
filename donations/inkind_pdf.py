"""The printable acknowledgement of an in-kind gift: what was received, when, from whom, and that no
value is stated (the organisation does not value goods for the donor). Laid out by `core.pdf`, in the
active language (the view and the email set the supporter's)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.pdf import Document

from .pdf import CommonText, _local_date, _org_name


class AcknowledgementText:
    document = _("In-kind gift acknowledgement")
    footer = _("{org} · In-kind gift acknowledgement")
    donor = _("Donor")
    email = _("Email")
    date = _("Date received")
    items = _("Items received")
    items_value = _("{quantity} × {item}")
    for_need = _("Requested for")
    thanks = _(
        "Thank you for your gift of goods. This letter acknowledges what you gave; it does not state a value."
    )
    no_value = _(
        "No goods or services were provided in exchange for this gift. {org} does not assign a value to "
        "in-kind gifts: any value you claim for your own records is for you to determine."
    )


def acknowledgement_pdf(*, pledge) -> bytes:
    org = _org_name()
    doc = Document(
        title=str(AcknowledgementText.document),
        author=org,
        footer=str(AcknowledgementText.footer).format(org=org),
        page_label=str(CommonText.page),
    )
    doc.letterhead(
        org, [settings.HAVEN_ORG_ADDRESS, str(CommonText.tax_id).format(tax_id=settings.HAVEN_ORG_TAX_ID)]
    )
    doc.title(str(AcknowledgementText.document))
    rows = [
        (str(AcknowledgementText.donor), pledge.name),
        (str(AcknowledgementText.email), pledge.email),
        (str(AcknowledgementText.date), _local_date(pledge.received_at)),
        (
            str(AcknowledgementText.items),
            str(AcknowledgementText.items_value).format(
                quantity=pledge.quantity_received, item=pledge.need.title
            ),
        ),
    ]
    if pledge.need.campaign_id:
        rows.append((str(AcknowledgementText.for_need), pledge.need.campaign.title))
    doc.key_values(rows)
    doc.space(6)
    doc.text(str(AcknowledgementText.thanks), after=3)
    doc.text(str(AcknowledgementText.no_value).format(org=org))
    return doc.output()
