"""库位: the location tree, the shelf map of a face or cabinet, boxes, moves and scanning.

The page (:class:`LocationsPage`, in :mod:`.page`) is made of the shelf map widget
(:mod:`.shelf_map`), the box list (:mod:`.boxes`), the move history tab (:mod:`.history`)
and the location tree (:mod:`.tree`); its behaviour is split into showing a place
(:mod:`.view`), scanning and move mode (:mod:`.move_mode`), changes (:mod:`.actions`) and
printing (:mod:`.printing`).
"""

from ui.pages.locations.boxes import BoxTable
from ui.pages.locations.page import LocationsPage
from ui.pages.locations.shelf_map import (
    BOX_MIME,
    LEVEL_COLOURS,
    PROBLEM_LABELS,
    MapCellWidget,
    ShelfMapWidget,
)

__all__ = [
    "BOX_MIME",
    "LEVEL_COLOURS",
    "PROBLEM_LABELS",
    "BoxTable",
    "LocationsPage",
    "MapCellWidget",
    "ShelfMapWidget",
]
