"""The forms of the evaluation's own words (reports.views.narrative)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import VersionedFormMixin

from .models import NarrativeState
from .services.narrative import MAX_LENGTH, STATE_LABELS


class NarrativeTextForm(VersionedFormMixin, forms.Form):
    """One section's text and state. The version is the stored row's (1 for
    a section nobody has written yet: the first save creates it)."""

    draft_fields = ("text",)  # autosaved as a draft (accounts.drafts)

    text = forms.CharField(
        label=_("Text"), required=False, max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Separate paragraphs with an empty line. No personal identity numbers and no client names: "
                    "the evaluation is a public document."),
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[(state.value, STATE_LABELS[state]) for state in NarrativeState],
        widget=forms.RadioSelect,
        help_text=_("Only final texts are printed in the yearly evaluation. A final text is changed or reopened "
                    "only by a manager."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        # Like a model form's instance (audit.conflicts.save_edit passes the
        # stored text after a conflict): its version, and its values when
        # the form is opened.
        self.instance = instance
        data = args[0] if args else kwargs.get("data")
        if instance is not None and data is None:
            kwargs.setdefault("initial", {"text": instance.text, "state": instance.state})
        super().__init__(*args, **kwargs)


class DelegateForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None, empty_label=pgettext_lazy("narrative", "Choose a user"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda user: f"{user} ({user.username})"
