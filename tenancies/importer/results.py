"""What an import reports: the file refused as a whole (ImportFileError), a
bad cell or row (RowError), and the counts of what was or would be written
(ImportResult). Shared by every step, so it imports none of them."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is Swedish, for the user."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet shows it: the header is row 1 (None: the file as a whole)
    column: str  # the column's header ("" when the problem is the whole row)
    message: str  # Swedish, for the user

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Counts:
    """How many records of one kind an import creates, changes and leaves as they are."""

    create: int = 0
    update: int = 0
    unchanged: int = 0

    def add(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"create": self.create, "update": self.update, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a bad file, would do)."""

    apartments: Counts = field(default_factory=Counts)
    clients: Counts = field(default_factory=Counts)
    tenancies: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        return {"apartments": self.apartments.as_dict(), "clients": self.clients.as_dict(),
                "tenancies": self.tenancies.as_dict()}

    def summary(self) -> str:
        """The counts in a sentence without personal data (for the log and the command)."""
        def part(label: str, counts: Counts) -> str:
            return _("%(label)s: %(create)s new, %(update)s changed, %(unchanged)s unchanged") % {
                "label": label, **counts.as_dict()}
        return "; ".join([part(_("apartments"), self.apartments), part(_("clients"), self.clients),
                          part(_("tenancies"), self.tenancies)])
