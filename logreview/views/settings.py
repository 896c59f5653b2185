"""The unit's log-review settings: which risk rules are in use, the size of
the random sample, the working hours and the "many clients" factor.

A manager edits their own unit's settings only (the unit is the user's,
never a URL parameter, so another unit's settings cannot be reached); the
save goes through review_settings.save_settings (history, access log,
optimistic lock) and audit.conflicts.save_edit.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import permission_required
from audit.conflicts import save_edit
from audit.context import AuditContext

from ..forms.settings import ReviewSettingsForm
from ..models import ReviewSettings
from ..review_settings import FIELDS, save_settings, settings_for
from ..rules import USUAL_MINIMUM, USUAL_MONTHS

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved the unit's log review settings while you were editing. Your changes are not saved "
    "yet: they are still in the form below. Compare with the saved values and save again."
)


@permission_required("logreview.change_reviewsettings")
def review_settings(request):
    unit = request.user.unit
    if unit is None:
        raise Http404
    current = settings_for(unit)
    edit = save_edit(
        request, ReviewSettingsForm(request.POST or None, instance=current),
        lambda form: save_settings(
            AuditContext.from_request(request), form.save(commit=False), expected_version=form.expected_version(),
        ),
        reread=lambda: ReviewSettings.objects.filter(unit=unit).first() or ReviewSettings(unit=unit),
        fields=FIELDS,
        message=CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The log review settings were saved."))
        return redirect("logreview:settings")
    return render(request, "logreview/settings.html", {
        "form": edit.form,
        "conflict_values": edit.conflict_values,
        "unit": unit,
        "usual_months": USUAL_MONTHS,
        "usual_minimum": USUAL_MINIMUM,
    })
