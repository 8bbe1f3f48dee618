"""Storage locations, boxes, placement, secure custody and moves (R20–R26).

Every path that puts a volume somewhere (placing a box, putting a volume in a box or a place,
bulk moves and their undo) goes through :func:`~app.services.locations.occupancy._check_place`,
the one check of secure custody (R22): 机密/绝密 only in secure places. Every move is a
:class:`LocationMove` row (R23) written in the same transaction as the change and its audit
entry, by the one planner in :mod:`.placing`.

The use cases live in submodules by group; this package re-exports them so callers keep one
import (``from app.services.locations import place_box``):

- ``codes``: code patterns, shelving order, creating places in batches (R20)
- ``places``: editing, deleting and reading the location tree
- ``boxes``: registering and listing archive boxes
- ``occupancy``: how full places are, secure custody check (R22)
- ``placing``: the move planner (checks and applies every move request)
- ``moves``: one box or volume, the next free place, volumes out and back (loans, repairs)
- ``bulk``: bulk moves, preview and undo (R23)
- ``history``: move history and where a volume is
- ``shelf_map``: the shelf map of a face or cabinet, volumes that must move
- ``scan``: what a scanned code names (R24)
- ``custody``: custody hand-over (R26)
- ``printing``: 排架清单 and 交接清单 (rows within clearance; audited output)
- ``labels``: label stocks and label contents (R24)

Submodules import from each other, never from this ``__init__``.
"""

from __future__ import annotations

from app.domain.locations import HandoverLine
from app.services.locations._common import (
    CABINET_PATTERN_SETTING,
    MARKED,
    ORDER_SETTING,
    SHELF_PATTERN_SETTING,
    BulkMoveRefused,
    LocationSettings,
    MoveReason,
    NotFound,
    PlaceFull,
    ScanNotFound,
    ScanRejected,
    SecureLocationRequired,
    UndoRefused,
)
from app.services.locations._common import (
    _home_location as _home_location,
)
from app.services.locations.boxes import (
    BOX_COUNTER,
    BOX_PREFIX,
    BoxDraft,
    BoxRow,
    create_box,
    get_box,
    list_boxes_at,
    list_unplaced_boxes,
)
from app.services.locations.bulk import (
    BatchInfo,
    BulkPreview,
    BulkRow,
    bulk_move,
    last_bulk_move,
    preview_bulk_move,
    spread_over,
    undo_last_bulk_move,
)
from app.services.locations.codes import (
    MAX_BATCH_NODES,
    BatchPlan,
    BatchSpec,
    add_planned_batch,
    add_planned_node,
    create_location_batch,
    get_location_settings,
    plan_location_batch,
    set_location_settings,
)
from app.services.locations.custody import (
    HandoverSheet,
    custody_places,
    get_handover,
    hand_over_custody,
    list_archivists,
    transfer_custody,
)
from app.services.locations.history import (
    MoveRow,
    VolumeWhere,
    location_history,
    object_history,
    volume_place_codes,
    where_is_volume,
)
from app.services.locations.labels import (
    box_labels,
    delete_label_stock,
    list_label_stocks,
    location_labels,
    record_label_output,
    save_label_stock,
    volume_labels,
)
from app.services.locations.moves import (
    BoxProposal,
    MoveDone,
    Proposal,
    place_box,
    propose_box_for_volume,
    propose_place,
    put_volume,
    record_volume_back,
    record_volume_out,
)
from app.services.locations.occupancy import _used as _used
from app.services.locations.places import (
    LocationEdit,
    LocationNode,
    delete_location,
    get_location,
    list_child_locations,
    location_path,
    update_location,
)
from app.services.locations.placing import MoveRequest, Target
from app.services.locations.printing import (
    handover_form,
    handover_pdf,
    record_handover_output,
    record_shelf_list_output,
    shelf_list_pdf,
    shelf_list_sheet,
)
from app.services.locations.scan import (
    ScanTarget,
    find_code,
    find_volume,
    read_or_reject,
    resolve_scan,
    volume_matches,
)
from app.services.locations.scan import (
    _reference_variants as _reference_variants,
)
from app.services.locations.shelf_map import (
    MapCell,
    MustMoveRow,
    ShelfMap,
    get_shelf_map,
    list_must_move,
)

# Also importable from here, though private: _home_location and _reference_variants (used by
# app.services.inspections) and _used (bench/bench_locations.py).
__all__ = [
    "BOX_COUNTER",
    "BOX_PREFIX",
    "CABINET_PATTERN_SETTING",
    "MARKED",
    "MAX_BATCH_NODES",
    "ORDER_SETTING",
    "SHELF_PATTERN_SETTING",
    "BatchInfo",
    "BatchPlan",
    "BatchSpec",
    "BoxDraft",
    "BoxProposal",
    "BoxRow",
    "BulkMoveRefused",
    "BulkPreview",
    "BulkRow",
    "HandoverLine",
    "HandoverSheet",
    "LocationEdit",
    "LocationNode",
    "LocationSettings",
    "MapCell",
    "MoveDone",
    "MoveReason",
    "MoveRequest",
    "MoveRow",
    "MustMoveRow",
    "NotFound",
    "PlaceFull",
    "Proposal",
    "ScanNotFound",
    "ScanRejected",
    "ScanTarget",
    "SecureLocationRequired",
    "ShelfMap",
    "Target",
    "UndoRefused",
    "VolumeWhere",
    "add_planned_batch",
    "add_planned_node",
    "box_labels",
    "bulk_move",
    "create_box",
    "create_location_batch",
    "custody_places",
    "delete_label_stock",
    "delete_location",
    "find_code",
    "find_volume",
    "get_box",
    "get_handover",
    "get_location",
    "get_location_settings",
    "get_shelf_map",
    "hand_over_custody",
    "handover_form",
    "handover_pdf",
    "last_bulk_move",
    "list_archivists",
    "list_boxes_at",
    "list_child_locations",
    "list_label_stocks",
    "list_must_move",
    "list_unplaced_boxes",
    "location_history",
    "location_labels",
    "location_path",
    "object_history",
    "place_box",
    "plan_location_batch",
    "preview_bulk_move",
    "propose_box_for_volume",
    "propose_place",
    "put_volume",
    "read_or_reject",
    "record_handover_output",
    "record_label_output",
    "record_shelf_list_output",
    "record_volume_back",
    "record_volume_out",
    "resolve_scan",
    "save_label_stock",
    "set_location_settings",
    "shelf_list_pdf",
    "shelf_list_sheet",
    "spread_over",
    "transfer_custody",
    "undo_last_bulk_move",
    "update_location",
    "volume_labels",
    "volume_matches",
    "volume_place_codes",
    "where_is_volume",
]
