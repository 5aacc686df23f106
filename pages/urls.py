from django.urls import path

from . import feeds, staff_views, views

app_name = "pages"

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("browsing-safely/", views.browsing_safely, name="browsing_safely"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("learn-the-signs/", views.learn_the_signs, name="learn_the_signs"),
    path("how-you-can-help/", views.how_you_can_help, name="how_you_can_help"),
    path("find-help/", views.find_help, name="find_help"),
    path("pages/<slug:slug>/", views.page_detail, name="page"),
    path("news.atom", feeds.news_feed, name="news_feed"),
    # Staff: the pages they write, and the directory.
    path("staff/pages/", staff_views.page_list, name="staff_page_list"),
    path("staff/pages/new/", staff_views.page_create, name="staff_page_create"),
    path("staff/pages/<int:pk>/", staff_views.page_edit, name="staff_page_edit"),
    path("staff/pages/<int:pk>/preview/", staff_views.page_preview, name="staff_page_preview"),
    path("staff/pages/<int:pk>/publish/", staff_views.page_publish, name="staff_page_publish"),
    path("staff/pages/<int:pk>/unpublish/", staff_views.page_unpublish, name="staff_page_unpublish"),
    path("staff/pages/<int:pk>/move/", staff_views.page_move, name="staff_page_move"),
    path("staff/pages/<int:pk>/delete/", staff_views.page_delete, name="staff_page_delete"),
    path("staff/find-help/", staff_views.directory_list, name="staff_directory"),
    path("staff/find-help/new/", staff_views.directory_create, name="staff_directory_create"),
    path("staff/find-help/<int:pk>/", staff_views.directory_edit, name="staff_directory_edit"),
    path("staff/find-help/<int:pk>/move/", staff_views.directory_move, name="staff_directory_move"),
    path("staff/find-help/<int:pk>/delete/", staff_views.directory_delete, name="staff_directory_delete"),
]
