"""`{% load match_tags %}{% campaign_match campaign as match %}`: a campaign's match as its public
pages show it (campaigns.match_selectors.campaign_match), for includes shared by the campaign page
and the donate page."""

from django import template

from campaigns.match_selectors import campaign_match as _campaign_match
from campaigns.match_selectors import match_pledges_public

register = template.Library()


@register.simple_tag
def campaign_match(campaign):
    return _campaign_match(campaign)


@register.simple_tag
def match_pledges():
    return match_pledges_public()
