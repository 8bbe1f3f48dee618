"""Import of existing ledgers (Excel / CSV): read, map columns, check every row, import, undo.

The wizard's steps are functions here: :func:`load_ledger` (file and sheet; limits checked
before loading), :func:`guess_columns` (header row and column guesses, or the mapping
remembered for this header set), :func:`check_ledger` (every row through the form's rules,
duplicates included), :func:`run_import` (one transaction and one audit entry; "all or
nothing" or "valid rows only"), :func:`rejected_rows_xlsx` (the refused rows with reasons) and
:func:`undo_import` (the whole import, as long as nothing else changed its rows).

Modules: ``ledger`` (the sheet and its header, the masked preview), ``mapping`` (column
mapping: remembered, guessed, checked), ``checking`` (the preview's checks), ``run`` (the
import), ``rejected`` (the rejected-rows workbook), ``history`` (past imports and undo),
``duplicates`` (groups shown for a decision), ``registry`` (kind key → kind), ``linking``
(volumes imported unlinked), ``places`` (missing places made in a batch) and ``kinds/`` (one
module per import target, with ``base`` the interface they share). Callers import from this
package; its modules import each other directly, never this ``__init__``.
"""

from app.errors import ImportCancelled, ImportHasRejections, ImportUndoRefused
from app.imports.footers import Skipped
from app.imports.layout import Guess
from app.services.imports.checking import (
    PREVIEW_ROWS,
    CheckResult,
    check_ledger,
    describe_note,
    describe_outcome,
    describe_skipped,
)
from app.services.imports.duplicates import (
    DECISION_LABELS,
    Choice,
    Decision,
    DuplicateGroup,
    is_flagged,
    is_skipped,
)
from app.services.imports.history import ImportRow, list_imports, undo_import
from app.services.imports.kinds.base import (
    ImportKind,
    KindContext,
    ParsedRow,
    Progress,
    RowOutcome,
    Written,
    thaw,
)
from app.services.imports.ledger import (
    Ledger,
    file_digest,
    ledger_fields,
    load_ledger,
    move_header,
    parsed_rows,
    preview_cells,
    read_notes,
    sheet_cells,
)
from app.services.imports.linking import (
    LinkSuggestion,
    UnlinkedVolume,
    get_unlinked_count,
    link_volumes,
    list_unlinked_volumes,
)
from app.services.imports.mapping import (
    MAPPING_SETTING,
    check_mapping,
    column_guesses,
    guess_columns,
)
from app.services.imports.places import PlacesPlan, create_missing_places, plan_missing_places
from app.services.imports.registry import KINDS, kind_of, register
from app.services.imports.rejected import rejected_rows_xlsx
from app.services.imports.run import ImportMode, ImportSummary, run_import

__all__ = [
    "DECISION_LABELS",
    "KINDS",
    "MAPPING_SETTING",
    "PREVIEW_ROWS",
    "CheckResult",
    "Choice",
    "Decision",
    "DuplicateGroup",
    "Guess",
    "ImportCancelled",
    "ImportHasRejections",
    "ImportKind",
    "ImportMode",
    "ImportRow",
    "ImportSummary",
    "ImportUndoRefused",
    "KindContext",
    "Ledger",
    "LinkSuggestion",
    "ParsedRow",
    "PlacesPlan",
    "Progress",
    "RowOutcome",
    "Skipped",
    "UnlinkedVolume",
    "Written",
    "check_ledger",
    "check_mapping",
    "column_guesses",
    "create_missing_places",
    "describe_note",
    "describe_outcome",
    "describe_skipped",
    "file_digest",
    "get_unlinked_count",
    "guess_columns",
    "is_flagged",
    "is_skipped",
    "kind_of",
    "ledger_fields",
    "link_volumes",
    "list_imports",
    "list_unlinked_volumes",
    "load_ledger",
    "move_header",
    "parsed_rows",
    "plan_missing_places",
    "preview_cells",
    "read_notes",
    "register",
    "rejected_rows_xlsx",
    "run_import",
    "sheet_cells",
    "thaw",
    "undo_import",
]
