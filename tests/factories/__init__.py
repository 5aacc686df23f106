"""factory_boy factories, one module per app, all importable from here."""

from .accounts import UserFactory  # noqa: F401
from .campaigns import (  # noqa: F401
    AllocationPlanFactory,
    CampaignFactory,
    CampaignUpdateFactory,
    ExpenditureFactory,
    FundFactory,
    ImpactUnitFactory,
    SpendingCategoryFactory,
)
from .donations import (  # noqa: F401
    DonationFactory,
    PendingDonationFactory,
    ReceiptFactory,
    RecurringGiftFactory,
)
from .messaging import MessageFactory  # noqa: F401
from .pages import PageFactory, PartnerServiceFactory  # noqa: F401
from .volunteers import (  # noqa: F401
    AgreementFactory,
    AgreementSignatureFactory,
    BookingFactory,
    RequirementFactory,
    RequirementVerificationFactory,
    RoleApplicationFactory,
    RoleApprovalFactory,
    RoleFactory,
    ShiftFactory,
    ShiftSeriesFactory,
    VolunteerProfileFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
