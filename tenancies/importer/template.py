"""The downloadable import template: the header row and two fictional
example rows, the column list, and drop-down lists of the allowed values."""

import io
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from core import personnummer

from ..models import ApartmentKind, EndReason, Tenure
from .cells import parse_date
from .columns import COLUMNS, position, required_text
from .reading import MAX_DATA_ROWS

TEMPLATE_FILENAME = "importmall-lagenhetsregister.xlsx"
FICTIONAL = "Fiktiv"


def template_rows() -> list[dict[str, object]]:
    """Two example rows, fictional: one apartment, an ended and a current
    tenancy. The identity numbers are made up (valid check digit) and
    marked as fictional in the names and the notes."""
    with translation.override("sv"):
        apartment = {
            "object_number": "EX-1001", "street_address": "Exempelgatan 1, lgh 1101", "postal_code": "186 30",
            "area": "Centrum", "rooms": Decimal("2"), "size_m2": Decimal("48.5"), "floor": 2, "has_lift": "Ja",
            "accessibility_notes": "", "kind": str(ApartmentKind.TRAINING.label), "tenure": str(Tenure.RENTAL.label),
            "landlord": "Fiktiva Bostäder AB", "lease_start": date(2019, 1, 1), "lease_end": None,
            "monthly_cost": 7200, "rent": 6500, "status": "",
            "notes": "Exempelrad med påhittade uppgifter.",
        }
        first = {
            "personal_number": personnummer.format_digits(personnummer.make_number(date(1985, 3, 14), 238)),
            "first_name": FICTIONAL, "last_name": "Exempelsson", "start_date": date(2020, 2, 1),
            "end_date": date(2023, 1, 31), "end_reason": str(EndReason.OWN_HOUSING.label),
            "end_note": "Påhittat personnummer (exempel).", "tenancy_rent": 6200,
        }
        second = {
            "personal_number": personnummer.format_digits(personnummer.make_number(date(1992, 7, 2), 462)),
            "first_name": FICTIONAL, "last_name": "Provsdotter", "start_date": date(2023, 3, 1),
            "end_date": None, "end_reason": "", "end_note": "Påhittat personnummer (exempel).", "tenancy_rent": None,
        }
    return [{**apartment, **first}, {**apartment, **second}]


def build_template(lists: dict[str, list[str]] | None = None) -> bytes:
    """The import template as XLSX bytes: the header row and two example
    rows on the first sheet, the column list and allowed values on the
    second; the value columns have drop-down lists. `lists`: the unit's
    active areas and landlords by column key ("area", "landlord"), offered
    as drop-down lists too (the import accepts only names in the lists)."""
    lists = lists or {}
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with translation.override("sv"):
        sheet.title = str(_("Apartment register"))
        sheet.append([column.header for column in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in template_rows():
            sheet.append([values.get(column.key) for column in COLUMNS])
        for row in (2, 3):
            for index, column in enumerate(COLUMNS, start=1):
                cell = sheet.cell(row=row, column=index)
                if column.parse is parse_date:
                    cell.number_format = "yyyy-mm-dd"
            number_cell = sheet.cell(row=row, column=position("personal_number"))
            number_cell.comment = Comment(str(_("Fictional identity number: an example only.")), "Bolots")
        for index, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(12, len(column.header) + 4)
        sheet.freeze_panes = "A2"

        help_sheet = workbook.create_sheet(str(_("Instructions")))
        help_sheet.append([str(_("Column")), str(_("Required")), str(_("Meaning")), str(_("Format")),
                           str(_("Allowed values"))])
        for cell in help_sheet[1]:
            cell.font = Font(bold=True)
        for column in COLUMNS:
            help_sheet.append([column.header, str(required_text(column)), str(column.meaning), str(column.format),
                               "; ".join(column.allowed)])
        for letter, width in zip("ABCDE", (28, 30, 60, 30, 60), strict=True):
            help_sheet.column_dimensions[letter].width = width

        lists_sheet = workbook.create_sheet(str(_("Values")))
        choice_columns = [(column, column.allowed) for column in COLUMNS if column.choices]
        choice_columns += [(column, lists[column.key]) for column in COLUMNS if lists.get(column.key)]
        values_sheet = lists_sheet
        for list_index, (column, allowed) in enumerate(choice_columns, start=1):
            letter = openpyxl.utils.get_column_letter(list_index)
            values_sheet.cell(row=1, column=list_index, value=column.header).font = Font(bold=True)
            for value_index, label in enumerate(allowed, start=2):
                values_sheet.cell(row=value_index, column=list_index, value=label)
            validation = DataValidation(
                type="list", formula1=f"'{values_sheet.title}'!${letter}$2:${letter}${len(allowed) + 1}",
                allow_blank=True, showErrorMessage=False,
            )
            target = openpyxl.utils.get_column_letter(position(column.key))
            validation.add(f"{target}2:{target}{MAX_DATA_ROWS + 1}")
            sheet.add_data_validation(validation)
    workbook.active = 0
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
