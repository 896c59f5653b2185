"""The rules on the register as it will be after the import, checked on the
plan before anything is written: tenancies of one apartment do not overlap,
a client lives in one apartment at a time, an apartment taken over on a
first-hand contract has no later tenancies, and each apartment's status and
lease fit its tenancies. A mixin of the Planner (planning.py), which matches
the rows and supplies `registered`, `today` and `error()`."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext as _

from referrals import protection

from ..models import ApartmentStatus, EndReason, Tenancy
from .cells import label_list
from .plans import ApartmentPlan, ClientPlan, Period, TenancyPlan


class RegisterRules:
    today: date
    registered: list[Tenancy]  # the matched records' tenancies in the register (Planner.plan_tenancies)
    periods: dict[str, list[Period]]  # apartment key -> its periods after the import (check_periods)
    error: Callable[[int | None, str, str], None]

    def check_periods(self, apartments: dict[str, ApartmentPlan], clients: dict[str, ClientPlan],
                      tenancies: list[TenancyPlan]) -> None:
        """On the state the register will have (the file's tenancies plus
        those it leaves as they are): no overlap within an apartment, a
        client in one apartment at a time (so never two active tenancies),
        nothing after a first-hand takeover. Rows that had errors are left
        out, which can only hide a clash, never invent one."""
        in_file = {t.existing.pk for t in tenancies if t.existing is not None}
        apartment_keys = {p.existing.pk: key for key, p in apartments.items() if p.existing is not None}
        client_keys = {p.existing.pk: digits for digits, p in clients.items() if p.existing is not None}
        by_apartment = defaultdict(list)
        by_client = defaultdict(list)
        for plan in tenancies:
            period = Period(plan.start, plan.end, plan.end_reason, plan)
            by_apartment[plan.apartment.key].append(period)
            by_client[plan.client.digits].append(period)
        for tenancy in self.registered:
            if tenancy.pk in in_file:
                continue
            period = Period(tenancy.start_date, tenancy.end_date, tenancy.end_reason,
                             protected=protection.is_protected(tenancy.client))
            if tenancy.apartment_id in apartment_keys:
                by_apartment[apartment_keys[tenancy.apartment_id]].append(period)
            if tenancy.client_id in client_keys:
                by_client[client_keys[tenancy.client_id]].append(period)
        self.periods = by_apartment
        for periods in by_apartment.values():
            self._check_overlaps(periods, _(
                "The tenancy overlaps %(other)s in the same apartment; tenancies of one apartment cannot overlap."))
            self._check_after_takeover(periods)
        for periods in by_client.values():
            self._check_overlaps(periods, _(
                "The tenant lives in another apartment at the same time (%(other)s); a client lives in one "
                "apartment at a time."), both_open=_(
                "The tenant would have two tenancies without a move-out date (also %(other)s); a client has one "
                "active tenancy at a time."))

    def _check_overlaps(self, periods: list[Period], message: str, both_open: str | None = None) -> None:
        periods.sort(key=lambda p: (p.start, p.plan is None))
        reach = None  # the period reaching furthest so far
        for period in periods:
            if reach is not None and (reach.end is None or reach.end >= period.start):
                text = both_open if both_open and reach.end is None and period.end is None else message
                if period.plan is not None:
                    self.error(period.plan.row, "start_date" if text is message else "end_date",
                               text % {"other": reach.where()})
                elif reach.plan is not None:
                    self.error(reach.plan.row, "end_date", text % {"other": period.where()})
            if reach is None or (reach.end is not None and (period.end is None or period.end > reach.end)):
                reach = period

    def _check_after_takeover(self, periods: list[Period]) -> None:
        message = _("The apartment left the programme when the tenant of %(other)s took over the first-hand "
                    "contract; it cannot have later tenancies.")
        for takeover in periods:
            if takeover.end_reason != EndReason.FIRST_HAND_TAKEOVER or takeover.end is None:
                continue
            for later in periods:
                if later.start <= takeover.end:
                    continue
                if later.plan is not None:
                    self.error(later.plan.row, "start_date", message % {"other": takeover.where()})
                elif takeover.plan is not None:
                    self.error(takeover.plan.row, "end_reason", message % {"other": later.where()})

    def plan_statuses(self, apartments: dict[str, ApartmentPlan]) -> None:
        """The status each apartment will have, from its tenancies after the
        import; the file's status only for what tenancies cannot tell."""
        labels = dict(zip(ApartmentStatus.values, label_list(ApartmentStatus), strict=True))
        for key, plan in apartments.items():
            periods = sorted(self.periods.get(key, []), key=lambda p: p.start)
            let_now = any(p.end is None or p.end >= self.today for p in periods)
            taken_over = bool(periods) and periods[-1].end_reason == EndReason.FIRST_HAND_TAKEOVER and not let_now
            wanted = plan.values.get("status")
            stored = plan.existing.status if plan.existing is not None else ApartmentStatus.VACANT

            def refuse(reason: str, wanted: str | None = wanted, plan: ApartmentPlan = plan) -> None:
                self.error(plan.row, "status", _("“%(status)s” does not fit: %(reason)s")
                           % {"status": labels[wanted], "reason": reason})

            if let_now:
                if wanted in (ApartmentStatus.VACANT, ApartmentStatus.REPAIR, ApartmentStatus.LEFT_PROGRAMME):
                    refuse(_("a tenancy runs today (register the move-out date first)."))
                # Being returned may be decided while the tenant still lives
                # there, as on the apartment page; otherwise occupied.
                plan.status = (ApartmentStatus.BEING_RETURNED if (wanted or stored) == ApartmentStatus.BEING_RETURNED
                               else ApartmentStatus.OCCUPIED)
            elif taken_over:
                if wanted not in (None, ApartmentStatus.LEFT_PROGRAMME):
                    refuse(_("the last tenant took over the first-hand contract, so the apartment has left the "
                             "programme."))
                plan.status = ApartmentStatus.LEFT_PROGRAMME
            elif wanted == ApartmentStatus.OCCUPIED:
                refuse(_("no tenancy runs today."))
            elif wanted is not None:
                plan.status = wanted
            elif stored in (ApartmentStatus.REPAIR, ApartmentStatus.BEING_RETURNED, ApartmentStatus.LEFT_PROGRAMME):
                plan.status = stored  # an empty cell keeps what the register holds
            else:
                plan.status = ApartmentStatus.VACANT

    def check_leases(self, apartments: dict[str, ApartmentPlan]) -> None:
        """The lease's dates as they will be, one of them perhaps from the
        register (an empty cell keeps it)."""
        for plan in apartments.values():
            stored = plan.existing
            start = plan.values.get("lease_start", stored.lease_start if stored else None)
            end = plan.values.get("lease_end", stored.lease_end if stored else None)
            if start and end and end < start and not ("lease_start" in plan.values and "lease_end" in plan.values):
                self.error(plan.row, "lease_end" if "lease_end" in plan.values else "lease_start",
                           _("The lease cannot end before it starts."))
