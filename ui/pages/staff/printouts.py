"""The staff area's printouts: render one, preview it, record its printing or saving.

The 交接清单, the 归档移交清单 and the 访问权限审查记录 are all shown the same way, from the staff
page, its 权限审查 tab and the hand-over wizard: :func:`preview_staff_form`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.services.auth import SignedIn
from ui.context import AppContext


def preview_staff_form(
    parent: QWidget,
    context: AppContext,
    session: SignedIn,
    *,
    title: str,
    form: str,
    object_id: int,
    render: Callable[[], bytes],
    file_name: str,
) -> None:
    """Render a staff printout and preview it; printing or saving it is recorded first.

    A refusal while rendering is shown in a message box instead of the preview.
    """
    from app.services.staff import printing as staff_printing
    from ui.dialogs.print_preview import preview_rendered

    clock = context.clock
    preview_rendered(
        parent,
        title,
        render,
        context,
        on_output=lambda kind: staff_printing.record_staff_output(
            session=session, form=form, object_id=object_id, kind=kind, clock=clock
        ),
        file_name=file_name,
    )
