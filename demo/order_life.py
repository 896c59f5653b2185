"""The life of one demo order so far: sent, perhaps returned with a
question, accepted, started, completed or cancelled, with the events a real
order gets on the way. Mixed into the casework builder (demo/casework.py).

The rows are written without save(), so Order.first_visit_due_at, which save() derives,
is set here.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from referrals.models import Order, OrderEvent, OrderKind, OrderState
from referrals.models.orders import FIRST_VISIT_WITHIN, OUTCOMES_BY_KIND

from .casework_plan import CANCEL_REASONS, FIRST_VISIT_LATE_SHARE, REPORTS

TZ = ZoneInfo(settings.TIME_ZONE)


def local_moment(day: date, hour: int, minute: int = 0) -> datetime:
    """A local clock time as UTC: arithmetic on it then counts real hours
    (48 hours over a DST change are 48, not 47 or 49, as in Order.save)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


class OrderLife:
    """Needs from the class it is mixed into: rng, now, unit, pilots, make
    (demo.bulk.RecordMakers by model), and the lists orders and events it appends to."""

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.randint(int(low * 60), int(high * 60)))

    def _order(self, kind, sent, officer_id, *, client=None, decision=None, concern=None, notice=None,
               subject_name="", subject_address="", assignment, risks, errand_type="", start=None, end_day=None,
               force=None, may_cancel=True):
        rng = self.rng
        now = self.now
        order = self.make[Order](
            unit_id=self.unit.pk, kind=kind, errand_type=errand_type, client_id=client["pk"] if client else None,
            subject_name="" if client else subject_name, subject_address=subject_address,
            ordered_by_id=officer_id, assignment=assignment, state=OrderState.SENT, sent_at=sent, **risks,
        )
        # Their ids are known once they are saved; see _Casework.save().
        order._links = (decision, notice, concern)
        rule = kind in OrderKind.with_48_hour_rule()
        if rule:
            # Derived in Order.save(), which bulk_create skips.
            order.first_visit_due_at = sent + FIRST_VISIT_WITHIN
        self.orders.append(order)
        events = [(sent, officer_id, OrderEvent.Transition.SENT, "")]
        self.events.append((order, events))

        answered = sent
        if force == OrderState.RETURNED or (force is None and rng.random() < 0.08):
            returned_at = sent + self._hours(1, 20)
            events.append((returned_at, rng.choice(self.pilots).pk, OrderEvent.Transition.RETURNED,
                           "Finns det en aktuell adress och ett telefonnummer?"))
            answered = returned_at + self._hours(1, 24)
            if force == OrderState.RETURNED or answered > now:
                order.state = OrderState.RETURNED
                return order
            events.append((answered, officer_id, OrderEvent.Transition.ANSWERED, "Ja, se uppdaterad beställning."))
        if force == OrderState.SENT:
            return order

        if rule:
            late = rng.random() < FIRST_VISIT_LATE_SHARE
            visit = answered + (self._hours(49, 110) if late else self._hours(2, 46))
            accepted = answered + self._hours(0.5, min(12, (visit - answered).total_seconds() / 3600 - 0.5))
            start = visit
        else:
            accepted = answered + self._hours(4, 96)
            if start is None:
                start = accepted + self._hours(1, 24 * 7)
            elif start - answered > timedelta(days=30):
                # A late start: the unit had nobody free, and took it on late.
                accepted = start - self._hours(24, 120)
            elif start <= accepted:
                start = accepted + self._hours(1, 48)
            visit = start
        if accepted > now:
            return order

        if may_cancel and rng.random() < 0.05:
            cancelled = accepted + self._hours(1, 24 * 10)
            if cancelled <= now and cancelled < start:
                order.state = OrderState.CANCELLED
                order.cancelled_at = cancelled
                order.cancel_reason = rng.choice(CANCEL_REASONS)
                events.append((cancelled, officer_id, OrderEvent.Transition.CANCELLED, order.cancel_reason))
                return order

        active, passive = (pilot.pk for pilot in rng.sample(self.pilots, 2))
        order.active_pilot_id, order.passive_pilot_id = active, passive
        order.state = OrderState.ACCEPTED
        order.accepted_at = accepted
        events.append((accepted, active, OrderEvent.Transition.ACCEPTED, ""))
        if start > now:
            return order

        order.state = OrderState.IN_PROGRESS
        order.started_at = start
        order.first_visit_at = visit
        events.append((start, active, OrderEvent.Transition.STARTED, ""))
        if kind == OrderKind.BOLOTS_SUPPORT:
            # Most run their full year; some end early (goals reached, moved).
            end = (local_moment(end_day, 15) if end_day and rng.random() < 0.6
                   else start + timedelta(days=rng.randint(60, 330)))
        elif kind == OrderKind.EVICTION_PREVENTION:
            end = start + timedelta(days=rng.randint(7, 60))
        elif kind == OrderKind.OUTREACH:
            end = start + timedelta(days=rng.randint(3, 40))
        else:
            end = start + self._hours(2, 48)
        if end > now:
            return order

        order.state = OrderState.COMPLETED
        order.completed_at = end
        order.outcome = rng.choice(OUTCOMES_BY_KIND[kind][:-1])
        order.report = REPORTS[kind]
        events.append((end, active, OrderEvent.Transition.COMPLETED, order.report))
        return order
