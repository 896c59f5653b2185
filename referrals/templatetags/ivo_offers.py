"""The IVO offers log on the decision page (referrals.offer_keepers)."""

from django import template

from ..offer_keepers import kept_on_page

register = template.Library()


@register.filter
def offer_is_kept(offer) -> bool:
    """{% if offer|offer_is_kept %}: is the row kept by another app's record
    (an apartment offered from a vacancy)? Then it is not edited here. One
    query for all the decision's rows (the prefetched offers carry their
    decision, where the answer is kept)."""
    return offer.pk in kept_on_page(offer.decision)
