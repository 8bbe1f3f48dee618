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
import queue
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from datetime import date
from typing import Any

from app.security.crypto import BlindIndex
from app.services.imports.kinds.base import KindContext, ParsedRow, RowOutcome, check_cancel
from app.services.imports.kinds.customer_prep import (
    CustomerRow,
    Digests,
    Plan,
    Prepared,
    Preparer,
    Protection,
    block_digests,
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

    ``worker``: the first here while a worker process starts on the import, the others in
    it, two ahead of the caller (who meanwhile inserts the chunk it has); else here, when
    asked for. In order either way. Closing the generator early (an
    error, a cancellation) ends the worker.
    """
    starts = range(0, len(specs), size)
    if not worker:
        preparer = Preparer(protection, plan)
        for start in starts:
            yield start, preparer.chunk(start, specs[start : start + size])
        return
    with borrowed_worker() as remote:
        remote.send(("begin", (protection, plan)))  # small: the worker makes its keys
        fetcher = _Fetcher(remote, specs, starts, size)
        here = Preparer(protection, plan, keys_per_chunk=True)
        left = list(starts)  # the chunks not handed on yet
        try:
            if starts:  # the first chunk here, while the worker makes its keys
                yield left.pop(0), here.chunk(0, specs[:size])
            try:
                while (chunk := fetcher.next()) is not None:
                    left.pop(0)
                    yield chunk
            except WorkerFailed:  # it died (killed, out of memory): the rest is prepared here
                remote.kill()
                fetcher.join()
                for start in left:
                    yield start, here.chunk(start, specs[start : start + size])
                return
        except BaseException:
            remote.kill()  # the threads' pipe closes: they end
            fetcher.join()
            raise
        fetcher.join()
        remote.send(("end", None))  # the worker forgets the keys
        remote.receive()


class _Fetcher:
    """Two threads: one sends the worker each chunk's rows, one takes the prepared chunks in.

    Pickling a chunk's rows and unpickling what comes back run beside the inserting thread,
    which spends most of its time inside SQLite with the interpreter let go of. The worker
    is at most :data:`_IN_FLIGHT` chunks ahead and at most :data:`_IN_FLIGHT` received
    chunks wait here (memory stays bounded). Sending and receiving are separate threads: a
    chunk's rows are larger than the pipe holds, so one thread doing both could wait on the
    pipe while the worker waits on it too.
    """

    def __init__(
        self, remote: _Worker, specs: Sequence[CustomerRow], starts: range, size: int
    ) -> None:
        self._remote, self._specs, self._starts, self._size = remote, specs, starts[1:], size
        self._room = threading.Semaphore(_IN_FLIGHT)  # jobs the worker may be ahead by
        self._ready: queue.Queue[tuple[int, Prepared] | BaseException | None] = queue.Queue(
            _IN_FLIGHT
        )
        self._threads = [
            threading.Thread(target=self._send, name="import-sender", daemon=True),
            threading.Thread(target=self._receive, name="import-fetcher", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _send(self) -> None:
        try:
            for start in self._starts:
                self._room.acquire()
                rows = _plain(self._specs[start : start + self._size])
                self._remote.send(("prepare", (start, rows)))
        except WorkerFailed:
            return  # the receiving thread hears of it too
        except BaseException as exc:  # a job not sent would leave the receiver waiting
            self._ready.put(exc)  # the inserting thread raises it (and ends the worker)

    def _receive(self) -> None:
        try:
            self._remote.receive()  # "begin": the worker has its keys made
            for start in self._starts:
                prepared = self._remote.receive()
                self._room.release()
                self._ready.put((start, prepared))
            self._ready.put(None)
        except BaseException as exc:  # handed to the inserting thread (WorkerFailed mostly)
            self._ready.put(exc)
            self._room.release(len(self._starts))  # the sending thread ends

    def next(self) -> tuple[int, Prepared] | None:
        """The next chunk in order, None after the last (a failure in a thread is raised)."""
        item = self._ready.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def join(self) -> None:
        """Wait for both threads (after the last chunk, or once the worker is killed)."""
        for thread in self._threads:
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    self._ready.get_nowait()  # a thread blocked on a full queue can end
                thread.join(timeout=0.05)


def _plain(specs: Sequence[CustomerRow]) -> list[tuple[Any, ...]]:
    """The rows as plain tuples (pickled without a call per row; the preparer unpacks them)."""
    return list(map(tuple, specs))


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
    blind_index = ctx.uow.store.blind_index
    share = _Share(len(blocks), blind_index)
    with borrowed_worker() as remote:
        feeder = threading.Thread(
            target=share.feed,
            args=(remote, blocks, results, ctx.today),
            name="import-check-feeder",
        )
        feeder.start()
        try:
            while (index := share.take_front()) is not None:
                results[index] = outcomes = check_block(blocks[index], ctx.today)
                # hashed here while the worker checks too (after it, this would be serial)
                share.digests.append(block_digests(outcomes, blind_index))
                _report(ctx, share.done(len(blocks[index])), total)
            while feeder.is_alive():  # the worker's last blocks
                feeder.join(timeout=0.2)
                _report(ctx, share.done(0), total)
        except BaseException:
            share.stop()
            remote.kill()  # the feeder's pipe closes: it ends
            feeder.join()
            raise
        if share.failed:
            remote.kill()  # answers may be missing: the next check starts a new worker
    for index, block in enumerate(blocks):  # the worker failed: its blocks are checked here
        if results[index] is None:
            results[index] = check_block(block, ctx.today)
    for digests in share.digests:  # the duplicate checks after this need not hash them
        for column, values in digests.items():
            ctx.digests.setdefault(column, {}).update(values)
    return [o for block_outcomes in results for o in block_outcomes or ()]


def _report(ctx: KindContext, done: int, total: int) -> None:
    if ctx.progress is not None:
        check_cancel(ctx.progress)
        ctx.progress.report(done, total)


class _Share:
    """Which blocks are left: this process takes them from the front, the worker from the back."""

    def __init__(self, count: int, blind_index: BlindIndex) -> None:
        self._lock = threading.Lock()
        self._blind_index = blind_index
        self.digests: list[Digests] = []  # the blind indexes of the accepted rows, per block
        self._front, self._back = 0, count
        self._done = 0
        self.failed = False  # the worker ended or failed (its blocks are checked here)

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
        today: date,
    ) -> None:
        """Thread: keep the worker busy with blocks from the back, collect its verdicts.

        The thread mostly waits on the pipe (the interpreter is free meanwhile), so this
        process checks its own blocks at full speed.
        """
        in_flight: deque[int] = deque()
        try:
            while True:
                while len(in_flight) < _IN_FLIGHT and (index := self.take_back()) is not None:
                    remote.send(("check", (list(blocks[index]), today, self._blind_index)))
                    in_flight.append(index)
                if not in_flight:
                    return
                index = in_flight.popleft()
                outcomes, digests = remote.receive()
                self.digests.append(digests)
                results[index] = outcomes
                self.done(len(blocks[index]))
        except (WorkerFailed, OSError):
            self.failed = True  # the blocks it did not answer are checked by checked_rows


# --- the process and its pipe -----------------------------------------------------------------
_LOCK = threading.Lock()
_shared: _Worker | None = None  # the worker process, kept between a check and its import


def _ready_worker() -> _Worker:
    """The shared worker, started anew when there is none or it is stale (``_LOCK`` held)."""
    global _shared
    if _shared is not None and not _shared.fresh():
        _shared.__exit__()
        _shared = None
    if _shared is None:
        _shared = _Worker()
    return _shared


@contextlib.contextmanager
def borrowed_worker() -> Iterator[_Worker]:
    """The worker process for one check or import (started when none runs).

    It stays for the next one (the preview's check, then the import: one start), holding
    nothing between them; after any error or cancellation it is ended (a new one is started
    next time). While another thread has it, a worker of one's own is started and ended.
    """
    global _shared
    if not _LOCK.acquire(blocking=False):
        with _Worker() as own:
            yield own
        return
    try:
        _shared = _ready_worker()
        try:
            yield _shared
        except BaseException:
            _shared.kill()
            _shared = None
            raise
        _shared.used = time.monotonic()
    finally:
        _LOCK.release()


def warm_up(count: int) -> None:
    """Start the worker ahead for a ledger of ``count`` rows (while its preview is looked at).

    Nothing happens for a small ledger, or while a check or import has the worker.
    """
    global _shared
    if use_worker(count) and _LOCK.acquire(blocking=False):
        try:
            _shared = _ready_worker()
        finally:
            _LOCK.release()


def end_worker() -> None:
    """End the kept worker process, if any (tests, shutdown)."""
    global _shared
    with _LOCK:
        if _shared is not None:
            _shared.__exit__()
            _shared = None


class _Worker:
    """A spawned worker process and its pipe; leaving the ``with`` block ends it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # never a fork of a Qt process
        self._conn, child = context.Pipe(duplex=True)
        self._process = context.Process(target=serve, args=(child,), name="import-worker")
        self._process.daemon = True  # ended with this process at the latest
        self._process.start()
        child.close()  # the worker's end: its exit closes the pipe, so receive() cannot hang
        self.used = time.monotonic()  # last handed back (the worker ends after IDLE_END + 5 min)

    def __enter__(self) -> _Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._conn.close()

    def alive(self) -> bool:
        """True while the process runs."""
        return self._process.is_alive()

    def fresh(self) -> bool:
        """True while it runs and is far from ending by itself (idle since :attr:`used`)."""
        return self.alive() and time.monotonic() - self.used < IDLE_END

    def kill(self) -> None:
        """End the worker now (a thread waiting on the pipe gets its end)."""
        self._process.terminate()
        self._process.join()
        self._conn.close()

    def send(self, job: tuple[str, Any]) -> None:
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


IDLE_END = 600.0  # seconds unused after which a kept worker is ended (and started anew)


def serve(conn: Any) -> None:  # pragma: no cover - runs in the worker (tested through imports)
    """The worker process: answer each job until ``None``, the pipe closes or a long idle.

    Jobs: ``("check", (rows, today, blind_index))`` answers the verdicts and the accepted
    values' blind indexes; ``("begin", (protection, plan))`` makes an import's keys,
    ``("prepare", (start, rows))`` prepares the chunk of rows from ``start``, ``("end", None)``
    forgets the keys.
    """
    from app.security.process import protect_memory

    protect_memory()  # it holds keys and rows as the program does
    preparer: Preparer | None = None  # an import's keys, between "begin" and "end"
    try:
        while conn.poll(IDLE_END + 300):  # in case the importing process forgot it
            job = conn.recv()
            if job is None:
                return
            what, payload = job
            try:
                if what == "check":
                    rows, today, blind_index = payload
                    outcomes = check_block(rows, today)
                    answer: Any = (outcomes, block_digests(outcomes, blind_index))
                elif what == "begin":
                    protection, plan = payload
                    preparer, answer = Preparer(protection, plan), None
                elif what == "prepare" and preparer is not None:
                    start, rows = payload
                    answer = preparer.chunk(start, rows)
                else:
                    preparer, answer = None, None
            except Exception as exc:
                conn.send(("failed", type(exc).__name__))  # its message could quote a value
                continue
            conn.send(("ok", answer))
    except (EOFError, OSError, KeyboardInterrupt):
        return
    finally:
        conn.close()
