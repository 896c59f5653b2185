"""The housing administrator's page for the unit's lists of areas and
first-hand landlords: add, rename, deactivate, and delete one no apartment
uses. No personal data here: the lists name places and companies."""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import permission_required, require_perm
from audit.context import AuditContext
from core.forms import add_rule_error

from ..forms.lists import ListEntryEditForm, ListEntryForm
from ..services import lists as services


def _model(kind):
    model = services.KINDS.get(kind)
    if model is None:
        raise Http404
    return model


def _perm(model, action):
    return f"tenancies.{action}_{model._meta.model_name}"


def _entries(request, model):
    return (
        model.objects.visible_to(request.user).annotate(in_use=Count("apartments")).order_by("-is_active", "name")
    )


def _render(request, forms=None, status=200):
    forms = forms or {}
    sections = []
    for kind, model in services.KINDS.items():
        sections.append({
            "kind": kind,
            "title": model._meta.verbose_name_plural,
            "entries": _entries(request, model),
            "form": forms.get(kind) or ListEntryForm(prefix=kind),
        })
    return render(request, "tenancies/lists/list_entries.html", {"sections": sections}, status=status)


@permission_required("tenancies.change_area", "tenancies.change_landlord")
def list_entries(request):
    return _render(request)


@permission_required("tenancies.change_area", "tenancies.change_landlord")
@require_POST
def list_entry_add(request, kind):
    model = _model(kind)
    require_perm(request.user, _perm(model, "add"))
    form = ListEntryForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            entry = services.save_entry(AuditContext.from_request(request), model(name=form.cleaned_data["name"]))
        except services.ListError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": entry.name})
            return redirect("tenancies:list_entries")
    return _render(request, {kind: form})


def _fetch(request, kind, pk, action):
    model = _model(kind)
    require_perm(request.user, _perm(model, action))
    return get_object_or_404(_entries(request, model), pk=pk)


@permission_required("tenancies.change_area", "tenancies.change_landlord")
def list_entry_edit(request, kind, pk):
    entry = _fetch(request, kind, pk, "change")
    form = ListEntryEditForm(request.POST or None, initial={"name": entry.name, "is_active": entry.is_active})
    if request.method == "POST" and form.is_valid():
        entry.name, entry.is_active = form.cleaned_data["name"], form.cleaned_data["is_active"]
        try:
            services.save_entry(AuditContext.from_request(request), entry)
        except services.ListError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("tenancies:list_entries")
    return render(request, "tenancies/lists/list_entry_form.html", {"form": form, "entry": entry, "kind": kind})


@permission_required("tenancies.change_area", "tenancies.change_landlord")
@require_POST
def list_entry_delete(request, kind, pk):
    entry = _fetch(request, kind, pk, "delete")
    try:
        services.delete_entry(AuditContext.from_request(request), entry)
    except services.ListError as error:
        messages.error(request, str(error.messages[0]))
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": entry.name})
    return redirect("tenancies:list_entries")
