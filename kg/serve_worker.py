"""Worker processes for the endpoint: each opens the store read-only and runs one task at a time.

A Python thread cannot stop a running pyoxigraph query, a process can be killed: when a
task runs past its timeout the pool kills that worker (SIGKILL) and starts a fresh one,
and the server goes on answering with the others. Updates (``--allow-update``) run in a
worker too, through :meth:`kg.store.GraphStore.update`: a killed update never publishes.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from kg.errors import KgError, StoreError
from kg.serve_results import Reply, execute
from kg.store import GraphStore, SparqlSyntaxError

__all__ = ["WorkerPool", "PoolBusy", "TaskTimeout", "WorkerDied"]


class PoolBusy(KgError):
    """No worker became free in time."""


class TaskTimeout(KgError):
    """A task ran past its timeout; its worker was killed."""


class WorkerDied(KgError):
    """A worker ended while running a task."""


def _explorer(gs: GraphStore) -> Reply:
    try:
        from kg.netview import explorer_graph
        from kg.visualise import render_html
    except ImportError as exc:
        return Reply.text(503, f"the network explorer is not available in this installation ({exc}); "
                               "query /sparql instead, or write the page with `kg viz --store DIR -o FILE.html`")
    html = render_html(explorer_graph(gs), title="kg explorer")
    return Reply(200, "text/html; charset=utf-8", html.encode("utf-8"), {"X-KG-Generation": gs.generation or ""})


def _run(gs: GraphStore, store_path: str, task: dict) -> Reply:
    op = task["op"]
    if op == "query":
        gs.refresh()
        return execute(gs, task["query"], accept=task.get("accept"), fmt=task.get("format"),
                       max_results=task.get("max_results", 10000))
    if op == "update":
        with GraphStore(store_path, read_only=False) as w:
            w.update(task["update"])
            return Reply.text(200, f"update applied; store generation is now {w.generation}")
    if op == "explorer":
        gs.refresh()
        return _explorer(gs)
    if op == "sleep":  # for tests of the pool itself
        import time
        time.sleep(task["seconds"])
        return Reply.text(200, "slept")
    return Reply.text(400, f"unknown task {op!r}")


def _worker_main(conn, store_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        gs = GraphStore(store_path, read_only=True)
    except KgError as exc:
        conn.send(("fatal", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            reply = _run(gs, store_path, task)
        except SparqlSyntaxError as exc:
            reply = Reply.text(400, str(exc))
        except StoreError as exc:
            reply = Reply.text(503, str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever happened
            reply = Reply.text(500, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(("ok", reply))
        except (EOFError, OSError):
            return


_MAIN_LOCK = threading.Lock()


@contextmanager
def _without_main():
    """Start spawned workers without re-running ``__main__`` in them.

    The worker needs only :mod:`kg`; re-importing the parent's main script would be slow
    (the ``kg`` console script imports every command) or impossible (``python - <<EOF``,
    some notebook kernels).
    """
    main = sys.modules.get("__main__")
    with _MAIN_LOCK:
        saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
        try:
            if main is not None:
                main.__dict__.pop("__file__", None)
                main.__dict__["__spec__"] = None
            yield
        finally:
            if main is not None:
                main.__dict__.pop("__spec__", None)
                main.__dict__.update(saved)


@dataclass
class _Worker:
    proc: mp.process.BaseProcess
    conn: object


class WorkerPool:
    """``size`` worker processes over the store at ``store_path`` (spawned, not forked)."""

    def __init__(self, store_path: str, size: int = 2, *, start_timeout: float = 60.0):
        self.store_path = str(store_path)
        self.size = max(1, int(size))
        self.start_timeout = start_timeout
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._live: list[_Worker] = []
        self._closed = False
        self.restarts = 0
        try:
            for _ in range(self.size):
                self._idle.put(self._start())
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self.store_path), daemon=True,
                                 name="kg-serve-worker")
        with _without_main():
            proc.start()
        child.close()
        w = _Worker(proc, parent)
        with self._lock:
            self._live.append(w)
        if not parent.poll(self.start_timeout):
            self._kill(w)
            raise StoreError(f"{self.store_path}: a query worker did not start within {self.start_timeout:g} s")
        try:
            status, message = parent.recv()
        except (EOFError, OSError):
            status, message = "fatal", f"worker exited with code {proc.exitcode}"
        if status != "ready":
            self._kill(w)
            raise StoreError(message)
        return w

    def _kill(self, w: _Worker) -> None:
        try:
            w.proc.kill()
            w.proc.join(5)
        finally:
            w.conn.close()
            with self._lock:
                if w in self._live:
                    self._live.remove(w)

    def _replace(self, w: _Worker) -> None:
        self._kill(w)
        self.restarts += 1

        def start() -> None:
            if self._closed:
                return
            try:
                self._idle.put(self._start())
            except KgError:
                pass  # store gone: later requests get 503 from an empty pool

        threading.Thread(target=start, daemon=True, name="kg-serve-respawn").start()

    def run(self, task: dict, *, timeout: float, wait: float) -> Reply:
        """Run ``task`` on a free worker: at most ``wait`` s to get one, ``timeout`` s to finish."""
        if self._closed:
            raise PoolBusy("the server is shutting down")
        try:
            w = self._idle.get(timeout=wait)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query workers stayed busy for {wait:g} s") from None
        healthy = False
        try:
            w.conn.send(task)
            if not w.conn.poll(timeout):
                raise TaskTimeout(f"query timed out after {timeout:g} s and was stopped")
            status, reply = w.conn.recv()
            healthy = True
            return reply
        except (EOFError, OSError) as exc:
            raise WorkerDied(f"query worker died ({exc or 'no answer'})") from exc
        finally:
            if healthy and not self._closed:
                self._idle.put(w)
            else:
                self._replace(w)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            live = list(self._live)
        for w in live:
            self._kill(w)
