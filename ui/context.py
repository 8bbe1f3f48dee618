"""What windows need: the database location, the clock, the demo sign-ins; built once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.clock import Clock, SystemClock
from app.storage.location import DatabaseLocation

if TYPE_CHECKING:  # app.demo (and its bulk loader) only when a demo is asked for
    from app.demo import DemoAccount


@dataclass
class AppContext:
    """Shared, read-mostly state handed to windows (no global main-window object)."""

    location: DatabaseLocation
    clock: Clock = field(default_factory=SystemClock)
    demo_accounts: list[DemoAccount] | None = None
    # Seconds since an arbitrary point, for the idle lock (tests pass a settable one).
    monotonic: Callable[[], float] = time.monotonic
