from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin

from ..models import PlanAction
from .decisions import PastDateField


class PlanCreateForm(DateBoundsMixin, forms.Form):
    established_on = PastDateField(label=_("Established on"))


class GoalForm(forms.Form):
    text = forms.CharField(label=_("New goal"), max_length=300)


class GoalAchievedForm(DateBoundsMixin, forms.Form):
    achieved_on = PastDateField(label=_("Achieved on"))


class ActionForm(DateBoundsMixin, forms.ModelForm):
    draft_fields = ("description", "responsible")  # autosaved as a draft (accounts.drafts)

    class Meta:
        model = PlanAction
        fields = ["description", "responsible", "due_on"]
        widgets = {"due_on": DateInput}


class ActionDoneForm(DateBoundsMixin, forms.Form):
    done_on = PastDateField(label=_("Done on"))


class ReviewForm(DateBoundsMixin, forms.Form):
    draft_fields = ("notes",)  # autosaved as a draft (accounts.drafts)

    reviewed_on = PastDateField(label=_("Reviewed on"))
    notes = forms.CharField(
        label=_("Notes from the review"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
