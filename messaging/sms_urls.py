"""The SMS provider's inbound webhook (names: "sms:<name>")."""

from django.urls import path

from . import sms_views

app_name = "sms"

urlpatterns = [path("inbound/", sms_views.inbound, name="inbound")]
