"""Time the monthly rent run (rent.services.runs.run_month) for every unit
of a national-scale database, then run it again (idempotent: nothing new).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/rent_run.py [--period 2027-01] [--keep]

Every unit gets rent settings if it has none. The runs happen inside one
transaction that is rolled back at the end (unless --keep), so the
benchmark can be repeated on the same database. Budget (DESIGN.md): the
run for the whole country under 30 s on PostgreSQL.

Bench only: refuses unless the database is PostgreSQL and its name contains
'bench'.
"""

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "SECRET_KEY" not in os.environ:
    os.environ.setdefault("DEBUG", "1")

BUDGET_SECONDS = 30


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="YYYY-MM; default: next month")
    parser.add_argument("--keep", action="store_true", help="keep the notices made (no rollback)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="first make N tenancies (in units of 1 000) inside the rolled-back transaction, "
                             "for a database without national-scale data")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, reset_queries, transaction
    from django.utils import timezone

    from accounts.models import Unit
    from rent.models import NoticeLine, RentNotice, RentSettings
    from rent.services.runs import month_end, next_period, parse_month, run_month
    from tenancies.models import Tenancy

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in str(name):
        sys.exit(f"Refusing: {connection.vendor} database {name!r} is not a PostgreSQL bench database "
                 "(its name must contain 'bench').")
    period = parse_month(args.period) if args.period else next_period(timezone.localdate())
    if period is None:
        sys.exit("Give the period as YYYY-MM.")

    try:
        with transaction.atomic():
            if args.synthetic:
                started = time.perf_counter()
                synthetic(args.synthetic, period)
                print(f"made {args.synthetic} synthetic tenancies in {time.perf_counter() - started:.1f} s")
            units = list(Unit.objects.order_by("pk"))
            active = Tenancy.objects.overlapping(period, month_end(period)).count()
            print(f"{len(units)} units, {active} tenancies running in {period:%Y-%m}")
            for unit in units:
                RentSettings.objects.get_or_create(unit=unit)
            connection.force_debug_cursor = True
            reset_queries()
            started = time.perf_counter()
            made = sum(run_month(None, unit, period).notices_made_now for unit in units)
            first = time.perf_counter() - started
            queries = len(connection.queries)
            reset_queries()
            started = time.perf_counter()
            again = sum(run_month(None, unit, period).notices_made_now for unit in units)
            second = time.perf_counter() - started
            lines = NoticeLine.objects.filter(notice__period=period).count()
            print(f"first run: {made} notices, {lines} lines, {first:.1f} s, {queries} queries "
                  f"({'within' if first < BUDGET_SECONDS else 'OVER'} the {BUDGET_SECONDS} s budget)")
            print(f"second run: {again} notices, {second:.1f} s, {len(connection.queries)} queries")
            print(f"rent notices in the database for {period:%Y-%m}: "
                  f"{RentNotice.objects.filter(period=period, kind='rent').count()}")
            connection.force_debug_cursor = False
            if not args.keep:
                raise Rollback
    except Rollback:
        print("rolled back")


def synthetic(count: int, period):
    """`count` tenancies in units of 1 000, written in bulk: every tenancy
    has a rate from an increase, one in ten moves in inside the month, one
    in ten has a charge, one in fifty a repayment plan, one in twenty
    credit."""
    from datetime import date, timedelta

    from accounts.roles import Role
    from accounts.tests.factories import UnitFactory, UserFactory
    from core import personnummer
    from referrals.models import Client, LegalGender
    from referrals.tests.factories import fictional_number
    from rent.models import Charge, Payment, PaymentSource, RentRate, RepaymentPlan
    from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Area, Landlord, Tenancy, Tenure
    from tenancies.tests.factories import list_entry

    per_unit = 1000
    for first in range(0, count, per_unit):
        unit = UnitFactory(municipality=f"Benchkommun {first // per_unit}")
        admin = UserFactory(unit=unit, roles=[Role.HOUSING_ADMIN])
        area, landlord = list_entry(Area, unit, "Centrum"), list_entry(Landlord, unit, "Bostadsbolaget")
        n = min(per_unit, count - first)
        clients = []
        for i in range(first, first + n):
            number = fictional_number(i, birth_date=date(1950 + i // 12000 % 50, 1 + i // 1000 % 12, 1 + i % 28))
            parsed = personnummer.parse(number)
            clients.append(Client(
                unit=unit, first_name="Fiktiv", last_name=f"Bench{i}", personal_number=parsed.digits,
                birth_date=parsed.birth_date, legal_gender=LegalGender.MALE if parsed.is_male else LegalGender.FEMALE,
                postal_code="186 30", city="Benchstad",
            ))
        clients = Client.objects.bulk_create(clients)
        apartments = Apartment.objects.bulk_create([
            Apartment(unit=unit, object_number=f"B{first + i:06d}", street_address=f"Benchgatan {i + 1}",
                      postal_code="186 30", area=area, rooms=2, size_m2=48, kind=ApartmentKind.TRAINING,
                      tenure=Tenure.RENTAL, landlord=landlord, monthly_cost=650_000, rent=600_000,
                      status=ApartmentStatus.OCCUPIED)
            for i in range(n)
        ])
        tenancies = Tenancy.objects.bulk_create([
            Tenancy(apartment=apartment, client=client, created_by=admin, rent=590_000 + i % 7 * 1_000,
                    start_date=(period + timedelta(days=14)) if i % 10 == 0 else date(2024, 1, 1),
                    continuous_since=(period + timedelta(days=14)) if i % 10 == 0 else date(2024, 1, 1))
            for i, (apartment, client) in enumerate(zip(apartments, clients, strict=True))
        ])
        RentRate.objects.bulk_create([
            RentRate(tenancy=t, valid_from=date(2025, 1, 1), monthly_rent=t.rent + 12_000, created_by=admin)
            for t in tenancies if t.start_date < period
        ])
        Charge.objects.bulk_create([
            Charge(tenancy=t, kind="keys", text="Ny nyckel", amount=45_000, charged_on=period - timedelta(days=5),
                   created_by=admin)
            for t in tenancies[1::10]
        ])
        RepaymentPlan.objects.bulk_create([
            RepaymentPlan(tenancy=t, debt=600_000, monthly_amount=50_000, start_month=period,
                          end_month=period.replace(year=period.year + 1), created_by=admin)
            for t in tenancies[3::50]
        ])
        Payment.objects.bulk_create([
            Payment(unit=unit, tenancy=t, source=PaymentSource.BGMAX, paid_on=period - timedelta(days=3),
                    amount=700_000, reference="1", booked_month=period)
            for t in tenancies[5::20]
        ])


if __name__ == "__main__":
    main()
