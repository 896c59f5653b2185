"""The kind filter of "Min dag": a code in the query string, never personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import OrderKind


class KindFilterForm(forms.Form):
    typ = forms.ChoiceField(label=_("Kind of order"), required=False, choices=[("", _("All kinds")), *OrderKind.choices])

    def kind(self) -> str:
        """The chosen kind, or "" (all) for a missing or unknown value."""
        return self.cleaned_data["typ"] if self.is_valid() else ""
