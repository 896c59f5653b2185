from django import forms
from django.utils.translation import gettext_lazy as _

from tenancies.importer.reading import MAX_FILE_BYTES


class OpeningUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of opening balances"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file in UTF-8, laid out as the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB."), params={"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="size"
            )
        return upload
