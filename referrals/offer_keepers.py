"""Rows of a decision's IVO offers log that a higher app keeps in line with
a record of its own (docs/housing-chain.md, "Matching and offers").

An apartment offered from a vacancy (tenancies.services.offers) writes its
row of the IVO offers log (referrals.Offer) and rewrites it when the offer
is answered, withdrawn or completed by the move-in. Edited by hand on the
decision page, the row could say "declined" of an offer that was accepted:
so the fields the app writes (the date, what was offered, the answer and
the reason) are changed only through the app's own record. referrals cannot
name it (the layers), so each app declares on its AppConfig:

    ivo_offer_keepers = ["tenancies.services.offers.kept_ivo_offers"]

- `kept(offer_ids) -> set[int]`: the ids among `offer_ids` (referrals.Offer)
  that a record of the app keeps; one query for any number.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.utils.module_loading import import_string

# The fields of a kept row that only its keeper writes.
KEPT_FIELDS = ("offered_on", "description", "answer", "decline_reason")


def _keepers() -> list:
    return [import_string(path) for config in apps.get_app_configs()
            for path in getattr(config, "ivo_offer_keepers", ())]


def kept_ids(offer_ids: Iterable[int]) -> set[int]:
    """The ids among `offer_ids` that another app's record keeps."""
    ids = [pk for pk in offer_ids if pk is not None]
    found: set[int] = set()
    if not ids:
        return found
    for kept in _keepers():
        found |= set(kept(ids))
    return found


def is_kept(offer) -> bool:
    return offer.pk in kept_ids([offer.pk])


def kept_on_page(decision) -> set[int]:
    """The kept ids among a decision's offers, read once per page: the
    decision page asks per row (templatetags `offer_is_kept`), and the
    prefetched offers carry their decision, which holds the answer."""
    cached = getattr(decision, "_kept_offer_ids", None)
    if cached is None:
        cached = kept_ids(offer.pk for offer in decision.offers.all())
        decision._kept_offer_ids = cached
    return cached
