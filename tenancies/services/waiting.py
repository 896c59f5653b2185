"""The waiting list (docs/housing-chain.md, "The waiting list"): granted,
non-executed decisions on an apartment, with what each needs of an
apartment (HousingNeeds) and the priority the case officer set
(WaitingPriority).

Order: the priority in force first (urgent, high, then normal; a decision
without a priority counts as normal), then the oldest decision. The issue
asks for "oldest first" *and* a priority the case officer may set with a
reason: a priority that does not move a decision up the list would be a
label nobody acts on, so the priority leads and the age breaks ties. The
list's "Äldst först" sort (`oldest_first=True`) ignores the priority, for
the case officer who wants to see the plain queue.

IVO: a decision is reportable from `Decision.reportable_from`, the day
after `execution_due_by` (three calendar months from the decision date,
core.calendar). "Reportable within 30 days" means that first reportable
day falls within today + 1 … today + 30; "reportable" that it is today or
earlier. Both are filters on the stored `execution_due_by` in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from audit.versioning import ConcurrentEditError
from core.formatting import decimal_text
from core.rules import RuleError
from referrals.models import Decision, DecisionKind

from ..models import ApartmentOffer, Area, HousingNeeds, OfferState, WaitingPriority

if TYPE_CHECKING:
    from accounts.models import Unit
    from audit.context import AuditContext

# "Reportable to IVO within 30 days" on the list.
IVO_SOON_DAYS = 30

# The fields of HousingNeeds the case officer edits (the change history
# keeps them all; `areas` is the many-to-many).
NEEDS_FIELDS = ["rooms_min", "rooms_max", "needs_lift", "max_floor", "accessibility", "areas", "children", "notes"]
_NEEDS_COLUMNS = [name for name in NEEDS_FIELDS if name != "areas"]


class WaitingError(RuleError):
    """A refused change on the waiting list (Swedish message, field)."""


class IvoState:
    """What the list says about a decision and IVO."""

    REPORTABLE = "reportable"  # the first reportable day has come
    SOON = "soon"  # it comes within IVO_SOON_DAYS days


def ivo_state(decision: Decision, today: date) -> str | None:
    """REPORTABLE, SOON or None for a non-executed decision on `today`."""
    reportable_from = decision.execution_due_by + timedelta(days=1)
    if reportable_from <= today:
        return IvoState.REPORTABLE
    if reportable_from <= today + timedelta(days=IVO_SOON_DAYS):
        return IvoState.SOON
    return None


def ivo_filter(state: str, today: date) -> Q:
    """The SQL of ivo_state() == `state` (reportable_from = execution_due_by + 1)."""
    if state == IvoState.REPORTABLE:
        return Q(execution_due_by__lt=today)
    if state == IvoState.SOON:
        return Q(execution_due_by__gte=today, execution_due_by__lt=today + timedelta(days=IVO_SOON_DAYS))
    raise ValueError(state)


def is_waiting(decision: Decision) -> bool:
    """Still on the waiting list: granted, in effect, of an apartment kind,
    neither executed nor closed."""
    return (
        decision.is_granted
        and decision.annulled_at is None
        and decision.kind in DecisionKind.apartment_kinds()
        and decision.executed_on is None
        and decision.closed_on is None
    )


def waiting_decisions(
    unit: Unit | int | None, today: date, *, kind: str = "", ivo: str = "", oldest_first: bool = False,
) -> QuerySet[Decision]:
    """The unit's waiting apartment decisions on `today`, in the list's order.

    Each row carries, in the same query: `priority_level` and
    `priority_reason` (the newest WaitingPriority, or None),
    `offers_made` (ApartmentOffer rows) and `has_open_offer`; the client and
    the needs are joined (`select_related`) and the needs' areas prefetched
    (one more query), so the list's query count does not grow with its rows.
    Call `rows()` on the page's decisions for days waiting and the IVO state.
    `kind` and `ivo` ("", IvoState.SOON, IvoState.REPORTABLE) filter.
    """
    unit_id = getattr(unit, "pk", unit)
    if unit_id is None:
        return Decision.objects.none()
    newest = WaitingPriority.objects.filter(decision=OuterRef("pk")).order_by("-set_at", "-id")
    offers = (
        ApartmentOffer.objects.filter(decision=OuterRef("pk"))
        .order_by().values("decision").annotate(count=Count("pk")).values("count")
    )
    open_offer = ApartmentOffer.objects.filter(decision=OuterRef("pk"), state__in=OfferState.open_states())
    queryset = (
        Decision.objects.not_executed()
        .filter(client__unit_id=unit_id, kind__in=DecisionKind.apartment_kinds())
        .annotate(
            priority_level=Subquery(newest.values("level")[:1], output_field=IntegerField()),
            priority_reason=Subquery(newest.values("reason")[:1]),
            offers_made=Coalesce(Subquery(offers, output_field=IntegerField()), Value(0)),
            has_open_offer=Exists(open_offer),
        )
        .select_related("client", "housing_needs")
        .prefetch_related("housing_needs__areas")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if ivo:
        queryset = queryset.filter(ivo_filter(ivo, today))
    if oldest_first:
        return queryset.order_by("decided_on", "pk")
    # No priority counts as normal (the lowest level, the largest number).
    sort_level = Coalesce("priority_level", Value(WaitingPriority.Level.NORMAL.value))
    return queryset.order_by(sort_level, "decided_on", "pk")


@dataclass
class WaitingRow:
    decision: Decision
    days_waiting: int
    ivo: str | None

    @property
    def needs(self) -> HousingNeeds | None:
        return getattr(self.decision, "housing_needs", None)

    @property
    def needs_parts(self) -> list[str]:
        return needs_parts(self.needs)

    @property
    def priority_label(self) -> str:
        level = self.decision.priority_level
        return WaitingPriority.Level(level).label if level is not None else ""


def rows(decisions, today: date) -> list[WaitingRow]:
    """The list's rows: each decision with its days waiting on `today`
    (from the decision date) and its IVO state. No queries."""
    return [WaitingRow(decision, decision.days_waiting(today), ivo_state(decision, today)) for decision in decisions]


def needs_parts(needs: HousingNeeds | None) -> list[str]:
    """The needs as short Swedish phrases for a list cell ("2–3 rum",
    "hiss eller bottenvåning", "2 barn", the areas…); [] for none. The
    areas are read through `needs.areas.all()` (prefetched by the list)."""
    if needs is None:
        return []
    parts = []
    low, high = needs.rooms_min, needs.rooms_max
    if low is not None and high is not None:
        parts.append(
            _("%(n)s rooms") % {"n": decimal_text(low)} if low == high
            else _("%(low)s–%(high)s rooms") % {"low": decimal_text(low), "high": decimal_text(high)}
        )
    elif low is not None:
        parts.append(_("at least %(n)s rooms") % {"n": decimal_text(low)})
    elif high is not None:
        parts.append(_("at most %(n)s rooms") % {"n": decimal_text(high)})
    if needs.needs_lift:
        parts.append(_("lift or ground floor"))
    if needs.max_floor is not None:
        parts.append(_("floor %(n)s at most") % {"n": needs.max_floor})
    if needs.children:
        parts.append(ngettext("%(n)s child", "%(n)s children", needs.children) % {"n": needs.children})
    areas = [area.name for area in needs.areas.all()] if needs.pk else []
    if areas:
        parts.append(", ".join(areas))
    if needs.accessibility:
        parts.append(needs.accessibility)
    return parts


def area_choices(unit_id: int, needs: HousingNeeds | None) -> list[Area]:
    """The unit's areas the needs form offers, each with `chosen` (named by
    `needs`): the active ones, and any the needs name that has since been
    deactivated (it stays ticked until unticked). One query."""
    areas = Area.objects.filter(unit_id=unit_id).order_by("name", "pk")
    if needs is None or not needs.pk:
        return list(areas.filter(is_active=True).annotate(chosen=Value(False)))
    chosen = Exists(HousingNeeds.areas.through.objects.filter(housingneeds_id=needs.pk, area_id=OuterRef("pk")))
    return list(areas.annotate(chosen=chosen).filter(Q(is_active=True) | Q(chosen=True)))


def needs_of(decision: Decision) -> HousingNeeds | None:
    try:
        return decision.housing_needs
    except HousingNeeds.DoesNotExist:
        return None


def priorities_of(decision: Decision) -> QuerySet[WaitingPriority]:
    """The decision's priority history, newest (the one in force) first."""
    return decision.waiting_priorities.select_related("set_by").order_by("-set_at", "-id")


# --- Writes ------------------------------------------------------------------------


def _check_waiting(decision: Decision) -> None:
    if not is_waiting(decision):
        raise WaitingError(
            _("The decision is no longer waiting for an apartment (executed, closed or annulled)."),
            code="not_waiting",
        )


def _locked(decision: Decision) -> Decision:
    """The decision's row, locked for this transaction (PostgreSQL): two
    saves on one decision's waiting data run one after the other."""
    return Decision.objects.select_for_update().get(pk=decision.pk)


@transaction.atomic
def set_priority(
    ctx: AuditContext, decision: Decision, level: int, reason: str, *, seen: int | None = None,
) -> WaitingPriority:
    """Set the priority of a waiting decision: a new WaitingPriority row
    (the older ones stay as its history). The reason is required.

    `seen`: the id of the priority in force when the user opened the form
    (0 for none); if someone set another one meanwhile, ConcurrentEditError,
    so that nobody overrides a priority they have not read. None skips it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise WaitingError(_("Write the reason for the priority."), code="reason_required", field="reason")
    if level not in WaitingPriority.Level.values:
        raise WaitingError(_("Choose a priority."), code="level", field="level")
    stored = _locked(decision)
    _check_waiting(stored)
    if seen is not None:
        current = stored.waiting_priorities.order_by("-set_at", "-id").values_list("pk", flat=True).first()
        if (current or 0) != seen:
            raise ConcurrentEditError
    priority = WaitingPriority.objects.create(decision=stored, level=level, reason=reason[:500], set_by=ctx.user)
    priority.decision = decision
    log_access(ctx, AccessAction.CREATE, priority, note="priority")
    return priority


def _check_needs(needs: HousingNeeds) -> None:
    if needs.rooms_min is not None and needs.rooms_max is not None and needs.rooms_max < needs.rooms_min:
        raise WaitingError(
            _("The highest number of rooms cannot be lower than the lowest."), code="rooms_range", field="rooms_max"
        )


@transaction.atomic
def set_needs(ctx: AuditContext, decision: Decision, data: dict, version: int) -> HousingNeeds:
    """Create or update the housing needs of a waiting decision from `data`
    (the form's cleaned values of NEEDS_FIELDS; `areas` an iterable of the
    unit's Area entries).

    `version`: the version of the needs the user's form was opened with;
    0 (core.forms.MISSING_VERSION) when the form was opened on a decision
    without needs. A save against another stored version, or a 0 when
    someone created the needs meanwhile, is a ConcurrentEditError.
    """
    stored_decision = _locked(decision)
    _check_waiting(stored_decision)
    needs = HousingNeeds.objects.filter(decision=stored_decision).first()
    creating = needs is None
    if creating:
        if version:
            # The form was opened on needs that are gone: not the same record.
            raise ConcurrentEditError
        needs = HousingNeeds(decision=stored_decision)
    for name in _NEEDS_COLUMNS:
        if name in data:
            setattr(needs, name, data[name])
    _check_needs(needs)
    areas = list(data.get("areas") or [])

    def save() -> None:
        if creating:
            try:
                with transaction.atomic():
                    needs.save()
            except IntegrityError:
                # Created by someone else between our read and our insert
                # (the one-to-one's unique index): a conflict, not a 500.
                raise ConcurrentEditError from None
        else:
            needs.save()
        needs.areas.set(areas)

    with_areas = HousingNeeds.objects.prefetch_related("areas")
    if creating:
        saved = save_tracked(ctx, needs, NEEDS_FIELDS, save=save, reread=with_areas, action=AccessAction.CREATE,
                             note="housing_needs")
    else:
        saved = save_tracked(ctx, needs, NEEDS_FIELDS, expected_version=version, stored=with_areas, save=save,
                             reread=with_areas)
    saved.record.decision = decision
    return saved.record
