"""The unit's rent settings page (/hyra/installningar/): where tenants pay,
when the notices are made, the days of grace and the finance system's
account plan. The housing administrator's (rent.manage_rent)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import permission_required
from audit.context import AuditContext
from rent.forms.settings import RentSettingsForm, save_settings
from rent.models import RentSettings


@permission_required("rent.manage_rent")
def rent_settings(request):
    unit = request.user.unit
    if unit is None:
        raise Http404
    # Not made by opening the page: a unit without settings gets the
    # defaults in the form, and the row on the first save.
    current = RentSettings.objects.filter(unit=unit).first() or RentSettings(unit=unit)
    form = RentSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        save_settings(AuditContext.from_request(request), form)
        messages.success(request, _("The rent settings were saved."))
        return redirect("rent:settings")
    return render(request, "rent/settings/settings.html", {"form": form, "unit": unit})
