"""Coordinator pages under /coordinate/ (names: "volunteers:coordinate:<name>")."""

from django.urls import path

from . import bulk_views, checkin_views, hours_views
from . import coordination_views as views

app_name = "coordinate"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("shifts/new/", views.shift_new, name="shift_new"),
    path("series/new/", views.series_new, name="series_new"),
    path("shifts/<int:shift_id>/", views.roster, name="roster"),
    path("shifts/<int:shift_id>/print/", views.roster_print, name="roster_print"),
    path("shifts/<int:shift_id>/roster.csv", views.roster_csv, name="roster_csv"),
    path("shifts/<int:shift_id>/edit/", views.shift_edit, name="shift_edit"),
    path("shifts/<int:shift_id>/capacity/", views.shift_capacity, name="shift_capacity"),
    path("shifts/<int:shift_id>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("shifts/<int:shift_id>/message/", views.shift_message, name="shift_message"),
    path("shifts/<int:shift_id>/kiosk/", checkin_views.kiosk_open, name="kiosk_open"),
    path("shifts/<int:shift_id>/walk-in/", checkin_views.walk_in, name="walk_in"),
    path("kiosks/<int:kiosk_id>/close/", checkin_views.kiosk_close, name="kiosk_close"),
    path("message/", bulk_views.bulk_message, name="bulk_message"),
    path("hours/", hours_views.hours_pending, name="hours_pending"),
    path("hours/<int:report_id>/decide/", hours_views.hours_decide, name="hours_decide"),
    path("bookings/<int:booking_id>/attendance/", views.booking_attendance, name="booking_attendance"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/approve/", views.volunteer_approve_by_email, name="approve_by_email"),
    path("volunteers/<int:volunteer_id>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:volunteer_id>/approval/", views.volunteer_approval, name="volunteer_approval"),
    path(
        "volunteers/<int:volunteer_id>/verification/",
        views.volunteer_verification,
        name="volunteer_verification",
    ),
    path("applications/<int:application_id>/decide/", views.application_decide, name="application_decide"),
]
