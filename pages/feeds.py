"""The site-wide news feed (Atom): published pages and campaign updates, newest first. Beside each
campaign's own updates feed (campaigns/feeds.py). Titles, summaries and dates only: nothing about
donors, volunteers or anyone helped."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.access import public
from core.public_cache import public_cached

from . import selectors


class NewsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("News from %(org)s") % {"org": settings.HAVEN_ORG_NAME}

    def subtitle(self):
        return _("New pages and campaign updates from %(org)s.") % {"org": settings.HAVEN_ORG_NAME}

    def link(self):
        return reverse("pages:home")

    def feed_url(self):
        return reverse("pages:news_feed")

    def items(self):
        return selectors.news_items()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return settings.SITE_URL + item.url

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.updated


news_feed = public_cached("pages", "campaigns")(public(NewsFeed()))
