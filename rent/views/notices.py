"""Rent notices as PDF: one tenant's (/hyra/avier/<pk>/pdf/) and a month's
for printing (/hyra/avier/<yyyy>-<mm>/pdf/). The housing administrator's
(rent.manage_rent); the service (services.notice_pdf) decides what is
printed and logs the reads."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext
from core.pdf import pdf_response
from rent.services import notice_pdf
from tenancies.models import Tenancy


@permission_required("rent.manage_rent")
def notice_pdf_view(request, pk):
    # The notice's tenancy must be one the user may see (Tenancy.visible_to,
    # the tenancies' access rule): another unit's notice is a 404.
    notice = (
        notice_pdf.notices_for_pdf()
        .filter(tenancy__in=Tenancy.objects.visible_to(request.user), pk=pk)
        .first()
    )
    if notice is None:
        raise Http404
    return pdf_response(notice_pdf.notice_pdf(AuditContext.from_request(request), notice))


@permission_required("rent.manage_rent")
def month_pdf_view(request, year, month):
    if request.user.unit_id is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    period = date(year, month, 1)
    rendered = notice_pdf.month_pdf(AuditContext.from_request(request), request.user.unit_id, period)
    if rendered is None:
        messages.info(request, _("There are no rent notices for %(month)s.") % {"month": f"{period:%Y-%m}"})
        return redirect("rent:overview")
    return pdf_response(rendered)
