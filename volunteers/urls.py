from django.urls import path

from . import calendar_views, checkin_views, group_views, hours_views, swap_views, texts_views, views

app_name = "volunteers"

urlpatterns = [
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/week/", calendar_views.shift_week, name="shift_week"),
    path("shifts/month/", calendar_views.shift_month, name="shift_month"),
    path("shifts/<int:shift_id>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:shift_id>/book/", views.shift_book, name="shift_book"),
    path("shifts/<int:shift_id>/waitlist/", views.shift_waitlist_join, name="shift_waitlist_join"),
    path("shifts/<int:shift_id>/calendar.ics", views.shift_ics, name="shift_ics"),
    path("me/shifts/", views.my_shifts, name="my_shifts"),
    path("me/shifts/bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("me/shifts/waitlist/<int:entry_id>/leave/", views.waitlist_leave, name="waitlist_leave"),
    path("me/volunteer/profile/", views.profile, name="profile"),
    path("me/volunteer/agreement/", views.agreement, name="agreement"),
    path("me/volunteer/roles/<int:role_id>/apply/", views.role_apply, name="role_apply"),
    path("me/volunteer/hours/", views.hours, name="hours"),
    path("me/volunteer/calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("waitlist/offers/<str:token>/", views.offer_confirm, name="offer_confirm"),
    path("shifts/<int:shift_id>/check-in/<str:code>/", checkin_views.self_check_in, name="self_check_in"),
    path("me/volunteer/check-in-pin/", checkin_views.check_in_pin, name="check_in_pin"),
    path("me/volunteer/hours/report/", hours_views.hours_report, name="hours_report"),
    path("me/volunteer/hours/letter/", hours_views.service_letter, name="service_letter"),
    path("staff/volunteer-hours/", hours_views.hours_summary, name="hours_summary"),
    path("staff/volunteer-hours.csv", hours_views.hours_summary_csv, name="hours_summary_csv"),
    path("me/volunteer/texts/", texts_views.texts_settings, name="texts"),
    path("me/shifts/bookings/<int:booking_id>/swap/", swap_views.swap_offer, name="swap_offer"),
    path("me/shifts/swaps/<int:offer_id>/withdraw/", swap_views.swap_withdraw, name="swap_withdraw"),
    path("shifts/swaps/<str:token>/", swap_views.swap_confirm, name="swap_confirm"),
    path("me/shifts/bookings/<int:booking_id>/group/", group_views.group_members, name="group_members"),
    path("kiosk/", checkin_views.kiosk, name="kiosk"),
    path("kiosk/check-in/", checkin_views.kiosk_check_in, name="kiosk_check_in"),
]

# Coordinator pages (volunteers/coordination_views.py) are appended below this line.
from django.urls import include  # noqa: E402

urlpatterns += [path("coordinate/", include("volunteers.coordination_urls"))]
