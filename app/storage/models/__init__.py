"""SQLAlchemy 2 typed ORM models (portable between SQLCipher and PostgreSQL).

One module per area; importing this package registers every table on ``Base.metadata``.
"""

from app.storage.models.accounts import (
    AccountChange,
    KeyringRow,
    Setting,
    UserAccount,
    UserRole,
)
from app.storage.models.audit import (
    AuditCheckpoint,
    AuditEntry,
    AuditSeal,
    AuditSealState,
    Incident,
    IncidentLink,
)
from app.storage.models.base import NAMING, Base
from app.storage.models.catalogue import (
    ArchiveItem,
    FileChunk,
    ImportBatch,
    ItemFile,
    ReferenceCounter,
    Volume,
)
from app.storage.models.customers import (
    Customer,
    CustomerAddress,
    CustomerBankAccount,
    CustomerPhone,
    CustomerStatusChange,
    DuplicateFlag,
)
from app.storage.models.inspections import (
    ConditionRecord,
    EnvironmentReading,
    InspectionCheck,
    InspectionDifference,
    InspectionExpected,
    InspectionFound,
    InspectionScan,
    InspectionSession,
    RepairTask,
)
from app.storage.models.loans import (
    DamageReport,
    Loan,
    StaffDepartment,
    UseApplication,
    UseApplicationVolume,
    UseApproval,
    UseLog,
)
from app.storage.models.locations import (
    ArchiveBox,
    CustodyHandover,
    LocationMove,
    MoveBatch,
    StorageLocation,
    VolumePlace,
)
from app.storage.models.statistics import (
    StatisticsApproval,
    StatisticsDistribution,
    StatisticsReport,
)

__all__ = [
    "NAMING",
    "AccountChange",
    "ArchiveBox",
    "ArchiveItem",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditSeal",
    "AuditSealState",
    "Base",
    "ConditionRecord",
    "CustodyHandover",
    "Customer",
    "CustomerAddress",
    "CustomerBankAccount",
    "CustomerPhone",
    "CustomerStatusChange",
    "DamageReport",
    "DuplicateFlag",
    "EnvironmentReading",
    "FileChunk",
    "ImportBatch",
    "Incident",
    "IncidentLink",
    "InspectionCheck",
    "InspectionDifference",
    "InspectionExpected",
    "InspectionFound",
    "InspectionScan",
    "InspectionSession",
    "ItemFile",
    "KeyringRow",
    "Loan",
    "LocationMove",
    "MoveBatch",
    "ReferenceCounter",
    "RepairTask",
    "Setting",
    "StaffDepartment",
    "StatisticsApproval",
    "StatisticsDistribution",
    "StatisticsReport",
    "StorageLocation",
    "UseApplication",
    "UseApplicationVolume",
    "UseApproval",
    "UseLog",
    "UserAccount",
    "UserRole",
    "Volume",
    "VolumePlace",
]
