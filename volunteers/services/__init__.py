"""Every write in the volunteers app: keyword-only, typed, transactional, one module per concern.
Callers use the package (`services.shift_book(...)`); the modules are:

- `onboarding`: the volunteer profile and the confidentiality agreement
- `booking`: book a place, take a place a waitlist offer holds, cancel; the confirmation email
- `waitlist`: join and leave the queue of a full shift, offers of freed places and their links
- `reminders`: reminders before a shift (outbox messages due at UTC instants)
- `calendar`: the private calendar feed's secret
- `shifts`, `series`: a coordinator's one-off shifts and recurring series
- `attendance`: check-in, check-out, attended, no-show
- `checkin`: check-in at the door (the shift's QR code, the kiosk and its PIN or code), walk-ins
- `bulk_messages`: one message to everyone booked on the shifts of a day or a role
- `shift_messages`: messages and notices to the people booked on a shift
- `approvals`: role applications and approvals, requirement verifications
- `holds`: bookings on hold when their volunteer loses clearance (and the notices), see
  `volunteers.clearance`
- `digest`: the coordinators' daily digest
- `groups`: the members of a group booking (several places booked at once where a role allows it)
- `swaps`: a booked volunteer's place offered to a named colleague, who takes it by link
- `texts`: text messages (consent, STOP/START, quiet hours, reminder and shift-message texts)
- `hours`: off-roster time reported by volunteers, approved by a coordinator of the role

`locks` holds the lock order (the volunteer's profile, then the shift, then the shift's rows), and
`capacity` counts taken places under those locks. Who may book what is decided by the check
functions of `volunteers.booking_rules`.
"""

from .approvals import (
    requirement_verification_record,
    role_application_decide,
    role_apply,
    role_approval_grant,
    role_approval_revoke,
)
from .attendance import booking_check_in, booking_check_out, booking_mark_attended, booking_mark_no_show
from .booking import booking_cancel, shift_book, waitlist_offer_accept
from .bulk_messages import bulk_message_send
from .calendar import (
    calendar_token_hash,
    calendar_token_reset,
    calendar_token_revoke,
    calendar_user_for_token,
)
from .checkin import (
    CheckInRefused,
    WrongCode,
    booking_self_check_in,
    check_in_pin_set,
    kiosk_check_in,
    kiosk_close,
    kiosk_open,
    shift_walk_in,
)
from .digest import coordinator_digest_send, coordinator_digests_send
from .errors import CapacityBelowBooked, CoordinationError
from .groups import group_members_name
from .holds import HoldChanges, booking_holds_sync, booking_holds_sync_all
from .hours import HoursError, hours_report, hours_report_decide, may_decide_hours
from .local_time import local_instant
from .onboarding import agreement_sign, volunteer_onboarding_complete, volunteer_profile_save
from .reminders import booking_reminders, reminders_cancel, reminders_reschedule_for_shift, reminders_schedule
from .series import shift_series_create, shift_series_update_future
from .shift_messages import shift_message_send
from .shifts import shift_cancel, shift_capacity_set, shift_create, shift_update
from .swaps import (
    SwapError,
    swap_offer_accept,
    swap_offer_from_token,
    swap_offer_make,
    swap_offer_respond,
    swap_offer_token,
)
from .texts import (
    TextsError,
    consent_wording,
    sms_due_at,
    sms_keyword_received,
    sms_opt_in,
    sms_opt_out,
    texts_available,
)
from .waitlist import (
    waitlist_join,
    waitlist_leave,
    waitlist_offer_from_token,
    waitlist_offer_next,
    waitlist_offer_token,
    waitlist_offers_expire,
)

__all__ = [
    "bulk_message_send",
    "group_members_name",
    "SwapError",
    "swap_offer_accept",
    "swap_offer_from_token",
    "swap_offer_make",
    "swap_offer_respond",
    "swap_offer_token",
    "TextsError",
    "consent_wording",
    "sms_due_at",
    "sms_keyword_received",
    "sms_opt_in",
    "sms_opt_out",
    "texts_available",
    "HoursError",
    "hours_report",
    "hours_report_decide",
    "may_decide_hours",
    "CheckInRefused",
    "WrongCode",
    "booking_self_check_in",
    "check_in_pin_set",
    "kiosk_check_in",
    "kiosk_close",
    "kiosk_open",
    "shift_walk_in",
    "CapacityBelowBooked",
    "CoordinationError",
    "HoldChanges",
    "agreement_sign",
    "booking_cancel",
    "booking_check_in",
    "booking_check_out",
    "booking_holds_sync",
    "booking_holds_sync_all",
    "booking_mark_attended",
    "booking_mark_no_show",
    "calendar_token_hash",
    "calendar_token_reset",
    "calendar_token_revoke",
    "calendar_user_for_token",
    "coordinator_digest_send",
    "coordinator_digests_send",
    "local_instant",
    "booking_reminders",
    "reminders_cancel",
    "reminders_reschedule_for_shift",
    "reminders_schedule",
    "requirement_verification_record",
    "role_application_decide",
    "role_approval_grant",
    "role_approval_revoke",
    "role_apply",
    "shift_book",
    "shift_cancel",
    "shift_capacity_set",
    "shift_create",
    "shift_message_send",
    "shift_series_create",
    "shift_series_update_future",
    "shift_update",
    "volunteer_onboarding_complete",
    "volunteer_profile_save",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_accept",
    "waitlist_offer_from_token",
    "waitlist_offer_next",
    "waitlist_offer_token",
    "waitlist_offers_expire",
]
