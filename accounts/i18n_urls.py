"""/i18n/: the language switcher posts here (named as Django's, so `{% url 'set_language' %}` reads as
usual), and the JavaScript catalogue."""

from django.urls import path

from .views import javascript_catalog, language_set

urlpatterns = [
    path("setlang/", language_set, name="set_language"),
    path("js/", javascript_catalog, name="javascript-catalog"),
]
