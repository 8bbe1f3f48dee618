"""The registry of import targets: kind key → the kind (``customers``, ``volumes``, ``loans``).

A new kind (a module under ``kinds/`` with a class implementing
:class:`~app.services.imports.kinds.base.ImportKind`) is added with one :func:`register` call
below; the wizard, the checks, the import, the rejected-rows workbook and undo then work for
it unchanged.
"""

from __future__ import annotations

from app.services.imports.kinds.base import ImportKind
from app.services.imports.kinds.customers import CustomerImport
from app.services.imports.kinds.loans import LoanImport
from app.services.imports.kinds.volumes import VolumeImport

KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    """Make ``kind`` importable under its key."""
    KINDS[kind.key] = kind
    return kind


def kind_of(key: str) -> ImportKind:
    """The import target ``key`` (``customers``, ``volumes``, ``loans``)."""
    return KINDS[key]


register(CustomerImport())
register(VolumeImport())
register(LoanImport())
