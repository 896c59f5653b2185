"""Import of a unit's existing apartment and tenancy register from one XLSX
or CSV file. docs/import.md describes the columns; columns.COLUMNS is the
single source for the page's column help, the template and the parser.

Three steps, so that nothing is ever half-imported:

1. read_table() (reading.py; cells.py reads the cells): the file into rows
   of cell values. A file that is not a readable spreadsheet raises
   ImportFileError with a Swedish message.
2. Planner.plan() (planning.py, register_rules.py): every row parsed,
   checked and matched against the database, without writing. Every
   problem becomes a RowError naming the row as the spreadsheet shows it
   (header = row 1) and the column.
3. apply_plan() (applying.py): only when no row has an error, in the same
   transaction as the planning (run_import), so a concurrent change cannot
   slip in between.

A dry run stops after step 2. What an empty optional cell means: "keep what
the register holds". Importing an old file again therefore never erases
or re-opens what was registered since (a move-out registered in the app
stays), and importing the same file twice finds everything unchanged.

The template (template.py) is built from the same columns. This module
holds the one entry point, run_import(), and names the public API the
views, the command and the form use.
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.versioning import ConcurrentEditError

from .applying import apply_plan
from .columns import COLUMN_BY_KEY, COLUMN_ORDER, COLUMNS, OPTIONAL, Column, required_text
from .planning import Planner
from .reading import MAX_DATA_ROWS, MAX_FILE_BYTES, read_table
from .results import ImportFileError, ImportResult, RowError
from .template import TEMPLATE_FILENAME, build_template

__all__ = [
    "COLUMNS", "COLUMN_BY_KEY", "Column", "ImportFileError", "ImportResult", "MAX_DATA_ROWS", "MAX_FILE_BYTES",
    "OBJECT_TYPE", "OPTIONAL", "RowError", "TEMPLATE_FILENAME", "build_template", "read_table", "required_text",
    "run_import",
]

logger = logging.getLogger(__name__)

# The access log's record type of an import's summary entry.
OBJECT_TYPE = "tenancies.import"


def run_import(ctx: AuditContext, data: bytes, unit: Unit, *, dry_run: bool, today: date | None = None) -> ImportResult:
    """Import the register in `data` (XLSX or CSV bytes) into `unit`.

    Returns an ImportResult: the counts, and the errors when any row is bad
    (then nothing is written). A dry run only plans. Raises ImportFileError
    when the file cannot be read at all.

    The clients the file's numbers match are read (and may be named in the
    preview or the errors): on the import page the read recorder logs them
    (audit.reads), from the command line the command records them.
    """
    today = today or timezone.localdate()
    table = read_table(data)
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            planner = Planner(table, unit, today)
            if not planner.read_header():
                result.errors = planner.errors
                return result
            planned = planner.plan()
            if planned is None:
                result.errors = sorted(planner.errors, key=lambda e: (e.row, COLUMN_ORDER.get(e.column, 99)))
                return result
            apartments, clients, tenancies = planned
            for plan in apartments.values():
                result.apartments.add(plan.action)
            for plan in clients.values():
                result.clients.add(plan.action)
            for plan in tenancies:
                result.tenancies.add(plan.action)
            if dry_run:
                return result
            apply_plan(ctx, unit, apartments, clients, tenancies, today)
            log_access(ctx, AccessAction.CREATE, object_type=OBJECT_TYPE, note=result.summary())
            result.applied = True
    except (IntegrityError, ConcurrentEditError) as error:
        # Someone changed the register between our reading and writing
        # (the database's constraints or the version check caught it).
        # The class only: PostgreSQL's message quotes the key, e.g. the
        # personal identity number (issue 16 §4, logs without personal data).
        logger.info("import: conflict with a concurrent change (%s)", type(error).__name__)
        result.applied = False
        result.errors = [RowError(None, "", _("The register was changed by someone else during the import. Nothing "
                                           "was imported; try again."))]
    return result
