"""The yearly PDF evaluation: request a year, follow the run, download.

Managers only (reports.view_reportrun / add_reportrun / download_reportrun);
a run of another unit is 404 (ReportRun.objects.visible_to). The status
partial is polled with htmx every two seconds while the run is queued or
running, and stops polling when it is done or failed (the answer has no
trigger any more). Downloads go through accounts.access.fetch_visible, which
writes the access log (action export).
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import fetch_visible, permission_required, require_perm
from audit.context import AuditContext
from audit.models import AccessAction

from ..evaluation import evaluation_filename
from ..models import ReportRun
from ..services import narrative
from ..services import runs as services

RUNS_PER_PAGE = 20
POLL_SECONDS = 2


class RunForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=services.FIRST_YEAR)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not started yet."))
        return year


def default_year():
    """The evaluation is made in December (seed 001): the current year then,
    the year before otherwise."""
    today = timezone.localdate()
    return today.year if today.month == 12 else today.year - 1


@require_http_methods(["GET", "POST"])
@permission_required("reports.view_reportrun")
def run_list(request):
    if request.method == "POST":
        require_perm(request.user, "reports.add_reportrun")
        form = RunForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                services.request_run(AuditContext.from_request(request), year)
            except services.RunError as error:
                # Beside the year, with the list below showing the run in progress.
                form.add_error("year", str(error))
            else:
                messages.success(request, _(
                    "The evaluation for %(year)s has been requested. It is generated in the background; "
                    "this page shows when it is ready."
                ) % {"year": year})
                drafts = narrative.draft_titles(request.user.unit, year)
                if drafts:
                    messages.info(request, _("Texts still in draft are not printed: %(sections)s.") % {
                        "sections": ", ".join(drafts)})
                return redirect("reports:run_list")
    else:
        form = RunForm(initial={"year": default_year()})
    runs = ReportRun.objects.visible_to(request.user).select_related("requested_by")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/runs/run_list.html", {
        "form": form,
        "page_obj": page,
        "runs": page.object_list,
        "poll_seconds": POLL_SECONDS,
        "stuck_before": services.stuck_before(),
    })


@permission_required("reports.view_reportrun")
def run_status(request, pk):
    """The status of one run (htmx partial). With ?seen=<status> it answers
    204 (htmx swaps nothing) while the status is unchanged, so that screen
    readers are not told the same thing every two seconds."""
    run = fetch_visible(request, ReportRun.objects, perm="reports.view_reportrun", log=False, pk=pk)
    # A queued run that becomes stuck changes what is shown (the retry
    # button) without changing its status: "queued-stuck" is a state of its own.
    seen_state = f"{run.status}-stuck" if services.is_stuck(run) else run.status
    if request.GET.get("seen") == seen_state and not run.is_finished:
        return HttpResponse(status=204)
    return render(request, "reports/runs/_status.html", {
        "run": run, "poll_seconds": POLL_SECONDS, "stuck_before": services.stuck_before(),
    })


@permission_required("reports.download_reportrun")
def run_download(request, pk):
    run = fetch_visible(
        request,
        ReportRun.objects.filter(status=ReportRun.Status.DONE).exclude(file=""),
        perm="reports.download_reportrun",
        action=AccessAction.EXPORT,
        pk=pk,
    )
    return FileResponse(
        run.file.open("rb"), as_attachment=True, filename=evaluation_filename(run.year), content_type="application/pdf"
    )


@require_POST
@permission_required("reports.add_reportrun")
def run_retry(request, pk):
    run = fetch_visible(request, ReportRun.objects, perm="reports.add_reportrun", log=False, pk=pk)
    try:
        services.retry_run(AuditContext.from_request(request), run)
    except services.RunError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The evaluation for %(year)s is being tried again.") % {"year": run.year})
    return redirect("reports:run_list")
