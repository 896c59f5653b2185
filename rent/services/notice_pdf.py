"""Rent notices (hyresavier) as PDF: one tenant's notice, and the unit's
notices of a month in one file for printing (docs/rent.md, "Rent notices
(PDF)").

Each page holds the unit's payee and bankgiro, the OCR reference, the
amount, the due date, the lines, the tenant's name and address and what to
do if they cannot pay. A protected tenant's notice is made like any other,
but their address (the apartment) is printed only for a user who may see
where they live (referrals.protection.may_see_whereabouts, the one rule);
otherwise the page says "to be addressed by hand" and shows no address and
no text that names the apartment.

Reads are logged here, for views and tasks alike: the single notice as an
export of that notice; the month's file with one row per tenant, all
written in one insert (audit.services.log_list_access through the
request's read recorder, audit.reads)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import reads
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access, log_list_access
from core.formatting import NBSP, number
from core.pdf import render_pdf
from referrals.protection import is_protected, may_see_whereabouts
from rent.forms.settings import format_bankgiro
from rent.models import LineKind, NoticeKind, NoticeLine, RentNotice, RentSettings

TEMPLATE = "rent/notices/notice_pdf.html"
# Record types of the access log's rows (labels: RentConfig.access_log_labels).
NOTICE_PDF = "rent.notice_pdf"
MONTH_PDF = "rent.notice_pdf_month"


def money(ore: int) -> str:
    """As on a bank form: always with öre, "4 500,00 kr"."""
    return f"{number(Decimal(int(ore)) / 100, 2)}{NBSP}kr"


@dataclass
class NoticeLineSheet:
    text: str
    amount: str
    days: int | None = None
    days_in_month: int | None = None


@dataclass
class NoticeSheet:
    """What one page prints, worked out before the template sees it, so that
    the template cannot print a hidden address by mistake."""

    notice: RentNotice
    tenant_name: str
    address_lines: list[str]
    manual_address: bool
    lines: list[NoticeLineSheet]
    amount: str
    ocr: str
    due_date: date
    issued_on: date
    period: date | None
    payee: str
    bankgiro: str
    contact_text: str


@contextmanager
def _reads_recorded(ctx: AuditContext, purpose: str) -> Iterator[None]:
    """A request's reads are written by its own recorder (the middleware);
    a task or command records them here and writes them as ctx.user."""
    if reads.current() is not None:
        yield
        return
    with reads.recording(ctx, purpose):
        yield


def notices_for_pdf() -> QuerySet[RentNotice]:
    """Notices with what a page prints, in a fixed number of queries."""
    return (
        RentNotice.objects.select_related("tenancy__client", "tenancy__apartment__unit")
        .prefetch_related(Prefetch("lines", queryset=NoticeLine.objects.order_by("id")))
    )


def _line_text(line: NoticeLine, notice: RentNotice, hide_apartment: bool) -> str:
    # A rent line's stored text may name the apartment: for a protected
    # tenant whose address is not printed, the kind and the month only.
    if hide_apartment and line.kind in (LineKind.RENT, LineKind.OPENING_BALANCE):
        label = str(LineKind(line.kind).label)
        return f"{label} {notice.period:%Y-%m}" if notice.period else label
    return line.text


def sheet_for(user, notice: RentNotice, rent_settings: RentSettings | None) -> NoticeSheet:
    tenancy = notice.tenancy
    client = tenancy.client
    apartment = tenancy.apartment
    unit = apartment.unit
    shown = may_see_whereabouts(user, client)
    hide_apartment = is_protected(client) and not shown
    address_lines = []
    if shown:
        # The tenant lives in the apartment: the notice goes there.
        town = client.city if client.city and client.postal_code == apartment.postal_code else unit.municipality
        address_lines = [apartment.street_address, f"{apartment.postal_code} {town}".strip()]
    rent_settings = rent_settings or RentSettings(unit=unit)
    return NoticeSheet(
        notice=notice,
        tenant_name=client.full_name,
        address_lines=[line for line in address_lines if line],
        manual_address=not shown,
        lines=[
            NoticeLineSheet(_line_text(line, notice, hide_apartment), money(line.amount), line.days,
                            line.days_in_month)
            for line in notice.lines.all()
        ],
        amount=money(notice.amount),
        ocr=notice.ocr,
        due_date=notice.due_date,
        issued_on=notice.issued_on,
        period=notice.period,
        payee=rent_settings.payee_name or f"{unit.municipality}, {unit.name}",
        bankgiro=format_bankgiro(rent_settings.bankgiro) if rent_settings.bankgiro else "",
        contact_text=rent_settings.contact_text.strip() or _(
            "If you cannot pay the rent on time, contact your bolots at once, before the due date. "
            "Together we find a way: an unpaid rent can cost you the apartment."
        ),
    )


def _settings_by_unit(unit_ids) -> dict[int, RentSettings]:
    return {row.unit_id: row for row in RentSettings.objects.filter(unit_id__in=set(unit_ids))}


def _render(sheets: list[NoticeSheet], filename: str, *, title: str) -> tuple[str, str, bytes]:
    return render_pdf(TEMPLATE, {
        "sheets": sheets, "title": title, "unit_name": django_settings.BOLOTS_UNIT_NAME,
        "printed_on": timezone.localdate(),
    }, filename)


def notice_pdf(ctx: AuditContext, notice: RentNotice) -> tuple[str, str, bytes]:
    """One tenant's notice; `notice` as read by notices_for_pdf(). Logged as
    an export of the notice."""
    with _reads_recorded(ctx, "rent notice PDF"):
        rent_settings = _settings_by_unit([notice.tenancy.apartment.unit_id]).get(notice.tenancy.apartment.unit_id)
        sheet = sheet_for(ctx.user, notice, rent_settings)
        rendered = _render([sheet], f"hyresavi-{notice.ocr or notice.pk}.pdf", title=_("Rent notice"))
        log_access(ctx, AccessAction.EXPORT, notice, object_type=NOTICE_PDF, note=f"notice #{notice.pk}")
    return rendered


def month_notices(unit_id: int, period: date) -> QuerySet[RentNotice]:
    """The unit's rent notices for `period`, in the order they are printed:
    by number (the order the run made them, the OCR's order)."""
    return (
        notices_for_pdf()
        .filter(tenancy__apartment__unit_id=unit_id, kind=NoticeKind.RENT, period=period)
        .order_by("id")
    )


def month_pdf(ctx: AuditContext, unit_id: int, period: date) -> tuple[str, str, bytes] | None:
    """Every rent notice of the unit for `period` in one file, a page (or
    more) per notice; None when there is none. One access-log row per
    tenant, in one insert."""
    with _reads_recorded(ctx, "rent notices PDF"):
        notices = list(month_notices(unit_id, period))
        if not notices:
            return None
        rent_settings = _settings_by_unit([unit_id]).get(unit_id)
        sheets = [sheet_for(ctx.user, notice, rent_settings) for notice in notices]
        rendered = _render(sheets, f"hyresavier-{period:%Y-%m}.pdf",
                           title=_("Rent notices %(month)s") % {"month": f"{period:%Y-%m}"})
        log_list_access(ctx, notices, object_type=MONTH_PDF, note=f"period {period:%Y-%m}")
    return rendered
