"""One person, one record (docs/housing-chain.md "One person, one record").

Before a client or an outreach subject is registered, the system shows
possible matches (referrals.services.person_matching); the user links the new
record to the existing one, or confirms that it is someone else. A link is a
row here and never a silent merge: it can be undone (unlinked_at), and both
are logged. Linking an outreach subject (an order without a client) to a
client sets the client on the order, so that its visits follow; undoing the
link clears it again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PersonLinkKind(models.TextChoices):
    SAME_PERSON = "same_person", _("The same person")
    NOT_SAME = "not_same", _("Someone else (confirmed)")


class PersonLink(models.Model):
    """`client` is the existing record; the other side is a second client
    record (`other_client`) or an outreach subject (`order`)."""

    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="person_links"
    )
    # Culling (referrals' culling_sources) deletes a file's links by
    # `client`; the links that name it from the other side go with it.
    other_client = models.ForeignKey(
        "referrals.Client", verbose_name=_("other client record"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="person_links_as_other",
    )
    order = models.ForeignKey(
        "referrals.Order", verbose_name=_("outreach subject"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="person_links",
    )
    kind = models.CharField(_("kind of link"), max_length=20, choices=PersonLinkKind.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    unlinked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("unlinked by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    unlinked_at = models.DateTimeField(_("unlinked"), null=True, blank=True)
    unlink_reason = models.CharField(_("why the link was undone"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("person link")
        verbose_name_plural = _("person links")
        ordering = ["-linked_at", "-id"]
        permissions = [("link_person", _("Can link records of the same person"))]
        constraints = [
            # Exactly one other side: services.person_matching writes one.
            models.CheckConstraint(
                condition=(Q(other_client__isnull=False) & Q(order__isnull=True))
                | (Q(other_client__isnull=True) & Q(order__isnull=False)),
                name="referrals_personlink_one_other_side",
            ),
            models.CheckConstraint(
                condition=Q(other_client__isnull=True) | ~Q(other_client=models.F("client")),
                name="referrals_personlink_not_self",
            ),
            # One link in force per pair: services.person_matching checks
            # first; undoing sets unlinked_at, so a new link can follow.
            models.UniqueConstraint(
                fields=["client", "other_client"], condition=Q(unlinked_at__isnull=True, other_client__isnull=False),
                name="referrals_personlink_one_per_clients",
            ),
            # An outreach subject is one person: one same-person link in force
            # per order (the order's client follows it); "someone else" may be
            # confirmed against several clients, once each.
            models.UniqueConstraint(
                fields=["order"], condition=Q(unlinked_at__isnull=True, order__isnull=False, kind="same_person"),
                name="referrals_personlink_one_per_order",
            ),
            models.UniqueConstraint(
                fields=["order", "client"], condition=Q(unlinked_at__isnull=True, order__isnull=False),
                name="referrals_personlink_one_per_order_client",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.linked_at:%Y-%m-%d}"

    @property
    def is_active(self):
        return self.unlinked_at is None

    @property
    def audit_client(self):
        return self.client
