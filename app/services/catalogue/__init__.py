"""Archive catalogue (R10–R17): volumes with 档号, items, secrecy, reading, files, print, export.

One import for callers: ``from app.services.catalogue import create_volume``. Inside the
package, modules import their siblings directly (never this ``__init__``).
"""

from app.services.catalogue.drafts import (
    MAX_TERM_YEARS,
    CleanItem,
    CleanVolume,
    ItemDraft,
    VolumeDraft,
    check_item_draft,
    check_volume_draft,
)
from app.services.catalogue.export import export_volumes_xlsx
from app.services.catalogue.file_checks import (
    FileCheckResult,
    count_files,
    find_orphan_blobs,
    remove_blobs_after_commit,
    remove_orphan_blobs,
    verify_all_files,
)
from app.services.catalogue.file_copies import FileCopy, copy_file, copy_restricted
from app.services.catalogue.file_intake import (
    DEFAULT_MAX_MIB,
    MAX_SIZE_SETTING,
    attach_file,
    clean_file_name,
    mask_file_name,
    max_file_bytes,
)
from app.services.catalogue.file_store import COMPLETE, WRITING, blob_folder, stores_in_folder
from app.services.catalogue.files import ItemFileInfo, list_item_files, open_file
from app.services.catalogue.items import add_item
from app.services.catalogue.numbering import (
    CATEGORY_SETTING,
    DEFAULT_CATEGORY,
    PATTERN_SETTING,
    allocate_reference,
    get_reference_pattern,
    preview_reference,
    reference_pattern,
    reference_values,
    set_reference_pattern,
)
from app.services.catalogue.printouts import (
    FORMS,
    record_output,
    volume_catalogue_pdf,
    volume_note_pdf,
)
from app.services.catalogue.reading import (
    CLASSIFIED_VIEW_LEVELS,
    ItemRow,
    VolumeRow,
    find_by_reference,
    get_volume,
    list_volumes,
)
from app.services.catalogue.search import SEARCH_LIMIT, search_catalogue
from app.services.catalogue.secrecy import (
    DAILY_CHECK_SETTING,
    SECRECY_CHOICES,
    DueDeclassification,
    ReviewRow,
    declassify_expired,
    extend_secrecy,
    list_due_declassifications,
    run_daily_checks,
    secrecy_review_queue,
)
from app.services.catalogue.upkeep import marking_for_index
from app.services.catalogue.volumes import (
    VolumeDetails,
    VolumeDetailsView,
    VolumeSaved,
    create_volume,
    customer_for_filing,
    get_volume_details,
    update_volume_details,
    visible_volume,
)

__all__ = [
    "CATEGORY_SETTING",
    "CLASSIFIED_VIEW_LEVELS",
    "COMPLETE",
    "DAILY_CHECK_SETTING",
    "DEFAULT_CATEGORY",
    "DEFAULT_MAX_MIB",
    "FORMS",
    "MAX_SIZE_SETTING",
    "MAX_TERM_YEARS",
    "PATTERN_SETTING",
    "SEARCH_LIMIT",
    "SECRECY_CHOICES",
    "WRITING",
    "CleanItem",
    "CleanVolume",
    "DueDeclassification",
    "FileCheckResult",
    "FileCopy",
    "ItemDraft",
    "ItemFileInfo",
    "ItemRow",
    "ReviewRow",
    "VolumeDetails",
    "VolumeDetailsView",
    "VolumeDraft",
    "VolumeRow",
    "VolumeSaved",
    "add_item",
    "allocate_reference",
    "attach_file",
    "blob_folder",
    "check_item_draft",
    "check_volume_draft",
    "clean_file_name",
    "copy_file",
    "copy_restricted",
    "count_files",
    "create_volume",
    "customer_for_filing",
    "declassify_expired",
    "export_volumes_xlsx",
    "extend_secrecy",
    "find_by_reference",
    "find_orphan_blobs",
    "get_reference_pattern",
    "get_volume",
    "get_volume_details",
    "list_due_declassifications",
    "list_item_files",
    "list_volumes",
    "marking_for_index",
    "mask_file_name",
    "max_file_bytes",
    "open_file",
    "preview_reference",
    "record_output",
    "reference_pattern",
    "reference_values",
    "remove_blobs_after_commit",
    "remove_orphan_blobs",
    "run_daily_checks",
    "search_catalogue",
    "secrecy_review_queue",
    "set_reference_pattern",
    "stores_in_folder",
    "update_volume_details",
    "verify_all_files",
    "visible_volume",
    "volume_catalogue_pdf",
    "volume_note_pdf",
]
