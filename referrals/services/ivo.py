"""The quarterly report of non-executed decisions to IVO (Inspektionen för
vård och omsorg), and the anonymised statistics for the council.

A granted decision is *reportable* from its first reportable day, the day
after three calendar months from the decision date (core.calendar.first_day_after;
stored as `execution_due_by`, the last day before it). An interruption of an
executed decision likewise from the day after three calendar months from its
start (`resume_due_by`). The report of a quarter lists

* every decision reportable at the quarter's end: its first reportable day
  is on or before the last day of the quarter and it was neither executed
  nor closed by then. It is repeated quarter after quarter until executed or
  closed;
* every decision executed (or closed) during the quarter on or after its
  first reportable day, with that date ("execution date if executed since
  the last report"); it is absent from the following quarter;
* the same for interruptions: reportable at the quarter's end and not ended
  (resumed, or the decision closed) by then, or ended during the quarter on
  or after their first reportable day.

quarter_report() computes the rows with two queries whatever their number
(decisions with their interruption, offers) and returns plain IvoRow objects, so that
the page, the CSV and the PDF show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import quarter_bounds

from ..models import Decision, DecisionKind, Interruption, LegalGender, Offer, OfferAnswer, ProtectionLevel

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from accounts.models import User
    from referrals.models import Client

# Crockford's base 32: digits and capitals without I, L, O and U, so that a
# code read aloud or copied by hand is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_WIDTH = 4
# Leads the code after the hyphen, so that it always holds a letter and can
# never equal (nor be mistaken for) the four last digits of a personal
# identity number: base 32 alone gives all-digit codes such as 0012.
CODE_PREFIX = "K"

IDENTITY_CODE_DEFINITION = gettext_lazy(
    "The identity code is the date of birth (YYYYMMDD), a hyphen, the letter K and the client's record "
    "number in the case system written in base 32 (digits and the letters A–Z without I, L, O and U), at "
    "least four characters, for example 19850314-K00ZK. It lets the unit find the person again; it is not "
    "the personal identity number. People with protected personal data are reported without code and gender."
)


def base32(number: int) -> str:
    """A non-negative integer in Crockford's base 32, zero-padded to CODE_WIDTH."""
    if number < 0:
        raise ValueError("number must not be negative")
    digits = ""
    while True:
        number, remainder = divmod(number, 32)
        digits = CODE_ALPHABET[remainder] + digits
        if number == 0:
            break
    return digits.rjust(CODE_WIDTH, "0")


def ivo_identity_code(client: Client) -> str:
    """The identity under which a client is reported to IVO.

    Defined as the date of birth as YYYYMMDD, "-", the letter K and the
    client's primary key in Crockford's base 32 zero-padded to four
    characters: client 1043 born 14 March 1985 is 19850314-K010K. Stable (the
    key never changes) and enough for the unit to find the person again, yet
    never the personal identity number: its last four digits, which make the
    person identifiable, are replaced by a record number that means nothing
    outside the system, and the letter K keeps the code from ever reading as
    (or coinciding with) the four digits of a real number.
    """
    return f"{client.birth_date:%Y%m%d}-{CODE_PREFIX}{base32(client.pk)}"


@dataclass(frozen=True)
class OfferLine:
    offered_on: date
    description: str
    answer: str


@dataclass(frozen=True)
class IvoRow:
    """One line of the IVO report. For a client with protected personal data
    the identity code, the gender and all free text (reason, what was
    offered) are left out, since free text may reveal where the person is."""

    decision_id: int
    is_protected: bool
    identity_code: str
    legal_gender: str  # LegalGender value; "" when protected
    legal_gender_label: str
    decided_on: date
    kind: str
    kind_label: str
    interrupted_on: date | None  # set on rows about an interruption
    delay_reason: str
    offers: tuple = field(default_factory=tuple)
    executed_on: date | None = None  # execution (or resumption) during the quarter
    closed_on: date | None = None
    days_waiting: int = 0
    waiting_since: date | None = None

    @property
    def is_interruption(self) -> bool:
        return self.interrupted_on is not None

    @property
    def note(self) -> str:
        return str(_("The person has protected personal data.")) if self.is_protected else ""


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
    """Rows with `waiting_ended_on` that are in the report of the quarter
    first–last. `due_field` is the last day before reportability."""
    return Q(**{f"{due_field}__lt": last}) & (
        Q(waiting_ended_on__isnull=True)
        | Q(waiting_ended_on__gt=last)
        | (
            Q(waiting_ended_on__gte=first, waiting_ended_on__lte=last)
            & Q(waiting_ended_on__gt=F(due_field))
        )
    )


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
    """The outer decision's interruption in the report of first–last.

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


def report_queryset(user: User, year: int, quarter: int) -> QuerySet[Decision]:
    """The decisions in the report of the quarter, one query: each either
    itself reportable (`in_report`) or with a reportable interruption, whose
    fields are annotated as interruption_*. Offers up to the quarter's end
    are prefetched (a second query)."""
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
        .select_related("client")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.filter(offered_on__lte=last).order_by("offered_on", "id"))
        )
    )


def _row(decision: Decision, *, since: date, ended: date | None, last: date, interrupted: bool = False) -> IvoRow:
    client = decision.client
    protected = client.is_protected
    within = ended is not None and ended <= last
    shown_offers = tuple(
        OfferLine(
            offered_on=offer.offered_on,
            description="" if protected else offer.description,
            answer=str(OfferAnswer(offer.answer).label),
        )
        for offer in decision.offers.all()
        if offer.offered_on >= since
    )
    if interrupted:
        # The resumption is the interruption's "execution".
        resumed_on = decision.interruption_ended_on
        executed_on = resumed_on if within and resumed_on == ended else None
        reason = decision.delay_reason or decision.interruption_reason
    else:
        executed_on = decision.executed_on if within and decision.executed_on == ended else None
        reason = decision.delay_reason
    closed_on = decision.closed_on if decision.closed_on and decision.closed_on <= last else None
    return IvoRow(
        decision_id=decision.pk,
        is_protected=protected,
        identity_code="" if protected else ivo_identity_code(client),
        legal_gender="" if protected else client.legal_gender,
        legal_gender_label="" if protected else str(LegalGender(client.legal_gender).label),
        decided_on=decision.decided_on,
        kind=decision.kind,
        kind_label=str(DecisionKind(decision.kind).label),
        interrupted_on=since if interrupted else None,
        delay_reason="" if protected else reason,
        offers=shown_offers,
        executed_on=executed_on,
        closed_on=closed_on,
        days_waiting=((ended if within else last) - since).days,
        waiting_since=since,
    )


def quarter_report(user: User, year: int, quarter: int) -> list[IvoRow]:
    """The IVO report of a quarter as a list of IvoRow, oldest wait first.
    Two queries whatever the number of rows."""
    _first, last = quarter_bounds(year, quarter)
    rows = []
    for decision in report_queryset(user, year, quarter):
        if decision.in_report:
            rows.append(_row(decision, since=decision.decided_on, ended=decision.waiting_ended_on, last=last))
        if decision.interruption_started_on is not None:
            rows.append(
                _row(
                    decision, since=decision.interruption_started_on,
                    ended=decision.interruption_waiting_ended_on, last=last, interrupted=True,
                )
            )
    rows.sort(key=lambda row: (row.waiting_since, row.decision_id, row.is_interruption))
    return rows


# --- Anonymised statistics for the council ---------------------------------------

# Gender bucket for people with protected personal data, whose gender is not
# reported.
NOT_STATED = "not_stated"


@dataclass(frozen=True)
class QuarterStatistics:
    quarter: int
    total: int
    by_gender: dict  # LegalGender value or NOT_STATED -> count
    by_kind: dict  # DecisionKind value -> count


def _count_columns(prefix: str, quarter_filter: Q, *, client: str, kind: str) -> dict[str, Count]:
    """Conditional counts for one quarter: total, per gender, per kind."""
    protected = ~Q(**{f"{client}__protection_level": ProtectionLevel.NONE})
    columns = {f"{prefix}_total": Count("pk", filter=quarter_filter)}
    for gender in LegalGender.values:
        columns[f"{prefix}_g_{gender}"] = Count(
            "pk", filter=quarter_filter & Q(**{f"{client}__legal_gender": gender}) & ~protected
        )
    columns[f"{prefix}_g_{NOT_STATED}"] = Count("pk", filter=quarter_filter & protected)
    for value in DecisionKind.values:
        columns[f"{prefix}_k_{value}"] = Count("pk", filter=quarter_filter & Q(**{kind: value}))
    return columns


def year_statistics(user: User, year: int) -> list[QuarterStatistics]:
    """Per quarter of `year`: how many report rows (decisions and
    interruptions), by legal gender and by kind of assistance. Two aggregate
    queries for the whole year; no identities."""
    decision_columns, interruption_columns = {}, {}
    for quarter in (1, 2, 3, 4):
        first, last = quarter_bounds(year, quarter)
        decision_columns.update(
            _count_columns(
                f"q{quarter}", _reportable_in("execution_due_by", first, last), client="client", kind="kind"
            )
        )
        interruption_columns.update(
            _count_columns(
                f"q{quarter}", _reportable_in("resume_due_by", first, last),
                client="decision__client", kind="decision__kind",
            )
        )
    counts = defaultdict(int)
    for totals in (
        _decisions(user).aggregate(**decision_columns),
        _interruptions(user).aggregate(**interruption_columns),
    ):
        for name, value in totals.items():
            counts[name] += value or 0
    result = []
    for quarter in (1, 2, 3, 4):
        prefix = f"q{quarter}"
        result.append(
            QuarterStatistics(
                quarter=quarter,
                total=counts[f"{prefix}_total"],
                by_gender={
                    gender: counts[f"{prefix}_g_{gender}"] for gender in [*LegalGender.values, NOT_STATED]
                },
                by_kind={value: counts[f"{prefix}_k_{value}"] for value in DecisionKind.values},
            )
        )
    return result


# --- The flat table of the CSV export ----------------------------------------------


def _day(value: date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def offers_text(row: IvoRow) -> str:
    """'2025-01-15 Lägenhet Storgatan (Tackade nej) | …' for one cell."""
    return " | ".join(
        " ".join(part for part in (_day(offer.offered_on), offer.description, f"({offer.answer})") if part)
        for offer in row.offers
    )


def report_table(rows: Iterable[IvoRow]) -> tuple[list[str], list[list[str]]]:
    """(headers, lines) of the report as text, for the CSV export."""
    headers = [
        _("IVO identity code"),
        _("Legal gender"),
        _("Decision date"),
        _("Kind of assistance"),
        _("Interruption date"),
        _("Reason for the delay"),
        _("Offers (date, what, answer)"),
        _("Execution date, if executed since the last report"),
        _("Closed on"),
        _("Days waiting"),
        _("Note"),
    ]
    lines = [
        [
            row.identity_code,
            row.legal_gender_label,
            _day(row.decided_on),
            row.kind_label,
            _day(row.interrupted_on),
            row.delay_reason,
            offers_text(row),
            _day(row.executed_on),
            _day(row.closed_on),
            str(row.days_waiting),
            row.note,
        ]
        for row in rows
    ]
    return headers, lines
