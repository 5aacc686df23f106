"""An Atom feed of a campaign's published updates (titles, bodies, dates: nothing about donors)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from accounts.roles import public
from core.public_cache import public_cached

from .models import Campaign, CampaignUpdate


class CampaignUpdatesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        campaign = Campaign.objects.filter(slug=slug, is_published=True).first()
        if campaign is None:
            raise Http404("No such campaign.")
        return campaign

    def title(self, campaign):
        return f"{campaign.title}: updates"

    def link(self, campaign):
        return reverse("campaigns:detail", args=[campaign.slug])

    def subtitle(self, campaign):
        return campaign.summary

    def items(self, campaign):
        return CampaignUpdate.objects.filter(
            campaign=campaign, is_published=True, published_at__lte=timezone.now()
        ).order_by("-published_at")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return reverse("campaigns:detail", args=[item.campaign.slug]) + f"#update-{item.pk}"

    def item_pubdate(self, item):
        return item.published_at


campaign_updates_feed = public_cached("campaigns")(public(CampaignUpdatesFeed()))
