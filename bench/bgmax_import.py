"""Time a BgMax import of 30 000 payments (services.bgmax_import).

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/bgmax_import.py [--payments 30000] [--tenancies 3000]

Makes (once per run, in a unit of its own) `--tenancies` tenancies with ten
monthly notices each, then a BgMax file written by rent/bgmax/writer.py with
`--payments` payments: nine in ten carry the OCR of an open notice (so they
are matched and allocated), one in ten a reference that names no notice
(the manual queue). Times import_bgmax alone — parse, checks, the bulk
insert, matching and allocation in one transaction — and prints wall and
CPU time, the SQL queries and the load average. The data stays in the
database (a new unit each run); use a scratch database.

Budget (issue 14): under 30 s on PostgreSQL.
"""

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def build(tenancy_count, payment_count):
    from dateutil.relativedelta import relativedelta

    from accounts.roles import Role
    from accounts.tests.factories import UnitFactory, UserFactory
    from rent.bgmax.records import BgMaxDeposit, BgMaxFileContent, BgMaxPayment
    from rent.bgmax.writer import write_bytes
    from rent.models import RentNotice, RentSettings
    from rent.ocr import notice_reference
    from tenancies.tests.factories import ApartmentFactory, TenancyFactory

    unit = UnitFactory(municipality="Bänkby")
    admin = UserFactory(unit=unit, roles=[Role.HOUSING_ADMIN])
    RentSettings.objects.create(unit=unit, bankgiro="9912346")
    tenancies = [TenancyFactory(apartment=ApartmentFactory(unit=unit), created_by=admin)
                 for _ in range(tenancy_count)]
    first = date(2026, 1, 1)
    notices = []
    for month in range(10):
        period = first + relativedelta(months=month)
        for tenancy in tenancies:
            notices.append(RentNotice(
                tenancy=tenancy, period=period, issued_on=period - relativedelta(days=10),
                due_date=period - relativedelta(days=1), amount=450000, booked_month=period,
            ))
    RentNotice.objects.bulk_create(notices, batch_size=2000)
    for notice in notices:
        notice.ocr = notice_reference(notice.pk)
    RentNotice.objects.bulk_update(notices, ["ocr"], batch_size=2000)
    payments = []
    for index in range(payment_count):
        if index % 10 == 9:
            payments.append(BgMaxPayment(sender_bankgiro="5555555", reference=f"{index}", amount=12345,
                                         reference_code="4", serial=str(index), name="Okänd Betalare"))
        else:
            payments.append(BgMaxPayment(sender_bankgiro="5555555", reference=notices[index % len(notices)].ocr,
                                         amount=450000, serial=str(index), name="Fiktiv Hyresgäst"))
    deposits = [BgMaxDeposit(recipient_bankgiro="9912346", paid_on=date(2026, 10, 28 - day % 5),
                             serial=f"{day + 1:05d}", payments=payments[day::5]) for day in range(5)]
    data = write_bytes(BgMaxFileContent(written_at=datetime.now(), deposits=deposits))
    return unit, admin, data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=30000)
    parser.add_argument("--tenancies", type=int, default=3000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries

    from audit.context import AuditContext
    from rent.services.bgmax_import import import_bgmax

    started = time.perf_counter()
    unit, admin, data = build(args.tenancies, args.payments)
    print(f"data: {args.tenancies} tenancies, {args.tenancies * 10} notices, a file of {len(data) / 1e6:.1f} MB "
          f"with {args.payments} payments, made in {time.perf_counter() - started:.1f} s")
    settings.DEBUG = True
    reset_queries()
    wall, cpu = time.perf_counter(), time.process_time()
    summary = import_bgmax(AuditContext.system(admin, "bench"), unit, "bench.bgmax", data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{connection.vendor}: import of {summary.payments} payments ({summary.matched} matched, "
          f"{summary.to_match} to match): {wall:.1f} s wall, {cpu:.1f} s CPU, {len(connection.queries)} queries; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
