"""Customer registry (R1–R8, R14): register, edit, reveal, search, list, duplicates, erasure.

One import for callers: ``from app.services.customers import register_customer``. Inside the
package, modules import their siblings directly (never this ``__init__``).
"""

from app.services.customers.duplicates import (
    DuplicateFlagRow,
    clear_duplicate_flag,
    find_duplicates,
    list_duplicate_flags,
    refresh_duplicate_mark,
)
from app.services.customers.edits import NO_RESPONSIBLE, CustomerChanges, Kept, update_customer
from app.services.customers.history import (
    HistoryEntry,
    change_customer_status,
    customer_history,
)
from app.services.customers.listing import (
    CustomerFilter,
    IdSlice,
    ListOrder,
    Position,
    SortKey,
    count_customers,
    customer_id_slice,
    customer_rows_for,
    get_customer_rows,
    list_customer_ids,
    list_customers,
    order_ids,
)
from app.services.customers.records import (
    UNREADABLE,
    AddressInput,
    BankAccountInput,
    CleanDraft,
    CustomerDetail,
    CustomerDraft,
    CustomerRow,
    DuplicateHit,
    PhoneInput,
    SaveResult,
)
from app.services.customers.register import NUMBER_SETTING, register_customer
from app.services.customers.reveal import get_customer, reveal_customer
from app.services.customers.search import (
    SEARCH_COUNT_CAP,
    SearchResult,
    find_customer_by_id_number,
    find_customers_by_phone,
    find_customers_by_phone_tail,
    search_customers,
)
from app.services.customers.stored import ContactWriter, index_row, load_customer
from app.services.customers.validation import (
    PERSON_DOCUMENTS,
    check_responsible,
    validate_draft,
)

__all__ = [
    "NO_RESPONSIBLE",
    "NUMBER_SETTING",
    "PERSON_DOCUMENTS",
    "SEARCH_COUNT_CAP",
    "UNREADABLE",
    "AddressInput",
    "BankAccountInput",
    "CleanDraft",
    "ContactWriter",
    "CustomerChanges",
    "CustomerDetail",
    "CustomerDraft",
    "CustomerFilter",
    "CustomerRow",
    "DuplicateFlagRow",
    "DuplicateHit",
    "HistoryEntry",
    "IdSlice",
    "Kept",
    "ListOrder",
    "PhoneInput",
    "Position",
    "SaveResult",
    "SearchResult",
    "SortKey",
    "change_customer_status",
    "check_responsible",
    "clear_duplicate_flag",
    "count_customers",
    "customer_history",
    "customer_id_slice",
    "customer_rows_for",
    "find_customer_by_id_number",
    "find_customers_by_phone",
    "find_customers_by_phone_tail",
    "find_duplicates",
    "get_customer",
    "get_customer_rows",
    "index_row",
    "list_customer_ids",
    "list_customers",
    "list_duplicate_flags",
    "load_customer",
    "order_ids",
    "refresh_duplicate_mark",
    "register_customer",
    "reveal_customer",
    "search_customers",
    "update_customer",
    "validate_draft",
]
