"""The rent ledger's part of the walk's world (world.py): one record of each
kind a rent page is about, made directly (no services), on the world's
tenancy of the unit. A helper needing another object adds it at the end of
the returned dict."""

from datetime import date, timedelta

from rent.models import (
    ArrearsTermination,
    BgMaxFile,
    BgMaxImportJob,
    NoticeKind,
    NoticeLine,
    Payment,
    PaymentSource,
    RentNotice,
    RentSettings,
    RepaymentPlan,
)
from rent.ocr import notice_reference


def rent_objects(unit, tenancy, users, today: date) -> dict:
    admin = users["housing_admin"]
    RentSettings.objects.get_or_create(unit=unit, defaults={"bankgiro": "9912346", "payee_name": "Fiktiva kommunen"})
    month = today.replace(day=1)
    # The demo may have billed, planned or terminated the tenancy already: its
    # records are used then (one notice per month, one running plan, one open
    # termination per tenancy).
    notice = RentNotice.objects.filter(tenancy=tenancy, kind=NoticeKind.RENT, period=month).first()
    if notice is None:
        notice = RentNotice.objects.create(
            tenancy=tenancy, kind=NoticeKind.RENT, period=month, issued_on=month - timedelta(days=10),
            due_date=month - timedelta(days=1), amount=450000, booked_month=month, created_by=admin,
        )
        notice.ocr = notice_reference(notice.pk)
        notice.save(update_fields=["ocr"])
        NoticeLine.objects.create(notice=notice, kind="rent", text="Hyra", amount=450000)
    bgmax_file = BgMaxFile.objects.create(unit=unit, sha256="0" * 64, filename="walk.bgmax", imported_by=admin)
    stray = Payment.objects.create(
        unit=unit, source=PaymentSource.BGMAX, paid_on=today - timedelta(days=2), amount=120000,
        reference="99999", bgmax_file=bgmax_file, payer_name="Fiktiv Betalare", booked_month=month,
    )
    bgmax_job = BgMaxImportJob.objects.create(unit=unit, filename="walk.bgmax", sha256="0" * 64, file=bgmax_file,
                                              status=BgMaxImportJob.Status.DONE, requested_by=admin)
    plan = RepaymentPlan.objects.filter(tenancy=tenancy, status="active").first() or RepaymentPlan.objects.create(
        tenancy=tenancy, debt=300000, monthly_amount=50000, start_month=month, end_month=date(month.year + 1, 1, 1),
        debt_adviser="Fiktiv rådgivare", created_by=admin,
    )
    termination = ArrearsTermination.objects.filter(
        tenancy=tenancy, status__in=["draft", "running"]).first() or ArrearsTermination.objects.create(
        tenancy=tenancy, decided_on=today - timedelta(days=3), amount_owed=450000, created_by=admin,
    )
    return {
        "rent_notice": notice,
        "rent_payment": stray,
        "bgmax_file": bgmax_file,
        "repayment_plan": plan,
        "termination": termination,
        "bgmax_job": bgmax_job,
    }
