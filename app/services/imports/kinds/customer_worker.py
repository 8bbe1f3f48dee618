"""A large customer ledger checked and prepared partly in a worker process.

Checking a row (the customer form's rules), preparing it (its key, AES-GCM ciphertexts, HMAC
blind indexes, pinyin search entries) and inserting it are all CPU work, and threads of one
process cannot share it out: the driver needs the interpreter to bind every row, so an
inserting thread waits for a preparing one. A *process* can. From :data:`PARALLEL_FROM` rows
on, one worker process

* checks blocks of rows from the end of the ledger while the importing process checks them
  from the start (:func:`checked_rows`), and
* prepares chunk *k + 1* of the import while the importing process inserts chunk *k*
  (:func:`prepared_chunks`), so the import takes about the longer of the two, not their sum.

Fewer rows (the preview's first thousand, the tests' small ledgers) are done in the importing
process, by the same functions in the same order. The worker is spawned, never forked (the GUI
process runs Qt threads), once per check or import, and ends with it. Keys and personal data
reach it and come back only through its pipe, in memory: no temporary file, no log; an error
in the worker comes back as the exception's type only (its message could quote a value).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from datetime import date
from typing import Any

from app.services.imports.kinds.base import KindContext, ParsedRow, RowOutcome, check_cancel
from app.services.imports.kinds.customer_prep import (
    CustomerRow,
    Plan,
    Prepared,
    Preparer,
    Protection,
    check_block,
)

PARALLEL_FROM = 5_000  # rows; below this, starting a process costs more than it saves
CHECK_BLOCK = 1_000  # rows checked between two progress reports
_IN_FLIGHT = 2  # blocks handed to the checking worker ahead (it never waits for the next)


class WorkerFailed(RuntimeError):
    """The worker process failed or ended early (nothing is written)."""


def use_worker(count: int, embedded: bool = True) -> bool:
    """True when ``count`` rows are worth a worker process on this machine.

    ``embedded``: the import's search-index entries are computed ahead (SQLite).
    """
    return embedded and count >= PARALLEL_FROM and (os.cpu_count() or 1) > 1


# --- the import: prepared in the worker, inserted here ----------------------------------------
def prepared_chunks(
    protection: Protection,
    plan: Plan,
    specs: Sequence[CustomerRow],
    size: int,
    *,
    worker: bool,
) -> Generator[tuple[int, Prepared], None, None]:
    """``(start, rows)`` of each chunk of ``size`` customers, in order.

    ``worker``: prepared in a worker process one chunk ahead of the caller (who meanwhile
    inserts the chunk it has); else here, when asked for. Closing the generator early (an
    error, a cancellation) ends the worker.
    """
    starts = range(0, len(specs), size)
    if not worker:
        preparer = Preparer(protection, plan)
        for start in starts:
            yield start, preparer.chunk(start, specs[start : start + size])
        return
    with _Worker(serve_preparer, protection, plan) as remote:
        if starts:
            remote.send((starts[0], list(specs[:size])))
        for n, start in enumerate(starts):
            prepared = remote.receive()
            if n + 1 < len(starts):  # the next chunk is prepared while this one is inserted
                following = starts[n + 1]
                remote.send((following, list(specs[following : following + size])))
            yield start, prepared


def serve_preparer(conn: Any, protection: Protection, plan: Plan) -> None:  # pragma: no cover
    """The worker process of an import (runs in the worker; tested through the import)."""
    preparer = Preparer(protection, plan)
    _serve(conn, lambda job: preparer.chunk(*job))


# --- the check: blocks from the start here, from the end in the worker ------------------------
def checked_rows(rows: Sequence[ParsedRow], ctx: KindContext) -> list[RowOutcome]:
    """Every row's verdict by the form's rules, in sheet order (progress reported, cancellable)."""
    total = len(rows)
    blocks = [rows[i : i + CHECK_BLOCK] for i in range(0, total, CHECK_BLOCK)]
    if not use_worker(total):
        outcomes: list[RowOutcome] = []
        for block in blocks:
            ctx.tick(len(outcomes), total)
            outcomes.extend(check_block(block, ctx.today))
        return outcomes
    results: list[list[RowOutcome] | None] = [None] * len(blocks)
    share = _Share(len(blocks))
    with _Worker(serve_checks, ctx.today) as remote:
        feeder = threading.Thread(
            target=share.feed, args=(remote, blocks, results), name="import-check-feeder"
        )
        feeder.start()
        try:
            while (index := share.take_front()) is not None:
                results[index] = check_block(blocks[index], ctx.today)
                _report(ctx, share.done(len(blocks[index])), total)
            while feeder.is_alive():  # the worker's last blocks
                feeder.join(timeout=0.2)
                _report(ctx, share.done(0), total)
        except BaseException:
            share.stop()
            remote.kill()  # the feeder's pipe closes: it ends
            feeder.join()
            raise
    for index, block in enumerate(blocks):  # the worker failed: its blocks are checked here
        if results[index] is None:
            results[index] = check_block(block, ctx.today)
    return [o for block_outcomes in results for o in block_outcomes or ()]


def _report(ctx: KindContext, done: int, total: int) -> None:
    if ctx.progress is not None:
        check_cancel(ctx.progress)
        ctx.progress.report(done, total)


class _Share:
    """Which blocks are left: this process takes them from the front, the worker from the back."""

    def __init__(self, count: int) -> None:
        self._lock = threading.Lock()
        self._front, self._back = 0, count
        self._done = 0

    def take_front(self) -> int | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._front += 1
            return self._front - 1

    def take_back(self) -> int | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._back -= 1
            return self._back

    def done(self, rows: int) -> int:
        """Count ``rows`` more as checked; return how many are."""
        with self._lock:
            self._done += rows
            return self._done

    def stop(self) -> None:
        """Hand out no more blocks."""
        with self._lock:
            self._back = self._front

    def feed(
        self,
        remote: _Worker,
        blocks: list[Sequence[ParsedRow]],
        results: list[list[RowOutcome] | None],
    ) -> None:
        """Thread: keep the worker busy with blocks from the back, collect its verdicts.

        The thread mostly waits on the pipe (the interpreter is free meanwhile), so this
        process checks its own blocks at full speed.
        """
        in_flight: deque[int] = deque()
        try:
            while True:
                while len(in_flight) < _IN_FLIGHT and (index := self.take_back()) is not None:
                    remote.send(list(blocks[index]))
                    in_flight.append(index)
                if not in_flight:
                    return
                index = in_flight.popleft()
                results[index] = remote.receive()
                self.done(len(blocks[index]))
        except (WorkerFailed, OSError):
            return  # the blocks it did not answer are checked by checked_rows


def serve_checks(conn: Any, today: date) -> None:  # pragma: no cover - runs in the worker
    """The worker process of a check (runs in the worker; tested through the check)."""
    _serve(conn, lambda rows: check_block(rows, today))


# --- the process and its pipe -----------------------------------------------------------------
class _Worker:
    """A spawned worker process and its pipe; leaving the ``with`` block ends it."""

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")  # never a fork of a Qt process
        self._conn, child = context.Pipe(duplex=True)
        self._process = context.Process(
            target=target, args=(child, *args), name="import-worker", daemon=True
        )
        self._process.start()
        child.close()  # the worker's end: its exit closes the pipe, so receive() cannot hang

    def __enter__(self) -> _Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self.kill()
        self._conn.close()

    def kill(self) -> None:
        """End the worker now (its end of the pipe closes)."""
        self._process.terminate()
        self._process.join()

    def send(self, job: Any) -> None:
        """Hand the worker a job."""
        try:
            self._conn.send(job)
        except OSError as exc:
            raise WorkerFailed("import worker process ended") from exc

    def receive(self) -> Any:
        """The answer to the oldest job not answered yet."""
        try:
            kind, answer = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed("import worker process ended") from exc
        if kind != "ok":
            raise WorkerFailed(f"import worker process failed: {answer}")
        return answer


def _serve(conn: Any, handle: Callable[[Any], Any]) -> None:  # pragma: no cover - worker
    """Answer each job with ``handle(job)`` until ``None`` or the pipe closes."""
    try:
        while True:
            job = conn.recv()
            if job is None:
                return
            conn.send(("ok", handle(job)))
    except (EOFError, OSError, KeyboardInterrupt):
        return
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", type(exc).__name__))
    finally:
        conn.close()
