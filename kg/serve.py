"""``kg serve``: a SPARQL 1.1 Protocol endpoint over a kg store, on the standard library.

``/sparql`` answers queries sent by GET ``?query=``, by POST form (``query=`` / ``update=``)
and by POST ``application/sparql-query`` (``application/sparql-update`` with updates on),
negotiates SPARQL JSON/XML/CSV/TSV or Turtle/N-Triples/N-Quads/TriG/RDF-XML/JSON-LD from
``Accept`` (q-values) or ``format=``, and sends CORS headers so YASGUI works. ``/`` is a
page of example queries and ``/explorer`` the HTML network view.

Queries run in a pool of worker processes (:mod:`kg.serve_worker`) that open the store
read-only and follow new builds; a query past ``timeout`` seconds has its worker killed
and replaced, and at most ``max_results`` rows or triples come back (header
``X-SPARQL-MaxRows`` when cut). Updates are refused (403) unless ``allow_update``; then
each one is one atomic store generation, like a build.

Usage from Python::

    with make_server("build/store", port=0) as srv:   # binds 127.0.0.1, free port
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        print(srv.url)                                  # http://127.0.0.1:PORT/sparql
"""
from __future__ import annotations

import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import KgError
from kg.serve_pages import example_queries, index_page
from kg.serve_results import Reply
from kg.serve_worker import PoolBusy, TaskTimeout, WorkerDied, WorkerPool
from kg.store import GraphStore, current_generation

__all__ = ["SparqlServer", "make_server", "serve"]

MAX_BODY = 1 << 20  # bytes of a POSTed query or update
_FORM = "application/x-www-form-urlencoded"


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; handler threads hand the work to a :class:`WorkerPool`."""

    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, store: str | Path, host: str = "127.0.0.1", port: int = 7879, *,
                 allow_update: bool = False, timeout: float = 30.0, max_results: int = 10000,
                 workers: int = 2, quiet: bool = False):
        self.store_path = Path(store)
        GraphStore(self.store_path, read_only=True).close()  # StoreError now, not in a worker
        if timeout <= 0 or max_results <= 0:
            raise ValueError("timeout and max_results must be positive")
        self.allow_update = allow_update
        self.query_timeout = float(timeout)
        self.queue_timeout = max(10.0, 2 * self.query_timeout)  # waiting for a free worker
        self.max_results = int(max_results)
        self.quiet = quiet
        self._explorer: tuple[str | None, Reply] | None = None
        self._explorer_lock = threading.Lock()
        super().__init__((host, port), _Handler)
        try:
            self.pool = WorkerPool(str(self.store_path), workers)
        except BaseException:
            self.server_close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def explorer(self) -> Reply:
        """The explorer page, rendered once per store generation."""
        with self._explorer_lock:
            gen = current_generation(self.store_path)
            if self._explorer and self._explorer[0] == gen:
                return self._explorer[1]
            reply = self.pool.run({"op": "explorer"}, timeout=max(120.0, self.query_timeout),
                                  wait=self.queue_timeout)
            if reply.status == 200:
                self._explorer = (reply.headers.get("X-KG-Generation") or None, reply)
            return reply

    def close(self) -> None:
        self.shutdown() if getattr(self, "_serving", False) else None
        self.pool.close()
        self.server_close()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def __enter__(self) -> "SparqlServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_server(store: str | Path, host: str = "127.0.0.1", port: int = 7879, **options) -> SparqlServer:
    """A ready :class:`SparqlServer` (bound, workers started); call ``serve_forever()``."""
    return SparqlServer(store, host, port, **options)


def serve(store: str | Path, host: str = "127.0.0.1", port: int = 7879, **options) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); workers are stopped on the way out."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    with make_server(store, host, port, **options) as srv:
        print(f"kg serve: SPARQL endpoint {srv.url} over {store} "
              f"({'updates allowed' if srv.allow_update else 'read-only'}; Ctrl-C stops)", file=sys.stderr, flush=True)
        try:
            srv.serve_forever()
        except KeyboardInterrupt:
            pass


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"

    # -- plumbing ------------------------------------------------------------------
    def log_message(self, fmt: str, *args) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-SPARQL-MaxRows, Content-Type")

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Vary", "Accept")
        self.send_header("Cache-Control", "no-store")
        self._cors()
        for k, v in sorted(reply.headers.items()):
            if not k.startswith("X-KG-"):
                self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _error(self, status: int, message: str) -> None:
        self._send(Reply.text(status, message))

    def _params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def _route(self) -> str:
        return urlsplit(self.path).path.rstrip("/") or "/"

    # -- methods -------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        asked = self.headers.get("Access-Control-Request-Headers", "")
        allowed = "Content-Type, Accept" + "".join(
            f", {h.strip()}" for h in asked.split(",") if h.strip() and h.strip().replace("-", "").isalnum()
            and h.strip().lower() not in ("content-type", "accept"))
        self.send_header("Access-Control-Allow-Headers", allowed)
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        route, params = self._route(), self._params()
        if route == "/":
            html = index_page(example_queries(), read_only=not self.server.allow_update)
            return self._send(Reply(200, "text/html; charset=utf-8", html.encode("utf-8")))
        if route == "/explorer":
            return self._dispatch(lambda: self.server.explorer())
        if route != "/sparql":
            return self._error(404, f"no such page {route!r}: the endpoint is /sparql, examples are at /")
        if "update" in params:
            if not self.server.allow_update:
                return self._refuse_update()
            return self._error(405, "send SPARQL updates with POST, not GET")
        if "query" not in params:
            html = index_page(example_queries(), read_only=not self.server.allow_update)
            return self._send(Reply(200, "text/html; charset=utf-8", html.encode("utf-8")))
        self._query(params)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if self._route() != "/sparql":
            return self._error(404, "POST queries to /sparql")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._error(400, "bad Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            return self._error(413, f"request body over {MAX_BODY} bytes")
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = self._params()
        if ctype == _FORM:
            for k, v in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params["query"] = [body]
        elif ctype == "application/sparql-update":
            params["update"] = [body]
        else:
            return self._error(415, f"unsupported Content-Type {ctype or '(none)'!r}: use {_FORM}, "
                                    "application/sparql-query or application/sparql-update")
        if "update" in params:
            if "query" in params:
                return self._error(400, "send either query or update, not both")
            if not self.server.allow_update:
                return self._refuse_update()
            return self._update(params)
        if "query" not in params:
            return self._error(400, "missing 'query' (or 'update') parameter")
        self._query(params)

    # -- work ------------------------------------------------------------------------
    def _refuse_update(self) -> None:
        self._error(403, "updates are disabled: this endpoint is read-only; "
                         "restart `kg serve` with --allow-update to accept SPARQL Update")

    def _one(self, params: dict[str, list[str]], name: str) -> str | None:
        values = params.get(name) or []
        if len(values) > 1:
            raise ValueError(f"give exactly one '{name}' parameter, not {len(values)}")
        return values[0] if values else None

    def _query(self, params: dict[str, list[str]]) -> None:
        try:
            query, fmt = self._one(params, "query"), self._one(params, "format")
        except ValueError as exc:
            return self._error(400, str(exc))
        if not (query or "").strip():
            return self._error(400, "empty query")
        task = {"op": "query", "query": query, "accept": self.headers.get("Accept"), "format": fmt,
                "max_results": self.server.max_results}
        self._dispatch(lambda: self.server.pool.run(task, timeout=self.server.query_timeout,
                                                    wait=self.server.queue_timeout))

    def _update(self, params: dict[str, list[str]]) -> None:
        try:
            update = self._one(params, "update")
        except ValueError as exc:
            return self._error(400, str(exc))
        task = {"op": "update", "update": update or ""}
        self._dispatch(lambda: self.server.pool.run(task, timeout=self.server.query_timeout,
                                                    wait=self.server.queue_timeout))

    def _dispatch(self, work) -> None:
        try:
            reply = work()
        except TaskTimeout as exc:
            reply = Reply.text(503, f"{exc} (kg serve --timeout {self.server.query_timeout:g}); "
                                    "narrow the query or add a LIMIT")
        except (PoolBusy, WorkerDied) as exc:
            reply = Reply.text(503, f"{exc}; retry shortly")
        except KgError as exc:
            reply = Reply.text(500, str(exc))
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
