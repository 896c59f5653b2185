"""The list of given-up e-mails and "send again". The list is the whole
installation's (one mail server serves every unit), like the login locks;
it names the recipient user, the time and the reason, never the content."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import permission_required
from core import mail_failures
from core.models import MailFailure

PER_PAGE = 50


@permission_required("core.view_mailfailure")
def failure_list(request):
    failures = MailFailure.objects.open().select_related("recipient")
    page = Paginator(failures, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/mail_failures/list.html", {
        "page_obj": page, "may_resend": request.user.has_perm("core.change_mailfailure"),
    })


@require_POST
@permission_required("core.view_mailfailure", "core.change_mailfailure")
def resend(request, pk):
    get_object_or_404(MailFailure, pk=pk)
    if mail_failures.resend(pk, request.user):
        messages.success(request, _("The e-mail was queued to be sent again."))
    else:
        messages.info(request, _("The e-mail had already been sent again."))
    return redirect("mail_failures:list")
