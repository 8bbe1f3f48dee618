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


def ledger_work(w: WizardHost, service: Callable[..., Any], **extra: Any) -> Callable[..., Any]:
    """``service`` (``check_ledger``, ``run_import``) on the ledger with the choices made so far.

    The choices are taken now, on the GUI thread; the returned ``work(sink)`` may run off it
    (:meth:`WizardHost.run`), ``sink`` being its progress (None: no progress).
    """
    ledger = w.ledger
    assert ledger is not None
    session, kind, mapping, clock = w.session, w.kind, w.mapping, w.context.clock
    decisions = dict(w.decisions)

    def work(sink: ProgressSink | None) -> Any:
        return service(
            session=session,
            kind=kind,
            ledger=ledger,
            mapping=mapping,
            clock=clock,
            progress=sink,
            decisions=decisions,
            **extra,
        )

    return work
