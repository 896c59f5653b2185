"""The decision page's housing panel (TenanciesConfig.decision_panels,
rendered by referrals.decision_panels): for a granted apartment decision,
what it needs of an apartment (and when and by whom that was set), the
priority in force on the waiting list (and how long its history is), and
the apartments offered for it; with links to the waiting-list pages where
the needs and the priority are edited, for those allowed to.

Access: the decision page fetched the decision through
accounts.access.fetch_visible, which refused an outsider (404) and logged
the view of the client; everything here is that client's and is read by
the decision's id, without loading the client again (no second read row).
Each part shows only to holders of its view permission.

Protected personal data (referrals.protection): the page names its
client, so an offer's apartment (address, object number, area, the offer's
own page) is shown only to a user who may see where the client lives;
anyone else sees the dates and the answer, and "Lägenheten visas inte".
The apartment is then not even read.

Queries: at most four, whatever the number of offers or priorities: the
needs with who saved them last (a subquery), the needs' areas (only when
there are needs), the priority in force with the size of its history (a
window count), the offers with their apartments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, OuterRef, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim

from audit.models import AccessAction, AccessLogEntry
from referrals import protection
from referrals.models import DecisionKind

from .models import ApartmentOffer, HousingNeeds, WaitingPriority
from .services.waiting import is_waiting, needs_parts

if TYPE_CHECKING:
    from django.http import HttpRequest

    from referrals.models import Decision


@dataclass
class WaitingPanel:
    """What the panel template shows; a part the user may not see is None
    (needs, priority) or left out (offers: `shows_offers`)."""

    decision: Decision
    is_waiting: bool
    shows_needs: bool
    shows_priority: bool
    shows_offers: bool
    apartment_visible: bool
    can_edit_needs: bool
    can_set_priority: bool
    needs: HousingNeeds | None = None
    needs_parts: list[str] = field(default_factory=list)
    priority: WaitingPriority | None = None
    offers: list[ApartmentOffer] = field(default_factory=list)

    @property
    def earlier_priorities(self) -> int:
        """How many priorities the one in force replaced (its history)."""
        return self.priority.history_size - 1 if self.priority is not None else 0


def _user_label():
    """SQL of str(user) (accounts.User.__str__: the full name, else the username)."""
    full_name = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    return Coalesce(NullIf(full_name, Value("")), "username", output_field=CharField())


def _needs(decision: Decision) -> HousingNeeds | None:
    """The decision's needs, with `saved_by` (the user whose save wrote the
    newest create or update row of the access log: the needs keep no author
    of their own, and a first save writes no field history) in the same
    query; the areas are prefetched (one more query, only when found)."""
    saves = AccessLogEntry.objects.filter(
        client_id=decision.client_id,  # the log's (client, time) index
        object_type=HousingNeeds._meta.label_lower,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        action__in=[AccessAction.CREATE, AccessAction.UPDATE],
    ).order_by("-at", "-id")
    saver = get_user_model().objects.filter(pk=OuterRef("saved_by_id")).annotate(label=_user_label())
    return (
        HousingNeeds.objects.filter(decision_id=decision.pk)
        .annotate(saved_by_id=Subquery(saves.values("user")[:1]))
        .annotate(saved_by=Subquery(saver.values("label")[:1]))
        .prefetch_related("areas")
        .first()
    )


def _priority(decision: Decision) -> WaitingPriority | None:
    """The priority in force (the newest), with `history_size`: how many
    priorities the decision has had, this one included."""
    return (
        WaitingPriority.objects.filter(decision_id=decision.pk)
        .select_related("set_by")
        .annotate(history_size=Window(Count("pk")))
        .order_by("-set_at", "-id")
        .first()
    )


def _offers(decision: Decision, apartment_visible: bool) -> list[ApartmentOffer]:
    """The decision's apartment offers, newest first; with their apartments
    only when the user may see them beside this client."""
    offers = ApartmentOffer.objects.filter(decision_id=decision.pk).order_by("-offered_on", "-id")
    if apartment_visible:
        offers = offers.select_related("apartment__area")
    return list(offers)


def panel_context(request: HttpRequest, decision: Decision) -> dict:
    """The panel's context: {"waiting_panel": WaitingPanel or None}. None
    (nothing rendered, no query) for a decision not granted or not on an
    apartment, and for a user who may see none of its parts."""
    user = request.user
    shows = {
        name: user.has_perm(f"tenancies.{perm}")
        for name, perm in (("needs", "view_housingneeds"), ("priority", "view_waitingpriority"),
                           ("offers", "view_apartmentoffer"))
    }
    if not decision.is_granted or decision.kind not in DecisionKind.apartment_kinds() or not any(shows.values()):
        return {"waiting_panel": None}
    waiting = is_waiting(decision)
    # The client is the page's, already read: may_see_whereabouts asks no query.
    apartment_visible = protection.may_see_whereabouts(user, decision.client)
    panel = WaitingPanel(
        decision=decision,
        is_waiting=waiting,
        shows_needs=shows["needs"],
        shows_priority=shows["priority"],
        shows_offers=shows["offers"],
        apartment_visible=apartment_visible,
        can_edit_needs=waiting and user.has_perm("tenancies.change_housingneeds"),
        can_set_priority=waiting and user.has_perm("tenancies.add_waitingpriority"),
    )
    if panel.shows_needs:
        panel.needs = _needs(decision)
        panel.needs_parts = needs_parts(panel.needs)
    if panel.shows_priority:
        panel.priority = _priority(decision)
    if panel.shows_offers:
        panel.offers = _offers(decision, apartment_visible)
    return {"waiting_panel": panel}
