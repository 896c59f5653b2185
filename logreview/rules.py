"""The risk rules of the monthly log review (docs/log-review.md "Risk rules").

A unit's reads of a month are the access-log rows (audit.models.
AccessLogEntry) with a client, action "view" or "export", written by users
whose unit is now the unit: the review is the manager's duty to check what
their own staff read, wherever the client belongs. A user who moved brings
their history along (the log keeps no unit snapshot per row).

Each rule takes the month (`Month`: the reads and what the rules need to
know about their clients and users) and returns the ids of the rows it
flags. The facts are read in bulk, a few queries per month whatever the
number of reads, and as plain values: no Client instance is built, so the
draw itself "reads" nobody (audit.reads logs every Client loaded).
Everything a rule asks is answered in Python from those values, keyed by
client and user.

Duty reads (audit.reads "Duty reads": the clients shown by the review
pages themselves, the culling list) are reads of the month too, counted in
it, but no rule looks at them (`Month.reads` leaves them out, `duty_reads`
holds them): the clients shown were chosen by the draw or the culling
rules, not by the reader, and flagging them would draw the reviewer's own
review into the next month, where nobody else may judge it. They can still
be drawn in the random sample (logreview.sampling).

"At the time of the read" is judged from the dates the records carry: an
order is open from `sent_at` until `completed_at`/`cancelled_at`, a granted
decision from `decided_on` until `closed_on` (or the day after `valid_to`),
a tenancy from `start_date` through `end_date`. Who is the responsible case
officer is known only as it is now.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import User
from accounts.roles import Role
from audit.models import AccessAction, AccessLogEntry
from audit.reads import DUTY_PREFIX, is_duty_read
from referrals.models import Client, Decision, Order, OrderState, ProtectionLevel
from referrals.models.decisions import GRANTED_OUTCOMES
from tenancies.models import Tenancy

from .models import ReviewSettings, RiskRule
from .workdays import is_working_day

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Access-log actions that count as reading a client: an export shows the
# client's data just as a page does.
READ_ACTIONS = (AccessAction.VIEW, AccessAction.EXPORT)
# The "many clients" rule compares with the user's monthly average of
# distinct clients over this many previous months ...
USUAL_MONTHS = 3
# ... but never with less than this, so that a new user, or one who
# usually reads two files a month, is not flagged for reading a handful.
USUAL_MINIMUM = 5


@dataclass(frozen=True)
class Read:
    id: int
    user_id: int
    client_id: int
    at: datetime


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in Swedish time."""
    start = datetime(month.year, month.month, 1, tzinfo=STOCKHOLM)
    following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=STOCKHOLM)
    return start, following


def shift_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def unit_reads(unit_id: int, start: datetime, end: datetime) -> QuerySet:
    return AccessLogEntry.objects.filter(
        user__unit_id=unit_id, action__in=READ_ACTIONS, client_id__isnull=False, at__gte=start, at__lt=end,
    )


def _local_day(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def _name_parts(name: str) -> set[str]:
    """A surname's parts, case- and accent-insensitive: "Berg-Ödman" and
    "Ödman" share a surname."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return {part for part in re.split(r"[\s\-]+", text) if len(part) > 1}


def _street(address: str) -> str:
    """A street address compared loosely: case, punctuation and spacing
    ignored ("Storgatan 1 B" = "storgatan 1b")."""
    text = unicodedata.normalize("NFKC", address or "").casefold()
    return re.sub(r"[^\w]+", "", text)


def _digits(code: str) -> str:
    return re.sub(r"\D", "", code or "")


class Month:
    """One unit's reads of one month and, read once each on demand, the
    facts about their clients and readers that the rules ask about."""

    def __init__(self, unit_id: int, month: date, review_settings: ReviewSettings):
        self.unit_id = unit_id
        self.month = month.replace(day=1)
        self.settings = review_settings
        self.start, self.end = month_bounds(self.month)
        self.entries = unit_reads(unit_id, self.start, self.end)
        self.reads: list[Read] = []
        self.duty_reads: list[Read] = []
        duty: dict[tuple[str, str], bool] = {}
        rows = self.entries.order_by("at", "id").values_list("id", "user_id", "client_id", "at", "note", "path")
        for *fields, note, path in rows:
            is_duty = False
            if note.startswith(DUTY_PREFIX):
                key = (note.split(";", 1)[0], path)
                if key not in duty:
                    duty[key] = is_duty_read(note, path)
                is_duty = duty[key]
            (self.duty_reads if is_duty else self.reads).append(Read(*fields))

    @property
    def read_count(self) -> int:
        """Every read of the month, duty reads included."""
        return len(self.reads) + len(self.duty_reads)

    def _client_ids(self):
        return self.entries.values("client_id")

    @cached_property
    def clients(self) -> dict[int, dict]:
        return {
            row["id"]: row
            for row in Client.objects.filter(pk__in=self._client_ids()).values(
                "id", "last_name", "street_address", "postal_code", "protection_level",
                "is_municipal_staff", "responsible_officer_id",
            )
        }

    @cached_property
    def users(self) -> dict[int, dict]:
        return {
            row["id"]: row
            for row in User.objects.filter(pk__in=self.entries.values("user_id")).values(
                "id", "last_name", "home_street_address", "home_postal_code", "unit_id",
            )
        }

    @cached_property
    def orders(self) -> dict[int, list[dict]]:
        rows = Order.objects.filter(client_id__in=self._client_ids()).values(
            "client_id", "ordered_by_id", "active_pilot_id", "passive_pilot_id",
            "state", "sent_at", "completed_at", "cancelled_at",
        )
        return _by_client(rows)

    @cached_property
    def decisions(self) -> dict[int, list[dict]]:
        # Annulled decisions were never in effect (audit.annulment).
        rows = Decision.objects.effective().filter(client_id__in=self._client_ids()).values(
            "client_id", "decided_by_id", "outcome", "decided_on", "valid_to", "closed_on",
        )
        return _by_client(rows)

    @cached_property
    def tenancies(self) -> dict[int, list[dict]]:
        rows = Tenancy.objects.filter(client_id__in=self._client_ids()).values(
            "client_id", "created_by_id", "apartment__unit_id", "start_date", "end_date",
        )
        return _by_client(rows)

    @cached_property
    def housing_admins(self) -> dict[int, int]:
        """{user id: unit id} of the readers who are housing administrators:
        they administer every tenancy of their unit's apartments."""
        return dict(
            User.objects.with_role(Role.HOUSING_ADMIN)
            .filter(pk__in=self.entries.values("user_id"))
            .values_list("id", "unit_id")
        )

    @cached_property
    def usual_clients(self) -> dict[int, Decimal]:
        """Each reader's monthly average of distinct clients read over the
        USUAL_MONTHS before this month (months without reads count as 0)."""
        start, _end = month_bounds(shift_months(self.month, -USUAL_MONTHS))
        rows = (
            AccessLogEntry.objects.filter(
                user_id__in=self.entries.values("user_id"), action__in=READ_ACTIONS,
                client_id__isnull=False, at__gte=start, at__lt=self.start,
            )
            # Duty pages show clients by the dozen (a month's review): they
            # would raise the usual and hide a real surge. A note that only
            # looks like a tag lowers the reader's usual, never hides a read.
            .exclude(note__startswith=DUTY_PREFIX)
            .annotate(month=TruncMonth("at", tzinfo=STOCKHOLM))
            .values("user_id", "month")
            .annotate(clients=Count("client_id", distinct=True))
            .values_list("user_id", "clients")
        )
        totals: dict[int, int] = defaultdict(int)
        for user_id, clients in rows:
            totals[user_id] += clients
        return {user_id: Decimal(total) / USUAL_MONTHS for user_id, total in totals.items()}


def _by_client(rows: Iterable[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row["client_id"]].append(row)
    return grouped


# -- when a record is open ----------------------------------------------------


def order_open(order: dict, at: datetime) -> bool:
    if order["sent_at"] > at:
        return False
    for ended in ("completed_at", "cancelled_at"):
        if order[ended] is not None and order[ended] <= at:
            return False
    # Ended without a date (imported history): ended before any read.
    ended_undated = order["state"] in OrderState.ended_states() and not (order["completed_at"] or order["cancelled_at"])
    return not ended_undated


def decision_open(decision: dict, day: date) -> bool:
    """A granted decision in effect on `day`: decided, not closed, not expired."""
    return (
        decision["outcome"] in GRANTED_OUTCOMES
        and decision["decided_on"] <= day
        and (decision["closed_on"] is None or decision["closed_on"] > day)
        and (decision["valid_to"] is None or decision["valid_to"] >= day)
    )


def tenancy_open(tenancy: dict, day: date) -> bool:
    return tenancy["start_date"] <= day and (tenancy["end_date"] is None or tenancy["end_date"] >= day)


# -- the rules ----------------------------------------------------------------


def protected(month: Month) -> set[int]:
    """The client has protected personal data (any level)."""
    clients = month.clients
    return {
        read.id for read in month.reads
        if read.client_id in clients and clients[read.client_id]["protection_level"] != ProtectionLevel.NONE
    }


def same_name_or_address(month: Month) -> set[int]:
    """The client shares a surname with the reader, or lives at the reader's
    home address (street compared loosely; postal codes, when both are
    known, must agree)."""
    clients, users = month.clients, month.users
    flagged = set()
    for read in month.reads:
        client, user = clients.get(read.client_id), users.get(read.user_id)
        if client is None or user is None:
            continue
        if _name_parts(client["last_name"]) & _name_parts(user["last_name"]):
            flagged.add(read.id)
            continue
        street = _street(user["home_street_address"])
        if street and street == _street(client["street_address"]):
            codes = _digits(user["home_postal_code"]), _digits(client["postal_code"])
            if not all(codes) or codes[0] == codes[1]:
                flagged.add(read.id)
    return flagged


def staff(month: Month) -> set[int]:
    """The client is a staff member of the municipality (Client.is_municipal_staff)."""
    clients = month.clients
    return {read.id for read in month.reads if clients.get(read.client_id, {}).get("is_municipal_staff")}


def has_errand(month: Month, read: Read) -> bool:
    """The reader had an open order or case for the client at the read: an
    order they sent or are a bolots on, the client's responsible case
    officer, a granted decision they made, or a tenancy they registered
    or administer (housing administrators: their unit's apartments)."""
    user_id, at, day = read.user_id, read.at, _local_day(read.at)
    client = month.clients.get(read.client_id)
    if client is not None and client["responsible_officer_id"] == user_id:
        return True
    for order in month.orders.get(read.client_id, ()):
        if user_id in (order["ordered_by_id"], order["active_pilot_id"], order["passive_pilot_id"]) and order_open(
            order, at
        ):
            return True
    for decision in month.decisions.get(read.client_id, ()):
        if decision["decided_by_id"] == user_id and decision_open(decision, day):
            return True
    admin_unit = month.housing_admins.get(user_id)
    for tenancy in month.tenancies.get(read.client_id, ()):
        administers = tenancy["created_by_id"] == user_id or (
            admin_unit is not None and tenancy["apartment__unit_id"] == admin_unit
        )
        if administers and tenancy_open(tenancy, day):
            return True
    return False


def no_errand(month: Month) -> set[int]:
    """The reader had no open order or case of theirs for the client at the time."""
    return {read.id for read in month.reads if not has_errand(month, read)}


def off_hours(month: Month) -> set[int]:
    """Read outside the unit's working hours (Swedish time), on a weekend,
    a public holiday or a day-off eve (logreview.workdays)."""
    starts, ends = month.settings.workday_starts, month.settings.workday_ends
    flagged = set()
    for read in month.reads:
        local = read.at.astimezone(STOCKHOLM)
        if not is_working_day(local.date()) or not (starts <= local.time().replace(tzinfo=None) < ends):
            flagged.add(read.id)
    return flagged


def many_clients(month: Month) -> set[int]:
    """A reader whose distinct clients this month exceed the factor times
    their usual (monthly average over USUAL_MONTHS, at least USUAL_MINIMUM):
    the first read of each of their clients is flagged, so the reviewer
    sees whom they read, once each."""
    first_reads: dict[int, dict[int, int]] = defaultdict(dict)
    for read in month.reads:  # in time order
        first_reads[read.user_id].setdefault(read.client_id, read.id)
    factor = Decimal(month.settings.many_clients_factor)
    flagged = set()
    for user_id, firsts in first_reads.items():
        usual = max(month.usual_clients.get(user_id, Decimal(0)), Decimal(USUAL_MINIMUM))
        if len(firsts) > factor * usual:
            flagged.update(firsts.values())
    return flagged


def former_client(month: Month) -> set[int]:
    """The client had a case (a decision, an order or a tenancy) that began
    before the read, but none was open at the time. A client with no
    record yet (a new application) is not "former"."""
    flagged = set()
    for read in month.reads:
        day = _local_day(read.at)
        orders = [o for o in month.orders.get(read.client_id, ()) if o["sent_at"] <= read.at]
        decisions = [d for d in month.decisions.get(read.client_id, ()) if d["decided_on"] <= day]
        tenancies = [t for t in month.tenancies.get(read.client_id, ()) if t["start_date"] <= day]
        if not (orders or decisions or tenancies):
            continue
        if any(order_open(o, read.at) for o in orders) or any(decision_open(d, day) for d in decisions) or any(
            tenancy_open(t, day) for t in tenancies
        ):
            continue
        flagged.add(read.id)
    return flagged


RULES: dict[str, Callable[[Month], set[int]]] = {
    RiskRule.PROTECTED: protected,
    RiskRule.SAME_NAME_OR_ADDRESS: same_name_or_address,
    RiskRule.STAFF: staff,
    RiskRule.NO_ERRAND: no_errand,
    RiskRule.OFF_HOURS: off_hours,
    RiskRule.MANY_CLIENTS: many_clients,
    RiskRule.FORMER_CLIENT: former_client,
}


def flag(month: Month, rules: Iterable[str] | None = None) -> dict[int, list[str]]:
    """{entry id: codes of the rules it hits} for the rules in use (the
    unit's settings unless `rules` is given), codes in RiskRule order."""
    in_use = set(month.settings.rules if rules is None else rules)
    hits: dict[int, list[str]] = defaultdict(list)
    for code, rule in RULES.items():
        if code in in_use:
            for entry_id in rule(month):
                hits[entry_id].append(str(code))
    return dict(hits)
