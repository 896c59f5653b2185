"""Forms of the waiting list (docs/housing-chain.md, "The waiting list"):
its filter (GET, codes only, never personal data), the housing needs of a
decision and the priority with its reason. The rules live in
tenancies.services.waiting; a refused one is put beside its field."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin
from referrals.models import DecisionKind

from ..models import HousingNeeds, WaitingPriority
from ..services.waiting import IvoState

SORT_PRIORITY = ""
SORT_OLDEST = "aldst"


class WaitingFilterForm(forms.Form):
    """The list's filters. An unknown value shows every decision, with the
    message beside the field (the list still answers)."""

    typ = forms.ChoiceField(
        label=_("Kind of assistance"), required=False,
        choices=[("", _("All apartment kinds"))] + [
            (kind.value, kind.label) for kind in DecisionKind if kind in DecisionKind.apartment_kinds()
        ],
    )
    ivo = forms.ChoiceField(
        label=_("IVO"), required=False,
        choices=[
            ("", _("All")),
            (IvoState.SOON, _("Reportable to IVO within 30 days")),
            (IvoState.REPORTABLE, _("Already reportable to IVO")),
        ],
    )
    ordning = forms.ChoiceField(
        label=_("Sort order"), required=False,
        choices=[(SORT_PRIORITY, _("Priority first, then oldest")), (SORT_OLDEST, _("Oldest first"))],
    )

    def values(self) -> dict:
        """kind, ivo and oldest_first for services.waiting.waiting_decisions;
        the defaults when the form is not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("typ") or "",
            "ivo": data.get("ivo") or "",
            "oldest_first": data.get("ordning") == SORT_OLDEST,
        }


class NeedsForm(VersionedFormMixin, forms.ModelForm):
    """What the decision needs of an apartment. The version is the needs'
    (0 when the decision has none yet: services.waiting.set_needs).

    `areas`: the unit's areas to choose from, as services.waiting.area_choices
    gives them (each with `chosen`), read once by the view: the choices, what
    is ticked and the Area records the service gets come from that one list."""

    rooms_min = forms.DecimalField(
        label=_("At least rooms"), required=False, max_digits=3, decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("20"))],
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}), localize=True,
    )
    rooms_max = forms.DecimalField(
        label=_("At most rooms"), required=False, max_digits=3, decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("20"))],
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}), localize=True,
    )
    max_floor = forms.IntegerField(
        label=_("Highest floor"), required=False, min_value=0, max_value=40,
        help_text=_("0 is the ground floor. Leave empty if any floor will do."),
    )
    children = forms.IntegerField(label=_("Children who will live there"), min_value=0, max_value=20, initial=0)
    areas = forms.TypedMultipleChoiceField(
        label=_("Areas"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if any area of the municipality will do."),
    )

    class Meta:
        model = HousingNeeds
        # `areas` is the form's own field above (the many-to-many is set by
        # the service), so that the page reads the areas once.
        fields = ["rooms_min", "rooms_max", "needs_lift", "max_floor", "accessibility", "children", "notes"]
        labels = {
            "needs_lift": _("Needs a lift or a ground-floor apartment"),
            "accessibility": _("Other accessibility needs"),
            "notes": _("Other needs"),
        }
        help_texts = {
            "accessibility": _("For example a wheelchair, a walker or no thresholds."),
            "notes": _("What else the apartment must offer. No address and nothing about where the client lives now."),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    field_order = ["version", "rooms_min", "rooms_max", "max_floor", "children", "needs_lift", "accessibility",
                   "areas", "notes"]

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._areas = {area.pk: area for area in areas}
        self.fields["areas"].choices = [(area.pk, area.name) for area in areas]
        self.initial["areas"] = [area.pk for area in areas if getattr(area, "chosen", False)]
        if not self.instance.pk:
            self.fields["version"].initial = 0

    def clean_areas(self):
        return [self._areas[pk] for pk in self.cleaned_data.get("areas") or []]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("rooms_min"), cleaned.get("rooms_max")
        if low is not None and high is not None and high < low:
            self.add_error("rooms_max", _("The highest number of rooms cannot be lower than the lowest."))
        return cleaned

    def _post_clean(self):
        # Nothing is written onto the instance: the service sets the
        # cleaned values (services.waiting.set_needs), and the rooms range
        # (the model's check constraint) has its message in clean().
        pass


class PriorityForm(forms.Form):
    """A new priority with its reason. `seen` is the priority in force when
    the form was opened (0: none), so that a priority set meanwhile by
    someone else is not overridden unread."""

    level = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=WaitingPriority.Level.choices,
        initial=WaitingPriority.Level.NORMAL,
    )
    reason = forms.CharField(
        label=_("Reason for the priority"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the decision is prioritised so, for example children in the household or a tenancy "
                    "ending. Kept in the priority history."),
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for the priority."), code="required")
        return reason

    def seen_priority(self) -> int:
        """The id of the priority the user saw; 0 when none. A post without
        the field counts as "saw none" (a conflict if one exists)."""
        return self.cleaned_data.get("seen") or 0
