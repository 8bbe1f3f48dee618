"""What the wizard's pages share: the wizard's state as they see it (no import of the wizard).

Each page gets the wizard as a :class:`WizardHost`: the choices made so far (ledger, mapping),
the results (check, summary) and :meth:`WizardHost.run` to run a step off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.services import imports
from app.services.auth import SignedIn
from ui.context import AppContext
from ui.tasks import ProgressSink

PREVIEW_SHOWN = 1_000  # rows in the preview table (every row is checked and counted)
NOT_IMPORTED = ""  # the mapping choice 不导入


class WizardHost(Protocol):
    """The import wizard as its pages use it."""

    context: AppContext
    session: SignedIn
    kind: str
    ledger: imports.Ledger | None
    mapping: dict[int, str]
    remembered: bool
    check: imports.CheckResult | None
    decisions: dict[str, Any]  # duplicate group key → imports.Choice (the decisions step)
    summary: imports.ImportSummary | None
    rejected_target: Path | None

    def run(self, label: str, fn: Callable[[ProgressSink], Any]) -> Any:
        """Run ``fn(sink)`` off the GUI thread with progress; errors shown, None returned."""
