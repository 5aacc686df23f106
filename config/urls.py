from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth (rate limits, MFA, email verification) instead of its own form.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("i18n/", include("accounts.i18n_urls")),
    path("", include("pages.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("staff/people/", include("accounts.staff_urls")),
    path("staff/messages/", include("messaging.urls")),
    path("sms/", include("messaging.sms_urls")),
    path("", include("campaigns.urls")),
    path("", include("donations.urls")),
    path("", include("volunteers.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("core.dev_urls"))]

handler403 = "pages.views.permission_denied"
# allauth answers every rate limit through this (allauth.core.internal.ratelimit.respond_429).
handler429 = "pages.views.too_many_requests"
handler404 = "pages.views.page_not_found"
handler500 = "pages.views.server_error"
