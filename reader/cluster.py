"""Parsing on a Dask cluster: the same parse as a plain import, spread over worker processes.

The client (the one `reader` process) reads and cleans the articles, sends them to the
workers in batches and gets each batch's parse back; it alone writes the database. Every
worker loads the spaCy pipeline once, when it joins (a worker plugin), and runs the very
function a plain import runs, `pipeline.parse_many`, on its batches: the pipeline itself is never
shipped (spaCy's issues #5111 and #5523 show what breaks when it is). Results come back in
the order the articles were read, so a database imported on a cluster is the one a plain
import writes, row for row.

A worker that dies takes its batches with it; the scheduler runs them again elsewhere (a
nanny restarts a local worker), so nothing is lost. `--workers N` starts a local cluster of N
single-threaded processes; `--scheduler ADDRESS` uses one that runs elsewhere, whose worker
machines need reader and its spaCy model installed.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import islice
from typing import Any

from reader.model import Article, Parsed

# Articles per task: enough for spaCy's nlp.pipe to batch well, few enough that the work
# spreads evenly and a lost worker costs little to redo.
BATCH = 8
LOCAL_START_SECONDS = 120  # a local cluster whose workers are not all up by then is refused
INSTALL_HINT = "every worker machine needs close-reader and its spaCy model installed (pip install close-reader)"


class ClusterError(RuntimeError):
    """The cluster could not be reached or could not do the work; the message is one line."""


def _quiet() -> None:
    """Dask's own log lines (a worker restarted, a task moved) are not the user's business: the
    client reports what matters in one line. Set before distributed is imported, so the
    workers it starts inherit it."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")


@contextmanager
def connect(*, workers: int | None = None, scheduler: str | None = None, model: str | None = None) -> Iterator[Any]:
    """A Dask client whose every worker has loaded the pipeline: a local cluster of `workers`
    processes, or the cluster at `scheduler`. Raises ClusterError in one line."""
    _quiet()
    import logging

    from distributed import Client, LocalCluster

    for name in ("distributed", "distributed.client"):  # the client's own level is set apart
        logging.getLogger(name).setLevel(logging.ERROR)

    cluster = None
    client = None
    try:
        if scheduler:
            import dask
            from distributed.comm import resolve_address

            timeout = dask.config.get("distributed.comm.timeouts.connect")
            try:
                # A malformed address is refused here: Client() would leave a half-made client
                # behind whose clean-up hangs for a minute.
                address = resolve_address(scheduler)
            except (ValueError, TypeError) as exc:
                raise ClusterError(f"not a Dask scheduler address: {scheduler} ({_reason(exc)})") from None
            except OSError as exc:
                raise ClusterError(f"no Dask scheduler answers at {scheduler} ({_reason(exc)})") from None
            seconds = dask.utils.parse_timedelta(timeout, default="seconds")
            try:
                _probe(address, seconds)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"no Dask scheduler answers at {scheduler} ({_reason(exc) if str(exc) else f'nothing in {seconds:g} s'})") from None
            try:
                client = Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(f"no Dask scheduler answers at {scheduler} ({_reason(exc)})") from None
        else:
            cluster = _local_cluster(LocalCluster, workers or 1)
            client = Client(cluster, set_as_default=False)
            try:
                # every worker registered before the model is loaded on each and they are
                # counted: on a loaded machine one may still be (re)starting
                client.wait_for_workers(workers or 1, timeout=LOCAL_START_SECONDS)
            except TimeoutError:
                raise ClusterError(f"the local cluster's {workers or 1} workers did not all start in {LOCAL_START_SECONDS} s") from None
        _load_everywhere(client, model)
        yield client
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _local_cluster(factory: Any, workers: int) -> Any:
    """A cluster of single-threaded worker processes that ignore ctrl+c: the terminal sends it
    to every process of the group, and it is the client's to handle (it stops them itself)."""
    import signal

    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the processes it spawns
    except ValueError:  # not the main thread: there is no terminal's ctrl+c to keep away
        previous = None
    # The worker processes start as `python -c ...` in this folder, which would put it first on
    # their sys.path: a user's socket.py or selectors.py here would stand in for the standard
    # library's. PYTHONSAFEPATH (python -P) keeps it off, in the processes the nannies start too.
    safe_path = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        # ":0": the scheduler's HTTP server (it runs even without a dashboard) takes a free port
        # instead of 8787, which another cluster may hold
        return factory(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if safe_path is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = safe_path


def _probe(address: str, seconds: float) -> None:
    """Ask the scheduler who it is, within `seconds`: Client() waits for ever on a server that
    accepts the connection and never answers."""
    import asyncio

    from distributed.comm import connect as open_comm

    async def ask() -> object:
        comm = await open_comm(address, timeout=seconds)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def within() -> object:
        return await asyncio.wait_for(ask(), seconds)

    answer = asyncio.run(within())
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        raise OSError("what answers there is not a Dask scheduler")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _load_everywhere(client: Any, model: str | None) -> None:
    from reader.cluster_work import LoadPipeline, pipeline_status

    if not client.scheduler_info().get("workers"):
        try:
            client.wait_for_workers(1, timeout=60)
        except (TimeoutError, OSError):
            raise ClusterError("the Dask cluster has no workers (start some with `dask worker ADDRESS`)") from None
    try:
        client.register_plugin(LoadPipeline(model), name=LoadPipeline.name)
        statuses = client.run(pipeline_status, model)
    except Exception as exc:  # noqa: BLE001 - a worker without reader fails to unpickle the plugin
        raise ClusterError(f"the Dask workers could not load reader ({_reason(exc)}); {INSTALL_HINT}") from None
    for address, (reason, _) in sorted(statuses.items()):
        if reason:
            raise ClusterError(f"the Dask worker at {address} has no spaCy pipeline: {reason}")
    for note in sorted({note for _, note in statuses.values() if note}):
        print(f"reader: {note}", file=sys.stderr)  # as a plain import says it: once


def parse_on(client: Any, articles: Iterable[Article], *, model: str | None = None, batch: int = BATCH,
             window: int | None = None, interrupts: _Interrupts | None = None, refine: bool = False) -> Iterator[tuple[Article, Parsed]]:
    """Parse articles on the cluster; yield (article, parse) in the order they were read.

    At most `window` batches are out at once (default: two per worker thread, plus one, as the
    cluster has them now: workers that join get work), so the client never holds much more
    than the workers are busy with. `interrupts` (ctrl+c noted while Dask works) is looked at
    while a batch is awaited and after each article is written."""
    from reader.cluster_work import parse_batch

    def limit() -> int:
        if window is not None:
            return window
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
        return 2 * threads + 1

    run = uuid.uuid4().hex[:8]
    pending: deque[tuple[list[Article], Any]] = deque()
    source = iter(articles)
    number = 0

    def submit() -> bool:
        nonlocal number
        chunk = list(islice(source, batch))
        if not chunk:
            return False
        future = client.submit(parse_batch, model, chunk, refine, key=f"reader-parse-{run}-{number}", pure=False)
        pending.append((chunk, future))
        number += 1
        return True

    interrupted = interrupts or _Interrupts()
    try:
        while len(pending) < limit() and submit():
            pass
        while pending:
            chunk, future = pending.popleft()
            parses = _result(future, chunk, interrupted)
            while len(pending) < limit() and submit():
                pass
            for pair in zip(chunk, parses, strict=True):
                yield pair
                interrupted.check()  # after the article was written
    finally:
        for _, future in pending:
            future.cancel()


def _result(future: Any, chunk: list[Article], interrupted: _Interrupts) -> list[Parsed]:
    """A batch's parses, waited for in short steps so that ctrl+c is seen."""
    from distributed import KilledWorker

    while True:
        interrupted.check()
        try:
            return future.result(timeout=0.25)
        except TimeoutError:
            continue
        except UnboundLocalError:
            # distributed's sync() loses the outcome of a short wait cancelled in a race and
            # raises this in the client (dask/distributed#8514; a CI run met it once): the
            # batch is still running, so ask again, unless the task itself failed
            if future.status != "error":
                continue
            exc = future.exception()
            raise ClusterError(f"a worker failed on the batch that starts with {chunk[0].source or chunk[0].id}: "
                               f"{type(exc).__name__}: {_reason(exc)}") from None
        except KilledWorker:
            times = _allowed_failures() + 1
            raise ClusterError(
                f"workers died {times} time{'s' if times != 1 else ''} parsing the batch that starts with "
                f"{chunk[0].source or chunk[0].id}; what was parsed before it is stored (run the import again to go on)"
            ) from None
        except (KeyboardInterrupt, ClusterError):
            raise
        except Exception as exc:
            from reader.nlp import ModelUnavailable

            if isinstance(exc, ModelUnavailable):
                raise
            raise ClusterError(f"a worker failed on the batch that starts with {chunk[0].source or chunk[0].id}: "
                               f"{type(exc).__name__}: {_reason(exc)}") from None


class _Interrupts:
    """ctrl+c and SIGTERM, noted rather than raised while the cluster works: raised inside
    Dask's own calls, a KeyboardInterrupt can be caught there and lost (the import would go
    on, a traceback printed). `check()` raises it where reader can act on it, between two
    articles' writes. Only a context manager (in the main thread) installs the handlers."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.caught = False
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        import signal

        for name in self.SIGNALS:
            number = getattr(signal, name)
            try:
                self.previous[number] = signal.signal(number, self._note)
            except ValueError:  # not the main thread: nothing to catch here
                break
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def _note(self, signum: int, frame: object) -> None:
        self.caught = True

    def check(self) -> None:
        if self.caught:
            raise KeyboardInterrupt


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures"))


class ClusterParser:
    """What `pipeline.import_targets` takes as `parser`: parse on a cluster, connected to (or
    started) only when there is something to parse, so an import with nothing new starts
    nothing. Use it as a context manager: leaving it closes the client and a local cluster."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None, model: str | None = None, batch: int = BATCH,
                 refine: bool = False) -> None:
        self.workers, self.scheduler, self.model, self.batch, self.refine = workers, scheduler, model, batch, refine
        self.client: Any = None
        self.size = 0  # workers in the cluster when it was first needed (0: it never was)
        self.interrupts = _Interrupts()
        self._stack = ExitStack()

    def __enter__(self) -> ClusterParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()  # the cluster is stopped, then ctrl+c is reader's again
        if exc[0] is None:
            self.interrupts.check()  # pressed while the cluster was stopping

    def __call__(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Parsed]]:
        if self.client is None:
            # From here until the cluster is stopped, ctrl+c is noted and acted on by reader.
            self._stack.enter_context(self.interrupts)
            self.client = self._stack.enter_context(connect(workers=self.workers, scheduler=self.scheduler, model=self.model))
            self.size = len(self.client.scheduler_info().get("workers", {}))
        return parse_on(self.client, articles, model=self.model, batch=self.batch, interrupts=self.interrupts, refine=self.refine)
