"""Vacancies: when an apartment of the programme stands empty
(docs/housing-chain.md, "Vacancies").

A vacancy runs from the first empty day (the day after a move-out, whose
date is the tenant's last day; or the day the apartment entered the
programme) up to, not including, the next move-in day (`ended_on`), or the
day the apartment left the programme. Only periods with at least one empty
day are kept: a move-in the day after a move-out leaves no vacancy.

Two ways keep the rows, and they agree:
- the move services (services/moves.py) and the apartment register
  (services/apartments.py) call open_vacancy / close_vacancy as things
  happen;
- rebuild_vacancies(apartment_ids) derives every vacancy of an apartment
  from its tenancies (vacancy_gaps, a pure function shared with the data
  migration 0008_vacancies_from_history), for the register import and any
  repair. It keeps what a person entered (ready-from date and note) and the
  offers' link to the vacancy.

What rebuild cannot know it takes from the stored rows: the day an
apartment left the programme by hand (else the end of its first-hand lease),
and a return to the programme after leaving (not rebuilt: the apartment is
treated as left).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from accounts.models import User
    from audit.context import AuditContext

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import BooleanField, Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.tracked import save_tracked
from core.rules import RuleError
from referrals import protection
from referrals.models import ProtectionLevel

from ..models import Apartment, ApartmentStatus, Tenancy
from ..models.chain import ApartmentOffer, Vacancy, VacancyReason

# Plain values (not the choices): the data migration uses vacancy_gaps too.
MOVE_OUT = "move_out"
ENTERED_PROGRAMME = "entered_programme"
TAKEOVER = "first_hand_takeover"
LEFT_PROGRAMME = "left_programme"


class VacancyError(RuleError):
    """A rule refuses the change (core.rules). Nothing is written."""


# --- The rule, as a pure function -------------------------------------------------


@dataclass(frozen=True)
class Gap:
    vacant_from: date
    ended_on: date | None
    ended_by: int | None  # the tenancy whose move-in ended it
    reason: str


def vacancy_gaps(
    programme_start: date,
    tenancies: Iterable[tuple[int, date, date | None, str]],
    *,
    left_programme: bool = False,
    left_on: date | None = None,
) -> list[Gap]:
    """The vacancies of one apartment from its tenancies `(pk, start_date,
    end_date, end_reason)`, oldest first.

    - Before the first tenancy: from `programme_start` (the first-hand
      lease's start, or the registration day) to the first move-in.
    - Between two tenancies: from the day after the move-out to the next
      move-in.
    - After the last ended tenancy: open, unless the apartment has left the
      programme: after a first-hand takeover there is none (the tenant keeps
      the home); after leaving by hand it ends on `left_on` (if known).
    Periods without an empty day are left out."""
    gaps: list[Gap] = []
    free_from: date | None = programme_start
    reason = ENTERED_PROGRAMME
    last_reason = ""
    for pk, start, end, end_reason in sorted(tenancies, key=lambda t: (t[1], t[0])):
        if free_from is not None and start > free_from:
            gaps.append(Gap(free_from, start, pk, reason))
        if end is None:
            return gaps
        after = end + timedelta(days=1)
        free_from = after if free_from is None else max(free_from, after)
        reason = MOVE_OUT
        last_reason = end_reason
    if not left_programme:
        gaps.append(Gap(free_from, None, None, reason))
    elif last_reason != TAKEOVER and left_on is not None and left_on > free_from:
        gaps.append(Gap(free_from, left_on, None, reason))
    return gaps


def programme_start(apartment: Apartment) -> date:
    """Since when the apartment has been the programme's (as the apartment
    page's timeline, services.apartments.timeline_start)."""
    return apartment.lease_start or timezone.localdate(apartment.created_at)


# --- Opening and closing as things happen --------------------------------------------


def _open_row(apartment: Apartment) -> Vacancy | None:
    return Vacancy.objects.select_for_update().filter(apartment_id=apartment.pk, ended_on__isnull=True).first()


def open_vacancy(ctx: AuditContext, apartment: Apartment, vacant_from: date, reason: str) -> Vacancy:
    """The apartment stands empty from `vacant_from`. An open vacancy is
    reused (one open vacancy per apartment: tenancies_vacancy_one_open);
    callers hold the apartment's row lock (services.tenancies)."""
    existing = _open_row(apartment)
    if existing is not None:
        return existing
    return Vacancy.objects.create(apartment_id=apartment.pk, vacant_from=vacant_from, reason=reason)


def _end(vacancy: Vacancy, ended_on: date, tenancy: Tenancy | None) -> Vacancy | None:
    """End `vacancy` on `ended_on`; a vacancy left without an empty day is
    removed, unless an offer was made on it (the offer keeps its vacancy,
    with no days)."""
    if ended_on <= vacancy.vacant_from:
        if not ApartmentOffer.objects.filter(vacancy=vacancy).exists():
            vacancy.delete()
            return None
        ended_on = vacancy.vacant_from
    Vacancy.objects.filter(pk=vacancy.pk).update(
        ended_on=ended_on, ended_by=tenancy, version=F("version") + 1
    )
    vacancy.ended_on, vacancy.ended_by, vacancy.version = ended_on, tenancy, vacancy.version + 1
    return vacancy


def close_vacancy(ctx: AuditContext, apartment: Apartment, tenancy: Tenancy) -> Vacancy | None:
    """The move-in of `tenancy` ends the apartment's open vacancy on its
    start date (the first day that is not empty)."""
    vacancy = _open_row(apartment)
    if vacancy is None:
        return None
    return _end(vacancy, tenancy.start_date, tenancy)


def after_move_out(ctx: AuditContext, apartment: Apartment, tenancy: Tenancy) -> Vacancy | None:
    """A move-out (end date inclusive) empties the apartment from the next
    day, unless it left the programme with it (first-hand takeover). A
    tenancy already registered after it ends the vacancy at once."""
    if apartment.status == ApartmentStatus.LEFT_PROGRAMME:
        return None
    vacancy = open_vacancy(ctx, apartment, tenancy.end_date + timedelta(days=1), VacancyReason.MOVE_OUT)
    later = (
        Tenancy.objects.filter(apartment_id=apartment.pk, start_date__gt=tenancy.end_date)
        .order_by("start_date", "pk").first()
    )
    if later is not None:
        return _end(vacancy, later.start_date, later)
    return vacancy


def after_status_change(ctx: AuditContext, apartment: Apartment, old: str, new: str, today: date) -> None:
    """Leaving the programme ends the open vacancy that day; coming back
    to it (left → vacant) opens one from that day."""
    if old == new:
        return
    if new == ApartmentStatus.LEFT_PROGRAMME:
        vacancy = _open_row(apartment)
        if vacancy is not None:
            _end(vacancy, today, None)
    elif old == ApartmentStatus.LEFT_PROGRAMME and new == ApartmentStatus.VACANT:
        open_vacancy(ctx, apartment, today, VacancyReason.ENTERED_PROGRAMME)


def after_create(ctx: AuditContext, apartment: Apartment) -> Vacancy | None:
    """A new apartment of the programme stands empty from its lease start
    (or its registration day)."""
    if apartment.status in (ApartmentStatus.LEFT_PROGRAMME, ApartmentStatus.OCCUPIED):
        return None
    return open_vacancy(ctx, apartment, programme_start(apartment), VacancyReason.ENTERED_PROGRAMME)


# --- Rebuilding from the tenancies -----------------------------------------------------


def _left_on(apartment: Apartment, stored: list[Vacancy], free_from: date | None) -> date | None:
    """When an apartment that left the programme by hand did so: the end of
    its stored last vacancy (closed by no move-in), else its lease end."""
    for vacancy in stored:
        if vacancy.ended_by_id is None and vacancy.ended_on is not None and vacancy.vacant_from == free_from:
            return vacancy.ended_on
    return apartment.lease_end


@transaction.atomic
def rebuild_vacancies(apartment_ids: Iterable[int]) -> int:
    """Make the vacancies of the apartments agree with their tenancies
    (vacancy_gaps). Rows are matched by their first empty day, so a ready-from
    date survives; rows no longer wanted are removed, their offers moved to the
    vacancy that now covers the offer's day (or left without one). Returns the
    number of rows created, changed or removed. Three queries plus the writes."""
    ids = sorted(set(apartment_ids))
    if not ids:
        return 0
    apartments = {a.pk: a for a in Apartment.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    tenancies: dict[int, list] = {pk: [] for pk in apartments}
    for row in Tenancy.objects.filter(apartment_id__in=ids).values_list(
        "apartment_id", "pk", "start_date", "end_date", "end_reason"
    ):
        tenancies[row[0]].append(row[1:])
    stored: dict[int, list[Vacancy]] = {pk: [] for pk in apartments}
    for vacancy in Vacancy.objects.filter(apartment_id__in=ids).order_by("vacant_from", "pk"):
        stored[vacancy.apartment_id].append(vacancy)
    touched = 0
    for pk, apartment in apartments.items():
        touched += _reconcile(apartment, tenancies[pk], stored[pk])
    return touched


def _free_from_after(rows: list) -> date | None:
    ended = [row for row in rows if row[2] is not None]
    if not rows or len(ended) < len(rows):
        return None
    return max(row[2] for row in ended) + timedelta(days=1)


def _reconcile(apartment: Apartment, rows: list, stored: list[Vacancy]) -> int:
    left = apartment.status == ApartmentStatus.LEFT_PROGRAMME
    start = programme_start(apartment)
    free_from = _free_from_after(rows) if rows else start
    gaps = vacancy_gaps(start, rows, left_programme=left,
                        left_on=_left_on(apartment, stored, free_from) if left else None)
    by_start = {vacancy.vacant_from: vacancy for vacancy in stored}
    wanted = {gap.vacant_from for gap in gaps}
    touched = 0
    extras = [vacancy for vacancy in stored if vacancy.vacant_from not in wanted]
    moved_offers = list(ApartmentOffer.objects.filter(vacancy__in=extras).values_list("pk", "offered_on")) if extras else []
    if moved_offers:
        ApartmentOffer.objects.filter(pk__in=[pk for pk, _day in moved_offers]).update(vacancy=None)
    for vacancy in extras:
        vacancy.delete()
        touched += 1
    kept: dict[date, Vacancy] = {}
    # Closed ones first: a row that becomes open never meets another open one.
    for gap in sorted(gaps, key=lambda g: g.ended_on is None):
        vacancy = by_start.get(gap.vacant_from)
        if vacancy is None:
            kept[gap.vacant_from] = Vacancy.objects.create(
                apartment_id=apartment.pk, vacant_from=gap.vacant_from, ended_on=gap.ended_on,
                ended_by_id=gap.ended_by, reason=gap.reason,
            )
            touched += 1
            continue
        kept[gap.vacant_from] = vacancy
        if (vacancy.ended_on, vacancy.ended_by_id, vacancy.reason) != (gap.ended_on, gap.ended_by, gap.reason):
            Vacancy.objects.filter(pk=vacancy.pk).update(
                ended_on=gap.ended_on, ended_by_id=gap.ended_by, reason=gap.reason, version=F("version") + 1
            )
            touched += 1
    for offer_pk, day in moved_offers:
        cover = next((g for g in gaps if g.vacant_from <= day and (g.ended_on is None or day < g.ended_on)), None)
        if cover is not None:
            ApartmentOffer.objects.filter(pk=offer_pk).update(vacancy=kept[cover.vacant_from])
    return touched


# --- The housing administrator's ready-from date ------------------------------------------


READY_FIELDS = ["ready_from", "ready_note"]


@transaction.atomic
def set_ready(ctx: AuditContext, vacancy: Vacancy, *, expected_version: int) -> Vacancy:
    """Save the ready-from date and note the user set on `vacancy`, with
    their history; ConcurrentEditError when someone saved it (or a move
    ended it) after `expected_version` was read."""

    def check(stored: Vacancy) -> None:
        if vacancy.ready_from is not None and vacancy.ready_from < stored.vacant_from:
            # No date in the message: the first empty day may be hidden
            # from the user (views.vacancies, protected tenants).
            raise VacancyError(
                _("The ready-from date cannot be before the apartment became empty."),
                code="before_vacant", field="ready_from",
            )

    vacancy.ready_note = (vacancy.ready_note or "").strip()
    return save_tracked(ctx, vacancy, READY_FIELDS, expected_version=expected_version, check=check,
                        update_fields=READY_FIELDS, note="vacancy_ready").record


# --- What a user may see of a vacancy -------------------------------------------------


def with_start_hidden(vacancies: QuerySet[Vacancy], user: User) -> QuerySet[Vacancy]:
    """Annotate `start_hidden` on `vacancies`: must the first empty day be
    left out for `user`? It is the day after the previous tenant's move-out,
    so for a tenant with protected personal data it dates their tenancy
    beside the apartment (referrals.protection; the apartment page blanks
    the same edge, mask_timeline). The one rule for every page that shows a
    vacancy's first day with its apartment: the vacancy list, the ready-from
    page, the matching page and the offer pages (views.vacancies,
    views.offers). Works on a subquery too (the matching page's apartment
    reads its open vacancy's flag in its own query)."""
    if protection.sees_every_tenant(user):
        return vacancies.annotate(start_hidden=Value(False, output_field=BooleanField()))
    previous = Tenancy.objects.filter(apartment=OuterRef("apartment_id"), end_date__lt=OuterRef("vacant_from"))
    previous_level = Subquery(previous.order_by("-end_date").values("client__protection_level")[:1],
                              output_field=CharField())
    return vacancies.annotate(previous_level=previous_level).annotate(start_hidden=Case(
        When(Q(reason=VacancyReason.MOVE_OUT) & Q(previous_level__isnull=False)
             & ~Q(previous_level=ProtectionLevel.NONE), then=Value(True)),
        default=Value(False), output_field=BooleanField(),
    ))
