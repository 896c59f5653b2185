"""Forms of the area and landlord lists (views.lists). Plain forms: the
service (services.lists.save_entry) checks names, so that a duplicate gets
its Swedish message rather than the database constraint's."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ListEntryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)


class ListEntryEditForm(ListEntryForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False,
        help_text=_("A deactivated entry stays on its apartments but is no longer offered."),
    )
