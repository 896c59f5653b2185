"""A month of access-log reads to review (issue 13 §2), so that a manager
trying the demo finds last month drawn and waiting in "Loggranskning".

For the first unit: each case officer and bolots reads the clients of
their own orders on working-day mornings of the previous month (reads the
rules do not flag), and two reads that a rule flags: a read late in the
evening, and a protected client read by a bolots with no order for them. Then the month is drawn as the monthly task
would (logreview.sampling.draw_month: the flagged reads plus a random
sample of the rest). The reads are chosen by name and number, not by
database id, so that the same people appear on SQLite and PostgreSQL.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessAction, AccessLogEntry
from logreview.models import ReviewMonth
from logreview.sampling import draw_month
from logreview.workdays import is_working_day
from referrals.models import Client, OrderState, ProtectionLevel

from .context import DemoContext


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _read(user, client, at):
    return AccessLogEntry(
        at=at, user=user, action=AccessAction.VIEW, client_id=client.pk, client_label=client.audit_label,
        client_number=client.personal_number, object_type="referrals.client", object_id=str(client.pk),
        path=f"/klienter/{client.pk}/",
    )


def seed(ctx: DemoContext) -> None:
    if not ctx.units or ctx.scale == "national":
        return
    unit = ctx.units[0]
    month = (ctx.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = [month + timedelta(days=n) for n in range(31) if (month + timedelta(days=n)).month == month.month]
    workdays = [day for day in days if is_working_day(day)]
    if ReviewMonth.objects.filter(unit=unit, month=month).exists():
        return
    people = ctx.users_by_unit[unit.pk]
    active = OrderState.active_states()
    rows = []
    for role in (Role.CASE_OFFICER, Role.PILOT):
        for number, user in enumerate(people.get(role, [])):
            field = "ordered_by" if role == Role.CASE_OFFICER else "active_pilot"
            clients = list(Client.objects.filter(**{f"orders__{field}": user}, orders__state__in=active, unit=unit)
                           .distinct().order_by("personal_number")[:4])
            for step, client in enumerate(clients):
                day = workdays[(number * 3 + step * 5) % len(workdays)]
                rows.append(_read(user, client, _at(day, 9 + step, 15)))
    pilot = (people.get(Role.PILOT) or [None])[0]
    officer = (people.get(Role.CASE_OFFICER) or [None])[0]
    if pilot is not None and officer is not None:
        protected = (Client.objects.filter(unit=unit).exclude(protection_level=ProtectionLevel.NONE)
                     .exclude(orders__active_pilot=pilot).exclude(orders__passive_pilot=pilot)
                     .order_by("personal_number").first())
        if protected is not None:
            rows.append(_read(pilot, protected, _at(workdays[len(workdays) // 2], 13, 40)))
        ordinary = Client.objects.filter(unit=unit, orders__ordered_by=officer, orders__state__in=active).order_by("personal_number").first()
        if ordinary is not None:
            rows.append(_read(officer, ordinary, _at(workdays[-1], 22, 35)))
    AccessLogEntry.objects.bulk_create(rows)
    review = draw_month(unit, month)
    ctx.log(f"Loggranskning {month:%Y-%m}: {review.reads} läsningar, {review.items.count()} att granska")
