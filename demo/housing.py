"""Demo housing: apartments per unit with 1–10 years of history, the
tenancies of demo clients with end reasons in realistic proportions,
internal moves, vacancies, keys, complaints and damage.

Decisions and tenancies agree: every training-apartment decision that
demo/casework.py marked executed (executed_on set) gets its
move-in on the execution day, in a training apartment, with the decision
linked, as the move-in service would. Trial, emergency and Housing First
decisions get their move-in when the client is not housed elsewhere that
day (otherwise the decision was executed outside the programme's own
apartments, as happens with emergency housing). Before the casework starts
(2016, or the last full year at the national scale), apartments are let to
demo clients without a decision: imported history, as from the register
import.

The history is simulated day by day per unit (a heap of events: decision
move-ins, internal moves, re-lets), so the register's own rules hold by
construction: no two tenancies of an apartment overlap, a client has one
tenancy at a time, every ended tenancy has its end reason, nothing is let
after a first-hand takeover. The derived fields (is_internal_move,
continuous_since) are set by hand as tenancies.services.tenancies.
derive_programme_fields would, because bulk_create skips the services.
"""

import heapq
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Subquery

from accounts.models import Unit
from accounts.roles import Role
from referrals.models import Client, Decision
from referrals.models.decisions import GRANTED_OUTCOMES
from tenancies.models import (
    Apartment,
    ApartmentKind,
    ApartmentStatus,
    Area,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    EndReason,
    KeySet,
    Landlord,
    Tenancy,
    Tenure,
)

from .bulk import InstanceMaker, foreign_keys_checked_once, indexes_built_once, insert_many
from .casework_plan import LANDLORDS
from .context import DemoContext, first_year
from .housing_plan import (
    ACTIONS,
    APARTMENTS_BY_SCALE,
    AREAS,
    COMPLAINTS,
    DECISION_KIND,
    DEMO_NOTE,
    HISTORY_YEARS,
    HISTORY_YEARS_BY_SCALE_HOUSING,
    KEY_PLACES,
    MOVE_OUT_DAMAGE,
    PREFIX,
    REASONS,
    STAY_DAYS,
    TAKEOVER_DAYS,
    TENANT_OWNER_LANDLORDS,
    TERMINATED,
)
from .names import STREETS

# Event kinds, in the order they are handled on the same day: a decision's
# move-in claims its apartment before an internal move or a re-let.
TRAINING_DECISION, OTHER_DECISION, INTERNAL, RELET = range(4)


@dataclass
class _Flat:
    """An apartment while its history is simulated."""

    index: int
    kind: str
    since: date  # lease start: the programme's from this day
    free_from: date
    latest: object = None  # the latest _Stay
    left: bool = False
    instance: Apartment | None = None

    def free_on(self, day, strict=True):
        if self.left or self.since > day:
            return False
        if self.latest is not None and (self.latest.end is None or self.latest.end >= day):
            return False
        return not strict or self.free_from <= day


@dataclass
class _Stay:
    flat: _Flat
    client_id: int
    start: date
    end: date | None
    reason: str
    decision_id: int | None
    created_by_id: int
    is_internal_move: bool
    continuous_since: date
    complaints: list = field(default_factory=list)


def seed(ctx: DemoContext) -> None:
    if Apartment.objects.exists():
        ctx.log("Lägenheter finns redan; inga nya skapas.")
        return
    started = time.monotonic()
    housing = _Housing(ctx)
    for unit in ctx.units:
        housing.build_unit(unit)
    built = time.monotonic()
    housing.save()
    moved = _register_move_in_addresses(ctx)
    ctx.log(
        f"Skapade {len(housing.apartments)} lägenheter, {len(housing.tenancies)} hyresförhållanden "
        f"({moved} med lägenheten som folkbokföringsadress), "
        f"{len(housing.complaints)} klagomål och skador "
        f"({built - started:.1f} s + {time.monotonic() - built:.1f} s)."
    )


def _register_move_in_addresses(ctx: DemoContext) -> int:
    """As tenancies.services.moves.register_move_in_address would have done
    for each move-in by decision: the current apartment becomes the
    client's registered address (one UPDATE; bulk_create skipped the
    service). Tenants from the imported history (no decision) keep the
    address they had, as after a register import (issue 12 §2)."""
    current = Tenancy.objects.filter(
        client=OuterRef("pk"), end_date__isnull=True, decision__isnull=False, start_date__lte=ctx.today,
    ).order_by("-start_date")
    return (
        Client.objects.filter(unit__in=ctx.units)
        .filter(Exists(current))
        .update(
            street_address=Subquery(current.values("apartment__street_address")[:1]),
            postal_code=Subquery(current.values("apartment__postal_code")[:1]),
            city=Subquery(current.values("apartment__unit__municipality")[:1]),
        )
    )


class _Housing:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        # Tenancies starting before this day are history without decision.
        self.casework_start = date(first_year(ctx), 1, 1)
        self.sizes = APARTMENTS_BY_SCALE.get(ctx.scale, APARTMENTS_BY_SCALE["small"])
        self.history_years = HISTORY_YEARS_BY_SCALE_HOUSING.get(ctx.scale, HISTORY_YEARS)
        self.make = {model: InstanceMaker(model) for model in (Apartment, Tenancy, KeySet, Complaint)}
        self.apartments, self.tenancies, self.keys, self.complaints = [], [], [], []
        self.clients_by_unit = {}
        for pk, unit_id in Client.objects.filter(unit__in=ctx.units).order_by("pk").values_list("pk", "unit_id"):
            self.clients_by_unit.setdefault(unit_id, []).append(pk)
        self.decisions_by_unit = {}
        for row in (
            Decision.objects.filter(client__unit__in=ctx.units, kind__in=list(DECISION_KIND),
                                    outcome__in=GRANTED_OUTCOMES, executed_on__isnull=False)
            .order_by("executed_on", "pk")
            .values("pk", "client_id", "client__unit_id", "kind", "executed_on", "decided_by_id")
        ):
            self.decisions_by_unit.setdefault(row["client__unit_id"], []).append(row)
        # A client with casework after a day cannot have died before it.
        self.last_casework = {
            client_id: max(decided, executed or decided)
            for client_id, decided, executed in Decision.objects.filter(client__unit__in=ctx.units)
            .values("client_id").annotate(decided=Max("decided_on"), executed=Max("executed_on"))
            .values_list("client_id", "decided", "executed")
        }

    # --- one unit ----------------------------------------------------------

    def build_unit(self, unit: Unit) -> None:
        people = self.ctx.users_by_unit.get(unit.pk, {})
        admins = people.get(Role.HOUSING_ADMIN) or people.get(Role.CASE_OFFICER) or []
        clients = self.clients_by_unit.get(unit.pk, [])
        if not admins or not clients:
            return
        self.unit, self.admin_id, self.clients = unit, admins[0].pk, clients
        # The unit's fixed lists of areas and landlords (tenancies.models.lists).
        # One insert per list (the keys in the order of the names).
        areas = Area.objects.bulk_create([Area(unit=unit, name=name) for name in AREAS])
        self.area_ids = {area.name: area.pk for area in areas}
        landlords = Landlord.objects.bulk_create(
            [Landlord(unit=unit, name=name) for name in dict.fromkeys([*LANDLORDS, *TENANT_OWNER_LANDLORDS])]
        )
        self.landlord_ids = {landlord.name: landlord.pk for landlord in landlords}
        self.flats, self.events, self.sequence = [], [], 0
        self.last_stay, self.died = {}, {}
        self.first_stay = len(self.tenancies)
        rng = self.rng
        for kind, count in self.sizes.items():
            for _ in range(count):
                low, high = self.history_years
                since = self.today - timedelta(days=rng.randint(low * 365, high * 365))
                flat = self._new_flat(kind, since)
                self._push(since + timedelta(days=rng.randint(0, 45)), RELET, flat)
        for decision in self.decisions_by_unit.get(unit.pk, []):
            kind = DECISION_KIND[decision["kind"]]
            self._push(decision["executed_on"], TRAINING_DECISION if kind == ApartmentKind.TRAINING
                       else OTHER_DECISION, decision)
        while self.events:
            day, priority, _seq, payload = heapq.heappop(self.events)
            if day > self.today:
                break
            if priority in (TRAINING_DECISION, OTHER_DECISION):
                self._decision_move_in(day, payload)
            elif priority == INTERNAL:
                self._internal_move(day, payload)
            else:
                self._relet(day, payload)
        self._finish_unit()

    def _push(self, day, priority, payload):
        self.sequence += 1
        heapq.heappush(self.events, (day, priority, self.sequence, payload))

    def _new_flat(self, kind, since):
        flat = _Flat(len(self.flats), kind, since, since)
        self.flats.append(flat)
        return flat

    def _free_flat(self, kind, day, exclude=None):
        """A free apartment of `kind` on `day`: one whose vacancy has run its
        course, else one just vacated, else one more rented."""
        for strict in (True, False):
            free = [f for f in self.flats if f.kind == kind and f is not exclude and f.free_on(day, strict)]
            if free:
                return self.rng.choice(free)
        return self._new_flat(kind, day - timedelta(days=self.rng.randint(7, 60)))

    def _dead(self, client_id, day):
        return client_id in self.died and self.died[client_id] < day

    def _housed(self, client_id, day):
        stay = self.last_stay.get(client_id)
        return stay is not None and (stay.end is None or stay.end >= day)

    # --- events ---

    def _decision_move_in(self, day, decision):
        client_id = decision["client_id"]
        kind = DECISION_KIND[decision["kind"]]
        current = self.last_stay.get(client_id)
        leaving = None
        if self._dead(client_id, day):
            return
        if self._housed(client_id, day):
            if kind != ApartmentKind.TRAINING or current.start >= day:
                return  # executed outside the programme's apartments
            # The training decision moves the tenant on: the stay they are in
            # ends the day before, as an internal move.
            self._end(current, day - timedelta(days=1), EndReason.MOVED_WITHIN_PROGRAMME, follow=False)
            leaving = current.flat
        flat = self._free_flat(kind, day, exclude=leaving)
        self._start(flat, client_id, day, decision["pk"], decision["decided_by_id"])

    def _internal_move(self, day, previous):
        if self.last_stay.get(previous.client_id) is not previous or previous.end != day - timedelta(days=1):
            return  # a decision's move-in came first
        if previous.reason != EndReason.MOVED_WITHIN_PROGRAMME:
            return
        flat = self._free_flat(previous.flat.kind, day, exclude=previous.flat)
        # As tenancies.services.moves.internal_move: the decision carries over to
        # an apartment of the same kind.
        self._start(flat, previous.client_id, day, previous.decision_id, previous.created_by_id)

    def _relet(self, day, flat):
        if day >= self.casework_start or not flat.free_on(day):
            return
        for _attempt in range(20):
            client_id = self.rng.choice(self.clients)
            if not self._dead(client_id, day) and not self._housed(client_id, day):
                self._start(flat, client_id, day, None, self.admin_id)
                return

    # --- a stay from move-in to move-out ---

    def _start(self, flat, client_id, day, decision_id, created_by_id):
        previous = self.last_stay.get(client_id)
        internal = previous is not None and previous.reason == EndReason.MOVED_WITHIN_PROGRAMME
        stay = _Stay(flat, client_id, day, None, "", decision_id, created_by_id, internal,
                     previous.continuous_since if internal else day)
        flat.latest = stay
        self.last_stay[client_id] = stay
        self.tenancies.append(stay)
        reason = self._draw_reason(flat.kind, internal)
        low, high = TAKEOVER_DAYS if reason == EndReason.FIRST_HAND_TAKEOVER else STAY_DAYS[flat.kind]
        if reason in TERMINATED:
            high = min(high, 2 * 365)
        end = day + timedelta(days=self.rng.randint(min(low, high), high))
        if reason == EndReason.DIED and self.last_casework.get(client_id, date.min) >= end:
            # The client has casework after that day: not a death after all.
            reason = self._draw_reason(flat.kind, internal, exclude=(EndReason.DIED, EndReason.FIRST_HAND_TAKEOVER))
        if end < self.today:
            self._end(stay, end, reason)

    def _draw_reason(self, kind, internal, exclude=()):
        weights = {reason: weight for reason, weight in REASONS[kind].items() if reason not in exclude}
        reason = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        if internal and reason == EndReason.MOVED_WITHIN_PROGRAMME:
            reason = EndReason.OWN_HOUSING  # no endless chains of moves
        return reason

    def _end(self, stay, end, reason, follow=True):
        """End `stay`: when it is drawn at the move-in (a planned end), or
        earlier when a later decision moves the tenant on (then again)."""
        stay.end, stay.reason = end, reason
        flat = stay.flat
        flat.left = reason == EndReason.FIRST_HAND_TAKEOVER
        if reason == EndReason.DIED:
            self.died[stay.client_id] = end
        else:
            self.died.pop(stay.client_id, None)
        if flat.left:
            return
        # Cleaning, repairs and finding the next tenant take a while.
        gap = self.rng.randint(60, 240) if self.rng.random() < 0.15 else self.rng.randint(5, 60)
        flat.free_from = end + timedelta(days=gap)
        self._push(flat.free_from, RELET, flat)
        if follow and reason == EndReason.MOVED_WITHIN_PROGRAMME:
            self._push(end + timedelta(days=1), INTERNAL, stay)

    # --- the unit's rows ---

    def _finish_unit(self):
        rng, unit = self.rng, self.unit
        counters = {}
        for flat in self.flats:
            counters[flat.kind] = counters.get(flat.kind, 0) + 1
            flat.instance = self._apartment(flat, f"{PREFIX[flat.kind]}{counters[flat.kind]:04d}")
            self.apartments.append(flat.instance)
            kept = rng.choice(KEY_PLACES)
            tag = f"N{unit.pk}-{flat.index + 1:03d}"
            self.keys.append((flat, self.make[KeySet](count=rng.randint(1, 2), tag=tag, kept_at=kept, note="")))
            if flat.latest is not None and flat.latest.end is None:
                self.keys.append((flat, self.make[KeySet](count=2, tag=tag, kept_at="Hyresgästen",
                                                          note="Kvitterade vid inflyttningen.")))
        for stay in self.tenancies[self.first_stay:]:
            self._complaints_of(stay)

    def _apartment(self, flat, object_number):
        rng = self.rng
        rooms = {ApartmentKind.EMERGENCY: [Decimal(1)],
                 ApartmentKind.HOUSING_FIRST: [Decimal(1), Decimal(2)]}.get(
            flat.kind, [Decimal(1), Decimal("1.5"), Decimal(2), Decimal(2), Decimal(3)])
        rooms = rng.choice(rooms)
        size = Decimal(int(rooms * 22) + rng.randint(8, 22))
        floor = rng.randint(0, 6)
        owned = rng.random() < 0.35
        cost = int(size) * rng.randint(105, 135) * 100
        latest = flat.latest
        if flat.left:
            status = ApartmentStatus.LEFT_PROGRAMME
        elif latest is not None and latest.end is None:
            status = ApartmentStatus.OCCUPIED
        else:
            roll = rng.random()
            status = (ApartmentStatus.REPAIR if roll < 0.12 else
                      ApartmentStatus.BEING_RETURNED if roll < 0.18 else ApartmentStatus.VACANT)
        lease_end = None
        if status == ApartmentStatus.BEING_RETURNED:
            lease_end = self.today + timedelta(days=rng.randint(20, 90))
        elif flat.left:
            lease_end = latest.end
        return self.make[Apartment](
            unit_id=self.unit.pk, object_number=object_number,
            street_address=f"{rng.choice(STREETS)} {rng.randint(1, 60)}, lgh {1001 + floor * 100 + rng.randint(0, 8)}",
            postal_code=f"186 {rng.randint(30, 99)}", area_id=self.area_ids[rng.choice(AREAS)], rooms=rooms, size_m2=size,
            floor=floor, has_lift=floor >= 3 or rng.random() < 0.3,
            accessibility_notes="Tre trappsteg till entrén." if rng.random() < 0.1 else "",
            kind=flat.kind, tenure=Tenure.MUNICIPAL_TENANT_OWNER if owned else Tenure.RENTAL,
            landlord_id=self.landlord_ids[rng.choice(TENANT_OWNER_LANDLORDS if owned else LANDLORDS)],
            lease_start=flat.since, lease_end=lease_end, monthly_cost=cost,
            rent=cost - rng.randint(0, 6) * 10_000, status=status, notes=DEMO_NOTE,
        )

    def _complaints_of(self, stay):
        """Complaints and damage during the stay, dated within it (the
        complaint service links the tenancy running on the day)."""
        rng = self.rng
        last_day = stay.end or self.today
        span = (last_day - stay.start).days
        if stay.reason in (EndReason.TERMINATED_DISTURBANCE, EndReason.EVICTED):
            count = rng.randint(2, 4)
        else:
            count = 1 if rng.random() < 0.12 else 0
        for _ in range(count):
            kind = (ComplaintKind.DISTURBANCE if stay.reason == EndReason.TERMINATED_DISTURBANCE
                    else rng.choices(list(COMPLAINTS), weights=[50, 30, 20])[0])
            day = last_day - timedelta(days=rng.randint(0, min(span, 180)))
            self._complaint(stay, day, kind, rng.choice(COMPLAINTS[kind]))
        if stay.end is not None and rng.random() < 0.08:
            self._complaint(stay, stay.end, ComplaintKind.DAMAGE, MOVE_OUT_DAMAGE, source=ComplaintSource.STAFF)

    def _complaint(self, stay, day, kind, text, source=None):
        rng = self.rng
        source = source or rng.choices(list(ComplaintSource), weights=[30, 40, 15, 15])[0]
        self.complaints.append((stay, self.make[Complaint](
            occurred_on=day, kind=kind, source=source,
            description=f"{text} (Fiktiva uppgifter.)", action_taken=rng.choice(ACTIONS),
            registered_by_id=self.admin_id,
        )))

    # --- writing -----------------------------------------------------------

    def save(self) -> None:
        # Keys checked and plain indexes built once at the end (PostgreSQL),
        # not row by row.
        with foreign_keys_checked_once(Apartment, Tenancy, KeySet, Complaint), \
                indexes_built_once(Apartment, Tenancy, Complaint):
            self._save()

    def _save(self) -> None:
        insert_many(Apartment, self.apartments)
        make = self.make[Tenancy]
        rows = []
        for stay in self.tenancies:
            apartment = stay.flat.instance
            row = make(
                apartment_id=apartment.pk, client_id=stay.client_id, decision_id=stay.decision_id,
                start_date=stay.start, end_date=stay.end, end_reason=stay.reason if stay.end else "",
                rent=_rent_on(apartment.rent, stay.start, self.today), is_internal_move=stay.is_internal_move,
                continuous_since=stay.continuous_since, created_by_id=stay.created_by_id,
            )
            stay.row = row
            rows.append(row)
        insert_many(Tenancy, rows)
        for flat, key in self.keys:
            key.apartment_id = flat.instance.pk
        insert_many(KeySet, [key for _flat, key in self.keys])
        complaints = []
        for stay, complaint in self.complaints:
            complaint.apartment_id = stay.flat.instance.pk
            complaint.tenancy_id = stay.row.pk
            complaints.append(complaint)
        insert_many(Complaint, complaints)


def _rent_on(rent: int, start: date, today: date) -> int:
    """The rent when the tenancy started: about 2 % less for each year back."""
    years = max(0, (today - start).days // 365)
    return int(round(rent * 0.98**years / 100) * 100)
