"""The only module that composes the stages.

``ingest → normalise → structure → extract → resolve`` gives a :class:`DocResult`
per file (:func:`process`); :func:`build` turns many of them into the graph store,
in parallel (processes, or a Dask distributed cluster), incrementally (by content
hash) and all-or-nothing.
"""
from __future__ import annotations

import gc
import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from kg.errors import InputError, KgError
from kg.types import DocResult

#: File endings the ingest stage reads; everything else in a folder is skipped.
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")

#: Bumped whenever extraction changes what it produces, so stored graphs are rebuilt.
PIPELINE_VERSION = "1"

_WORKER: dict = {}


def discover(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Input files under ``paths`` (files as given, folders searched recursively), sorted.

    Paths are returned as given (a folder's files joined onto the folder as given),
    so records name the input the way the user wrote it.
    """
    found: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.lower().endswith(SUPPORTED_SUFFIXES) and not name.startswith("."):
                        found.append(os.path.join(dirpath, name))
        else:
            found.append(p)
    seen: set[str] = set()
    out = []
    for f in found:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return sorted(out)


def content_id(path: str | os.PathLike) -> str:
    """The document id of a file: the first 16 hex digits of the SHA-256 of its bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


class Extractors:
    """The heavy, per-process parts of the pipeline: built once, used for every document."""

    def __init__(self) -> None:
        from kg.extract.entities import EntityExtractor
        from kg.resolve import Resolver

        self.entities = EntityExtractor()
        self.resolver = Resolver()


def _extractors() -> Extractors:
    if "x" not in _WORKER:
        _WORKER["x"] = Extractors()
    return _WORKER["x"]


def process(path: str | os.PathLike, extractors: Extractors | None = None) -> DocResult:
    """Read one file and return everything extracted from it.

    Raises :class:`~kg.errors.InputError` naming the file and the cause when it cannot be read.
    """
    from kg.extract.responsibilities import find_responsibilities
    from kg.ingest import read_source
    from kg.normalise import normalise
    from kg.structure import parse

    x = extractors or _extractors()
    doc = normalise(read_source(path))
    sections, clauses = parse(doc)
    responsibilities = find_responsibilities(doc, clauses)
    mentions = x.entities.mentions(doc, clauses)
    mentions, responsibilities, entities, unresolved = x.resolver.resolve(doc, mentions, responsibilities)
    return DocResult(
        document=doc,
        sections=tuple(sections),
        clauses=tuple(clauses),
        mentions=tuple(mentions),
        responsibilities=tuple(responsibilities),
        entities=tuple(entities),
        unresolved=tuple(unresolved),
    )


def _process_safely(path: str) -> DocResult | InputError:
    try:
        return process(path)
    except InputError as e:
        return e
    except (KgError, OSError, ValueError, UnicodeError, MemoryError) as e:  # a clear line, not a traceback
        return InputError(path, f"{type(e).__name__}: {e}")


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def process_many(
    paths: Sequence[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[str], None] | None = None,
    func: Callable = None,
) -> list:
    """Process ``paths`` and return one result (or error) per path, in the order given.

    ``workers``: processes on this machine (default: all cores; 1 = in this process).
    ``scheduler``: address of an existing Dask distributed scheduler (``tcp://HOST:PORT``);
    extraction then runs on that cluster. The output is the same whichever way it runs.
    """
    func = func or _process_safely
    paths = list(paths)
    if not paths:
        return []
    if scheduler:
        return _process_dask(paths, scheduler, on_done, func)
    workers = default_workers() if workers is None else max(1, workers)
    workers = min(workers, len(paths))
    results: dict[str, DocResult | InputError] = {}
    if workers == 1:
        _extractors()
        gc.freeze()  # the loaded models are long-lived: keep the cycle collector off them
        try:
            for p in paths:
                results[p] = func(p)
                if on_done:
                    on_done(p)
        finally:
            gc.unfreeze()
    else:
        # Largest files first, so one big file does not finish last on its own.
        order = sorted(paths, key=lambda p: -_size(p))
        import multiprocessing

        ctx = multiprocessing.get_context()
        if ctx.get_start_method() == "fork":
            _extractors()  # load the models once here; forked workers share them copy-on-write
            gc.freeze()  # and the collector leaves them alone: no traversal, no copied pages
            init = None
        else:
            init = _init_worker
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init) as pool:
            for p, r in zip(order, pool.map(func, order, chunksize=1)):
                results[p] = r
                if on_done:
                    on_done(p)
        gc.unfreeze()
    return [results[p] for p in paths]


def _size(p: str) -> int:
    try:
        return os.path.getsize(p)
    except OSError:
        return 0


def _init_worker() -> None:
    _extractors()
    gc.freeze()


def _process_dask(paths: list[str], scheduler: str, on_done, func) -> list:
    from distributed import Client, as_completed

    with Client(scheduler, set_as_default=False) as client:
        futures = client.map(func, paths, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(paths)
        for fut in as_completed(futures, loop=client.loop):
            out[index[fut.key]] = fut.result()
            if on_done:
                on_done(paths[index[fut.key]])
    return out


def _build_one(path: str, spool: str | None = None, keep: bool = True):
    """Extract one file and turn it into its named graph, in the worker.

    Returns ``(result or error, n_responsibilities, graph)`` where ``graph`` is the path of
    an N-Quads file in ``spool`` (local workers) or N-Quads bytes (remote workers), so the
    parent never holds more than one document's quads at a time.
    """
    from kg.graph import document_quads
    from kg.store import write_nquads

    r = _process_safely(path)
    if isinstance(r, InputError):
        return r, 0, None
    quads = document_quads(r)
    if spool is not None:
        target = os.path.join(spool, r.document.doc_id + ".nq")
        write_nquads(quads, target)
    else:
        target = write_nquads(quads)
    del quads
    return (r if keep else r.document.doc_id), len(r.responsibilities), target


@dataclass
class BuildReport:
    """What a build did."""

    processed: list[str] = field(default_factory=list)  # sources (re)extracted
    unchanged: list[str] = field(default_factory=list)  # sources whose stored graph was kept
    removed: list[str] = field(default_factory=list)  # doc ids whose graphs were dropped
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, same content as)
    errors: list[InputError] = field(default_factory=list)
    results: list[DocResult] = field(default_factory=list)  # only with build(keep_results=True)
    responsibilities: int = 0  # responsibilities in the documents read
    exports: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def build(
    paths: Sequence[str | os.PathLike],
    store_dir: str | os.PathLike | None,
    *,
    exports_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    full: bool = False,
    store=None,
    keep_results: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build or update the graph store from the documents under ``paths``.

    Only new or changed documents (by content hash) are read again; the graphs of
    documents no longer among the inputs are dropped. The store changes in one
    all-or-nothing step: an interrupted build leaves the previous graph as it was.
    Files that cannot be read are reported in ``BuildReport.errors``; the rest still build.
    Each document's graph is made in the worker and spooled to disk, so memory stays flat
    however large the corpus; ``keep_results=False`` also drops the extraction results.
    """
    import functools
    import tempfile

    from kg.graph import GRAPH_BASE, reference_quads, version_quads
    from kg.store import open_store, read_nquads
    from kg import reference

    report = BuildReport()
    files = discover(paths)
    ids: dict[str, str] = {}
    for f in files:
        try:
            ids[f] = content_id(f)
        except OSError as e:
            report.errors.append(InputError(f, e.strerror or str(e)))
    by_id: dict[str, list[str]] = {}
    for f in files:
        if f in ids:
            by_id.setdefault(ids[f], []).append(f)
    first_by_id = {i: fs[0] for i, fs in by_id.items()}
    version_graph = GRAPH_BASE + "_version/" + PIPELINE_VERSION
    if store is not None:
        existing = set(store.graph_names())
    elif store_dir is not None and os.path.exists(store_dir):
        with open_store(store_dir, read_only=True) as gs:  # closed again before worker processes start
            existing = set(gs.graph_names())
    else:
        existing = set()
    stale = full or version_graph not in existing
    stored_ids = {g[len(GRAPH_BASE):] for g in existing
                  if g.startswith(GRAPH_BASE) and not g[len(GRAPH_BASE):].startswith("_")}
    graphs: dict[str, list] = {}
    todo = sorted(f for i, f in first_by_id.items() if stale or i not in stored_ids)
    report.unchanged = sorted(f for f in first_by_id.values() if f not in set(todo))
    if on_start:
        on_start(len(todo))
    spool_dir = tempfile.TemporaryDirectory(prefix="kg-build-")
    func = functools.partial(_build_one, spool=None if scheduler else spool_dir.name, keep=keep_results)
    outcomes = process_many(todo, workers=workers, scheduler=scheduler, on_done=on_done, func=func)
    # A file that fails does not hide a readable copy of the same bytes under another name.
    while True:
        retry = []
        for f, (r, n_resp, graph) in zip(todo, outcomes):
            if isinstance(r, InputError):
                report.errors.append(r)
                rest = by_id[ids[f]][by_id[ids[f]].index(f) + 1:]
                if rest:
                    first_by_id[ids[f]] = rest[0]
                    retry.append(rest[0])
                continue
            report.processed.append(f)
            report.responsibilities += n_resp
            if keep_results:
                report.results.append(r)
            graphs[GRAPH_BASE + ids[f]] = read_nquads(graph)
        if not retry:
            break
        todo, outcomes = retry, process_many(retry, workers=workers, scheduler=scheduler, on_done=on_done, func=func)
    for i, fs in sorted(by_id.items()):
        report.duplicates.extend((f, first_by_id[i]) for f in fs if f != first_by_id[i])
    report.removed = sorted(i for i in stored_ids if i not in first_by_id)
    drop = [GRAPH_BASE + i for i in report.removed]
    drop += sorted(g for g in existing if g.startswith(GRAPH_BASE + "_version/") and g != version_graph)
    graphs[GRAPH_BASE + "_reference"] = reference_quads(reference.regions(), reference.departments())
    graphs[version_graph] = version_quads(version_graph, PIPELINE_VERSION)
    gs = store if store is not None else open_store(store_dir, read_only=False)
    try:
        with spool_dir:
            gs.replace(graphs, drop=drop)
        if exports_dir is not None:
            from kg.export import write_exports

            report.exports = [str(p) for p in write_exports(gs, exports_dir)]
    finally:
        if store is None:
            gs.close()
    return report
