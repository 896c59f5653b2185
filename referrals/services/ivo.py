"""Non-executed decisions reported to IVO (Inspektionen för vård och
omsorg) as individual reports, and the anonymised statistics for the
council and the auditors (docs/ivo.md).

IVO takes individual reports only: one per decision (or interruption) and
quarter, identifying the person by their number (ivo_identity.ivo_identity).
There is no quarterly summary report any more; a unit with nothing to report
sends nothing.

A granted decision is *reportable* from its first reportable day, the day
after three calendar months from the decision date (core.calendar.first_day_after;
stored as `execution_due_by`, the last day before it). An interruption of an
executed decision likewise from the day after three calendar months from its
start (`resume_due_by`). The reports of a quarter are

* every decision reportable at the quarter's end: its first reportable day
  is on or before the last day of the quarter and it was neither executed
  nor closed by then ("new" the quarter it became reportable, "still not
  executed" after). A partly executed decision (`partly_executed_on`) is
  not executed: it is reported for the part not executed until
  `executed_on` is set. A declined offer ends nothing;
* every decision executed (or closed) during the quarter on or after its
  first reportable day, with that date ("executed" / "closed"); it is absent
  from the following quarter. The list shows it from the day it is executed,
  since IVO takes it at any time in the quarter;
* the same for interruptions: reportable at the quarter's end and not ended
  (resumed, or the decision closed) by then, or ended during the quarter on
  or after their first reportable day.

Who sees what: the decisions of the clients the user may see
(ClientQuerySet.visible_to); a person with protected personal data only by
users with referrals.view_protected_client. The others get neither the
report nor any identity, only how many they cannot see (hidden_count), built
without loading a client, so no read of that person is logged.

quarter_report() computes the reports with two queries whatever their number
(decisions with client, unit, legal reference and their interruption;
offers) and returns plain IvoReport objects, so that the screen, the list,
the CSV and the PDF show the same thing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import add_months, first_day_after, quarter_bounds

from ..models import (
    Decision,
    DecisionKind,
    Interruption,
    LegalGender,
    Offer,
    OfferAnswer,
    OfferDeclineReason,
    ProtectionLevel,
)
from ..models.decisions import REPORTING_MONTHS
from .ivo_identity import ivo_identity

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from accounts.models import User

# The permission to see people with protected personal data; without it a
# protected person's report is neither listed nor shown nor exported.
PROTECTED_PERMISSION = "referrals.view_protected_client"

# What IVO's form asks the unit to write in the information box
# ("informationsrutan") for a person with protected personal data.
PROTECTED_NOTE = gettext_lazy("The person has protected personal data.")


class Subject(models.TextChoices):
    """What a report is about. The values are the URL segment of the
    report's screen (views.ivo)."""

    DECISION = "beslut", gettext_lazy("Decision not executed")
    INTERRUPTION = "avbrott", gettext_lazy("Interruption")


class ReportType(models.TextChoices):
    """The kind of report in IVO's form ("Typ av rapport")."""

    NEW = "new", gettext_lazy("New report")
    NOT_EXECUTED = "not_executed", gettext_lazy("Still not executed")
    EXECUTED = "executed", gettext_lazy("Executed")
    CLOSED = "closed", gettext_lazy("Closed")


@dataclass(frozen=True)
class OfferLine:
    offered_on: date
    description: str
    answer: str
    note: str = ""
    # Why a declined offer was declined (OfferDeclineReason's label; issue 15).
    decline_reason: str = ""


@dataclass(frozen=True)
class IvoReport:
    """One individual report: the fields of IVO's form, section by section."""

    # Rapportuppgifter
    year: int
    quarter: int
    subject: str  # Subject value
    report_type: str  # ReportType value
    unit_name: str
    municipality: str
    # Uppgifter om individen
    client_id: int
    is_protected: bool
    identity: str
    legal_gender: str
    legal_gender_label: str
    birth_year: int
    # Uppgifter om beslutet
    decision_id: int
    decided_on: date
    kind: str
    kind_label: str
    legal_reference: str
    legal_act: str
    interrupted_on: date | None  # set on reports about an interruption
    delay_reason: str
    consequences: str
    interim_support: str
    offers: tuple = field(default_factory=tuple)
    partly_executed_on: date | None = None
    unexecuted_part: str = ""
    executed_on: date | None = None  # execution (or resumption) during the quarter
    closed_on: date | None = None
    reportable_from: date | None = None
    days_waiting: int = 0
    waiting_since: date | None = None
    # The decision (with its client) the report was made from, for the
    # views' access-log rows; not part of the report.
    decision: Decision | None = field(default=None, compare=False, repr=False)

    @property
    def is_interruption(self) -> bool:
        return self.subject == Subject.INTERRUPTION

    @property
    def subject_label(self) -> str:
        return str(Subject(self.subject).label)

    @property
    def report_type_label(self) -> str:
        return str(ReportType(self.report_type).label)

    @property
    def sections(self) -> list[dict]:
        return report_sections(self)

    @property
    def note(self) -> str:
        """The text for the form's information box."""
        return str(PROTECTED_NOTE) if self.is_protected else ""


def may_see_protected(user: User) -> bool:
    return user.has_perm(PROTECTED_PERMISSION)


def _ended(first: str, second: str) -> Case:
    """The earlier of two nullable date fields, the same on SQLite and
    PostgreSQL (LEAST treats NULL differently on the two)."""
    return Case(
        When(**{f"{first}__isnull": True}, then=F(second)),
        When(**{f"{second}__isnull": True}, then=F(first)),
        When(**{f"{second}__lt": F(first)}, then=F(second)),
        default=F(first),
    )


def _reportable_in(due_field: str, first: date, last: date) -> Q:
    """Rows with `waiting_ended_on` that are in the reports of the quarter
    first–last. `due_field` is the last day before reportability.
    `in_quarter` below is the same rule in Python, for the statistics."""
    return Q(**{f"{due_field}__lt": last}) & (
        Q(waiting_ended_on__isnull=True)
        | Q(waiting_ended_on__gt=last)
        | (
            Q(waiting_ended_on__gte=first, waiting_ended_on__lte=last)
            & Q(waiting_ended_on__gt=F(due_field))
        )
    )


def in_quarter(due: date, ended: date | None, first: date, last: date) -> bool:
    """_reportable_in for one row's values."""
    return due < last and (ended is None or ended > last or (first <= ended <= last and ended > due))


def _decisions(user: User) -> QuerySet[Decision]:
    """Granted decisions of the user's visible clients, with the day their
    waiting ended (execution or closing, whichever came first)."""
    return Decision.objects.visible_to(user).granted().annotate(waiting_ended_on=_ended("executed_on", "closed_on"))


def _interruptions(user: User) -> QuerySet[Interruption]:
    """Interruptions of those decisions, with the day they ended (resumption
    or the decision's closing, whichever came first)."""
    return Interruption.objects.filter(decision__in=Decision.objects.visible_to(user).granted()).annotate(
        waiting_ended_on=_ended("ended_on", "decision__closed_on")
    )


def _interruption_in_report(first: date, last: date) -> QuerySet[Interruption]:
    """The outer decision's interruption in the reports of first–last.

    A decision has at most one: a reportable interruption started three
    months before the quarter's end, so any later interruption of the same
    decision starts too late to become reportable within the quarter. Nor
    can a decision be in a report both as waiting for execution and as
    interrupted: interrupted means executed before the quarter began.
    """
    return (
        Interruption.objects.filter(decision=OuterRef("pk"))
        .annotate(waiting_ended_on=_ended("ended_on", "decision__closed_on"))
        .filter(_reportable_in("resume_due_by", first, last))
        .order_by("-started_on")
    )


def _report_base(user: User, year: int, quarter: int) -> QuerySet[Decision]:
    """The decisions with a report in the quarter, protected people
    included: each either itself reportable (`in_report`) or with a
    reportable interruption, whose fields are annotated as interruption_*."""
    first, last = quarter_bounds(year, quarter)
    decision_in_report = _reportable_in("execution_due_by", first, last)
    interruption = _interruption_in_report(first, last)
    return (
        _decisions(user)
        .filter(decision_in_report | Exists(interruption))
        .annotate(
            in_report=Case(When(decision_in_report, then=Value(True)), default=Value(False), output_field=BooleanField()),
            interruption_started_on=Subquery(interruption.values("started_on")[:1]),
            interruption_ended_on=Subquery(interruption.values("ended_on")[:1]),
            interruption_reason=Subquery(interruption.values("reason")[:1]),
            interruption_waiting_ended_on=Subquery(interruption.values("waiting_ended_on")[:1]),
        )
    )


def _protected() -> Q:
    return ~Q(client__protection_level=ProtectionLevel.NONE)


def report_queryset(user: User, year: int, quarter: int) -> QuerySet[Decision]:
    """The decisions with a report in the quarter that `user` may see, one
    query; offers up to the quarter's end are prefetched (a second one)."""
    _first, last = quarter_bounds(year, quarter)
    queryset = _report_base(user, year, quarter)
    if not may_see_protected(user):
        queryset = queryset.exclude(_protected())
    return queryset.select_related("client__unit", "legal_basis").prefetch_related(
        Prefetch("offers", queryset=Offer.objects.filter(offered_on__lte=last).order_by("offered_on", "id"))
    )


def hidden_count(user: User, year: int, quarter: int) -> int:
    """How many of the quarter's reports are about protected people the
    user may not see, so that the unit knows someone else must send them.
    Read with values_list: no client is loaded, so no read is logged of a
    person the user is not shown."""
    if may_see_protected(user):
        return 0
    flags = _report_base(user, year, quarter).filter(_protected()).values_list("in_report", "interruption_started_on")
    return sum(int(bool(in_report)) + int(started is not None) for in_report, started in flags)


def _report_type(*, reportable_from: date, ended: date | None, executed: bool, first: date, last: date) -> str:
    if ended is not None and ended <= last:
        return ReportType.EXECUTED if executed else ReportType.CLOSED
    return ReportType.NEW if reportable_from >= first else ReportType.NOT_EXECUTED


def _report(decision: Decision, *, year: int, quarter: int, interrupted: bool = False) -> IvoReport:
    first, last = quarter_bounds(year, quarter)
    client = decision.client
    if interrupted:
        since = decision.interruption_started_on
        ended = decision.interruption_waiting_ended_on
        # The resumption is the interruption's "execution".
        done_on = decision.interruption_ended_on
        reason = decision.delay_reason or decision.interruption_reason
    else:
        since = decision.decided_on
        ended = decision.waiting_ended_on
        done_on = decision.executed_on
        reason = decision.delay_reason
    within = ended is not None and ended <= last
    executed = within and done_on == ended
    reportable_from = first_day_after(since, REPORTING_MONTHS)
    return IvoReport(
        year=year,
        quarter=quarter,
        subject=Subject.INTERRUPTION if interrupted else Subject.DECISION,
        report_type=_report_type(reportable_from=reportable_from, ended=ended, executed=executed, first=first, last=last),
        unit_name=client.unit.name,
        municipality=client.unit.municipality,
        client_id=client.pk,
        is_protected=client.is_protected,
        identity=ivo_identity(client),
        legal_gender=client.legal_gender,
        legal_gender_label=str(LegalGender(client.legal_gender).label),
        birth_year=client.birth_date.year,
        decision_id=decision.pk,
        decided_on=decision.decided_on,
        kind=decision.kind,
        kind_label=str(DecisionKind(decision.kind).label),
        legal_reference=decision.legal_basis.code,
        legal_act=decision.legal_basis.law,
        interrupted_on=since if interrupted else None,
        delay_reason=reason,
        consequences=decision.consequences,
        interim_support=decision.interim_support,
        offers=tuple(
            OfferLine(
                offered_on=offer.offered_on,
                description=offer.description,
                answer=str(OfferAnswer(offer.answer).label),
                note=offer.note,
                decline_reason=str(OfferDeclineReason(offer.decline_reason).label) if offer.decline_reason else "",
            )
            for offer in decision.offers.all()
            if offer.offered_on >= since
        ),
        partly_executed_on=None if interrupted else decision.partly_executed_on,
        unexecuted_part="" if interrupted else decision.unexecuted_part,
        executed_on=done_on if executed else None,
        closed_on=decision.closed_on if decision.closed_on and decision.closed_on <= last else None,
        reportable_from=reportable_from,
        days_waiting=((ended if within else last) - since).days,
        waiting_since=since,
        decision=decision,
    )


def reports_of(decisions: Iterable[Decision], year: int, quarter: int) -> list[IvoReport]:
    result = []
    for decision in decisions:
        if decision.in_report:
            result.append(_report(decision, year=year, quarter=quarter))
        if decision.interruption_started_on is not None:
            result.append(_report(decision, year=year, quarter=quarter, interrupted=True))
    result.sort(key=lambda report: (report.waiting_since, report.decision_id, report.is_interruption))
    return result


def quarter_report(user: User, year: int, quarter: int) -> list[IvoReport]:
    """The quarter's individual reports the user may see, oldest wait
    first. Two queries whatever their number."""
    return reports_of(report_queryset(user, year, quarter), year, quarter)


def individual_report(user: User, year: int, quarter: int, decision_id: int, subject: str) -> IvoReport | None:
    """One report, or None when the decision has no such report in the
    quarter or the user may not see it (the view answers 404 alike)."""
    decisions = report_queryset(user, year, quarter).filter(pk=decision_id)
    for report in reports_of(decisions, year, quarter):
        if report.subject == subject:
            return report
    return None


# --- Anonymised statistics for the council and the auditors ------------------------

# Gender bucket for people with protected personal data: their gender is not
# shown in the statistics, where with a handful of reports it could point
# at the person (IVO receives it in the individual report).
NOT_STATED = "not_stated"

# Waiting time at the end of the quarter (or at execution), in calendar
# months from the decision or the interruption; reportable means more than
# three. IVO's own statistics group waits alike.
WAITING_BUCKETS = (
    (6, "up_to_6", gettext_lazy("3–6 months")),
    (9, "up_to_9", gettext_lazy("6–9 months")),
    (12, "up_to_12", gettext_lazy("9–12 months")),
    (18, "up_to_18", gettext_lazy("12–18 months")),
    (None, "over_18", gettext_lazy("More than 18 months")),
)


def waiting_bucket(since: date, until: date) -> str:
    for months, key, _label in WAITING_BUCKETS:
        if months is None or until <= add_months(since, months):
            return key
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class QuarterStatistics:
    quarter: int
    total: int
    by_gender: dict  # LegalGender value or NOT_STATED -> count
    by_kind: dict  # DecisionKind value -> count
    by_waiting: dict  # WAITING_BUCKETS key -> count


def year_statistics(user: User, year: int) -> list[QuarterStatistics]:
    """Per quarter of `year`: how many reports (decisions and
    interruptions), by legal gender, by kind of assistance and by waiting
    time. Two queries of plain values for the whole year (no client is
    loaded, nothing names a person), classified with the report's rule."""
    first_of_year, last_of_year = quarter_bounds(year, 1)[0], quarter_bounds(year, 4)[1]
    current = Q(waiting_ended_on__isnull=True) | Q(waiting_ended_on__gte=first_of_year)
    rows = list(
        _decisions(user)
        .filter(current, execution_due_by__lt=last_of_year)
        .values_list("execution_due_by", "decided_on", "waiting_ended_on", "client__legal_gender",
                     "client__protection_level", "kind")
    ) + list(
        _interruptions(user)
        .filter(current, resume_due_by__lt=last_of_year)
        .values_list("resume_due_by", "started_on", "waiting_ended_on", "decision__client__legal_gender",
                     "decision__client__protection_level", "decision__kind")
    )
    result = []
    for quarter in (1, 2, 3, 4):
        first, last = quarter_bounds(year, quarter)
        genders, kinds, waits = Counter(), Counter(), Counter()
        for due, since, ended, gender, protection, kind in rows:
            if not in_quarter(due, ended, first, last):
                continue
            genders[gender if protection == ProtectionLevel.NONE else NOT_STATED] += 1
            kinds[kind] += 1
            waits[waiting_bucket(since, ended if ended is not None and ended <= last else last)] += 1
        result.append(
            QuarterStatistics(
                quarter=quarter,
                total=sum(kinds.values()),
                by_gender={gender: genders[gender] for gender in [*LegalGender.values, NOT_STATED]},
                by_kind={value: kinds[value] for value in DecisionKind.values},
                by_waiting={key: waits[key] for _months, key, _label in WAITING_BUCKETS},
            )
        )
    return result


def statistics_table(quarters: list[QuarterStatistics]) -> list[tuple[str, list[tuple[str, list[int]]]]]:
    """[(section heading, [(row label, [count per quarter])])], the same
    for the page, the PDF and the CSV."""
    genders = [(value, str(label)) for value, label in LegalGender.choices] + [
        (NOT_STATED, _("Not stated (protected personal data)"))
    ]
    return [
        (_("By legal gender"), [(label, [q.by_gender[value] for q in quarters]) for value, label in genders]),
        (_("By kind of assistance"),
         [(str(label), [q.by_kind[value] for q in quarters]) for value, label in DecisionKind.choices]),
        (_("By waiting time"),
         [(str(label), [q.by_waiting[key] for q in quarters]) for _months, key, label in WAITING_BUCKETS]),
    ]


def statistics_csv(quarters: list[QuarterStatistics]) -> tuple[list[str], list[list[str]]]:
    headers = [_("Breakdown"), _("Group")] + [_("Quarter %(n)s") % {"n": q.quarter} for q in quarters]
    lines = [
        [section, label, *[str(n) for n in counts]]
        for section, section_rows in statistics_table(quarters)
        for label, counts in section_rows
    ]
    lines.append([_("Total"), "", *[str(q.total) for q in quarters]])
    return headers, lines


# --- The reports as CSV: one line per report, IVO's fields as columns ---------------


def _day(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def offers_text(report: IvoReport) -> str:
    """'2025-01-15 Träningslägenhet, 2 rum (Tackade nej: Området; note) | …'
    for one cell: the answer, the reason when declined, the note."""
    return " | ".join(
        " ".join(
            part for part in (
                _day(offer.offered_on), offer.description,
                f"({offer.answer}{': ' + offer.decline_reason if offer.decline_reason else ''}"
                f"{'; ' + offer.note if offer.note else ''})",
            ) if part
        )
        for offer in report.offers
    )


# IVO's form, section by section: (section, label, value). The screen and
# the PDF show them in this order, the CSV has one column per field.
REPORT_DETAILS, PERSON, DECISION = "report", "person", "decision"
SECTION_HEADINGS = {
    REPORT_DETAILS: gettext_lazy("Report details"),  # Rapportuppgifter
    PERSON: gettext_lazy("About the person"),  # Uppgifter om individen
    DECISION: gettext_lazy("About the decision"),  # Uppgifter om beslutet
}
OFFERS_LABEL = gettext_lazy("Offers (date, what, answer)")
REPORT_FIELDS = (
    (REPORT_DETAILS, gettext_lazy("Reporting period"), lambda r: f"{r.year} Q{r.quarter}"),
    (REPORT_DETAILS, gettext_lazy("Unit"), lambda r: r.unit_name),
    (REPORT_DETAILS, gettext_lazy("Municipality"), lambda r: r.municipality),
    (REPORT_DETAILS, gettext_lazy("Report about"), lambda r: r.subject_label),
    (REPORT_DETAILS, gettext_lazy("Type of report"), lambda r: r.report_type_label),
    (PERSON, gettext_lazy("Personal identity number"), lambda r: r.identity),
    (PERSON, gettext_lazy("Legal gender"), lambda r: r.legal_gender_label),
    (PERSON, gettext_lazy("Year of birth"), lambda r: str(r.birth_year)),
    (PERSON, gettext_lazy("Information box"), lambda r: r.note),
    (DECISION, gettext_lazy("Decision date"), lambda r: _day(r.decided_on)),
    (DECISION, gettext_lazy("Kind of assistance"), lambda r: r.kind_label),
    (DECISION, gettext_lazy("Legal reference"), lambda r: f"{r.legal_reference} ({r.legal_act})"),
    (DECISION, gettext_lazy("Interruption date"), lambda r: _day(r.interrupted_on)),
    (DECISION, gettext_lazy("Reason for the delay"), lambda r: r.delay_reason),
    (DECISION, gettext_lazy("Consequences for the person"), lambda r: r.consequences),
    (DECISION, gettext_lazy("Interim support"), lambda r: r.interim_support),
    (DECISION, OFFERS_LABEL, offers_text),
    (DECISION, gettext_lazy("Partly executed on"), lambda r: _day(r.partly_executed_on)),
    (DECISION, gettext_lazy("Part not executed"), lambda r: r.unexecuted_part),
    (DECISION, gettext_lazy("Executed on"), lambda r: _day(r.executed_on)),
    (DECISION, gettext_lazy("Closed on"), lambda r: _day(r.closed_on)),
    (DECISION, gettext_lazy("Days waiting"), lambda r: str(r.days_waiting)),
)


def report_sections(report: IvoReport) -> list[dict]:
    """[{"key", "heading", "fields": [(label, value)]}] in the form's order.
    The offers are left to the template (a table of their own)."""
    sections = {key: {"key": key, "heading": str(heading), "fields": []} for key, heading in SECTION_HEADINGS.items()}
    for section, label, value in REPORT_FIELDS:
        if label is not OFFERS_LABEL:
            sections[section]["fields"].append((str(label), value(report)))
    return list(sections.values())


def report_table(reports: Iterable[IvoReport]) -> tuple[list[str], list[list[str]]]:
    """(headers, lines) of the reports as text, for the CSV exports."""
    headers = [str(label) for _section, label, _value in REPORT_FIELDS]
    return headers, [[value(report) for _section, _label, value in REPORT_FIELDS] for report in reports]
