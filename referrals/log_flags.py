"""Flags on access-log rows, for the log review (audit.views.log_search).

A flag is a condition on a log row that a reviewer wants to look at first:
the client has protected personal data; the reading user has no relation to
the client; the client belongs to another unit than the user's. Only
referrals knows clients and orders, and audit sits below it, so referrals
declares them (`ReferralsConfig.access_log_flags`, collected by
`audit.flags`) as conditions on the log row's own columns (`client_id`,
`user_id`): one SQL query filters and marks a whole page whatever its
length, and no client instance is built (nothing new is "read").

"No relation" is judged against the records as they are now: the user is
the client's responsible case officer, or ordered one of the client's
orders, or is or was one of its two bolotsar. A read by anyone else (a
colleague covering, a manager opening the file) is not wrong in itself; it
is what a reviewer checks first (issue 13 builds the monthly review on it).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Client, Order, ProtectionLevel

PROTECTED = "skyddad"
NO_RELATION = "ingen-relation"
OTHER_UNIT = "annan-enhet"


def _protected() -> Q:
    return Q(Exists(Client.objects.filter(pk=OuterRef("client_id")).exclude(protection_level=ProtectionLevel.NONE)))


def _related() -> Q:
    user = OuterRef("user_id")
    officer = Client.objects.filter(pk=OuterRef("client_id"), responsible_officer_id=user)
    orders = Order.objects.filter(client_id=OuterRef("client_id")).filter(
        Q(ordered_by_id=user) | Q(active_pilot_id=user) | Q(passive_pilot_id=user)
    )
    return Q(Exists(officer)) | Q(Exists(orders))


def _no_relation() -> Q:
    return Q(client_id__isnull=False) & ~_related()


def _other_unit() -> Q:
    return Q(Exists(Client.objects.filter(pk=OuterRef("client_id")).exclude(unit_id=OuterRef("user__unit_id"))))


def flags() -> list[dict]:
    """code (in the session and the form, never personal data), label, the
    short badge shown on a row, and the condition."""
    return [
        {"code": PROTECTED, "label": _("About a client with protected personal data"),
         "badge": _("Protected"), "condition": _protected},
        {"code": NO_RELATION, "label": _("The user has no relation to the client"),
         "badge": _("No relation"), "condition": _no_relation},
        {"code": OTHER_UNIT, "label": _("The client belongs to another unit than the user"),
         "badge": _("Other unit"), "condition": _other_unit},
    ]
