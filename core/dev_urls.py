"""Pages that exist only with DEBUG on (the demo): the mail outbox."""

from django.urls import path

from . import dev_views as views

urlpatterns = [
    path("outbox/", views.outbox, name="dev_outbox"),
    path("outbox/<str:name>/", views.outbox_message, name="dev_outbox_message"),
    path("outbox/<str:name>/html/", views.outbox_message_html, name="dev_outbox_message_html"),
]
