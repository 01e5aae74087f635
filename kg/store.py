"""The graph store: an embedded Oxigraph (pyoxigraph) store, persistent or in memory.

This is the only module that knows how the store lives on disk. A persistent store
is a directory::

    DIR/kg-store.json      marker: {"format": "kg-store", "version": 2}
    DIR/current            pointer: the name of the published generation ("gen-000003")
    DIR/gen-000003/data    a complete, closed Oxigraph (RocksDB) database: the named graphs
    DIR/gen-000003/merged  their RDF merge (each triple once) in a default graph
    DIR/gen-000002/        the previous generation, kept for readers still on it
    DIR/lock               held (flock) by the one writer

Every :meth:`GraphStore.replace` (and :meth:`GraphStore.update`) builds the *next*
generation privately — a cheap RocksDB checkpoint of the current one (hard links),
then the drops and inserts — flushes and closes it, fsyncs it and only then switches
``current`` atomically (write a temporary file, fsync, ``os.replace``, fsync the
directory). A ``kill -9`` at any moment therefore leaves either the old pointer
(the half-built generation is an orphan that the next writer deletes) or the new
one: never a mix. Readers open the published generation read-only and
:meth:`GraphStore.refresh` moves a long-lived reader (the server) to a newer one.

SPARQL queries see, as their default graph, the RDF merge of the named graphs (one graph
per document). :meth:`GraphStore.query` answers a query without ``GRAPH``/``FROM`` from
the *merged* database, where each triple is stored once. Pyoxigraph's own
``use_default_graph_as_union`` (what ``GraphStore.store.query(q, use_default_graph_as_union=True)``
does) counts a triple once per graph holding it in Oxigraph 0.5 (oxigraph/oxigraph#1919,
fixed only in 0.6): with entity descriptions repeated in every document graph, each join
then multiplies by the number of documents. ``GraphStore.store`` holds exactly the named
graphs (its default graph is empty), for exports and ``GRAPH`` queries.

>>> import pyoxigraph as ox
>>> s = GraphStore()                       # in memory
>>> g = "https://example.org/graph/a"
>>> t = ox.Triple(ox.NamedNode("https://example.org/x"), ox.NamedNode("https://example.org/p"), ox.Literal("1"))
>>> s.replace({g: [t]})
>>> s.graph_names()
['https://example.org/graph/a']
>>> [str(r["o"].value) for r in s.query("SELECT ?o WHERE { ?s ?p ?o }")]
['1']
>>> s.replace({g + "2": [t]}); [r["n"].value for r in s.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")]
['1']
>>> s.replace({}, drop=[g, g + "2"]); len(list(s.quads()))
0

"""
from __future__ import annotations

import gc
import json
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import pyoxigraph as ox

from kg.errors import QueryError, StoreError

try:  # POSIX advisory locks; released by the kernel when the process dies (even kill -9)
    import fcntl
except ImportError:  # pragma: no cover - Windows: single-writer discipline is the user's job
    fcntl = None  # type: ignore[assignment]

__all__ = ["GraphStore", "open_store", "current_generation", "SparqlSyntaxError"]

MARKER = "kg-store.json"
POINTER = "current"
LOCK = "lock"
_FORMAT = {"format": "kg-store", "version": 2}  # 2: default graph = merge of the named graphs
DATA, MERGED = "data", "merged"  # the two databases of a generation
_GEN_RE = re.compile(r"^gen-(\d{6,})$")
_BULK_FROM = 20000  # quads; below this a transactional insert is cheaper than writing SST files
_KEEP_PREVIOUS = 1  # generations kept behind the current one for readers still on them


class SparqlSyntaxError(QueryError, SyntaxError):
    """A SPARQL query or update that does not parse (a :class:`QueryError` and a :class:`SyntaxError`)."""


def _gen_name(n: int) -> str:
    return f"gen-{n:06d}"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_tree(path: Path) -> None:
    for p in sorted(path.iterdir()):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def current_generation(path: str | os.PathLike) -> str | None:
    """Name of the published generation of the store at ``path`` (None when empty or absent).

    Cheap (reads one small file): a long-lived reader calls it to notice a new build.
    """
    try:
        name = (Path(path) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store pointer ({exc})") from exc
    return name or None


def _check_store_dir(path: Path, *, create: bool) -> None:
    if not path.exists():
        if not create:
            raise StoreError(f"{path}: no kg store here (directory does not exist); "
                             f"build one with `kg build CORPUS --store {path}`")
        path.mkdir(parents=True)
    if not path.is_dir():
        raise StoreError(f"{path}: not a kg store (not a directory)")
    marker = path / MARKER
    if marker.exists():
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: not a kg store (unreadable {MARKER}: {exc})") from exc
        if info.get("format") != _FORMAT["format"] or info.get("version") != _FORMAT["version"]:
            raise StoreError(f"{path}: store format {info!r} is not the one this kg reads ({_FORMAT}); "
                             "delete the directory and rebuild it with `kg build --store`")
        return
    entries = sorted(p.name for p in path.iterdir())
    if not entries and create:
        _write_atomic(marker, json.dumps(_FORMAT, sort_keys=True) + "\n")
        return
    if "CURRENT" in entries and any(e.endswith(".sst") or e.startswith("MANIFEST") for e in entries):
        raise StoreError(f"{path}: not a kg store (it is a plain Oxigraph database); query it with "
                         "`oxigraph serve --location` or rebuild with `kg build --store` into a new directory")
    raise StoreError(f"{path}: not a kg store (no {MARKER}; directory is not empty); "
                     "choose an empty or new directory for --store")


def _as_quad(item: ox.Quad | ox.Triple, graph: ox.NamedNode) -> ox.Quad:
    if isinstance(item, ox.Quad):
        if item.graph_name == graph:
            return item
        return ox.Quad(item.subject, item.predicate, item.object, graph)
    if isinstance(item, ox.Triple):
        return ox.Quad(item.subject, item.predicate, item.object, graph)
    raise StoreError(f"cannot store {type(item).__name__} in graph <{graph.value}>: expected a pyoxigraph Quad or Triple")


# Comments, string literals and IRIs are blanked before looking for the GRAPH / FROM keywords:
# a comment that says "graph" must not send a query to the (duplicating) union of the named graphs.
_NOT_KEYWORDS_RE = re.compile(r'''
    "{3}(?:[^"\\]|\\.|"(?!""))*"{3} | \'{3}(?:[^\'\\]|\\.|\'(?!\'\'))*\'{3}   # long strings
  | "(?:[^"\\\n]|\\.)*" | \'(?:[^\'\\\n]|\\.)*\'                      # strings
  | <[^<>"{}|^`\\\s]*>                                               # IRIs
  | \#[^\n]*                                                        # comments
''', re.VERBOSE)
_DATASET_RE = re.compile(r"(?i)(?<![\w:?$])(?:GRAPH|FROM)(?![\w:-])")


def _uses_dataset(sparql: str) -> bool:
    """True when ``sparql`` uses the GRAPH or FROM keyword (not in a comment, string, IRI,
    variable or prefixed name): it then needs the named graphs, not their merge.

    >>> _uses_dataset("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"), _uses_dataset("SELECT * FROM <x:g> { ?s ?p ?o }")
    (True, True)
    >>> _uses_dataset("# every document graph\\nSELECT ?graph WHERE { ?s ex:from 'graph' ; <x:#GRAPH> ?graph }")
    False
    """
    return bool(_DATASET_RE.search(_NOT_KEYWORDS_RE.sub(" ", sparql)))


def _unmerge(data: ox.Store, merged: ox.Store, triples: set) -> None:
    """Remove from the merge each triple that no stored graph holds any more."""
    for t in triples:
        if next(iter(data.quads_for_pattern(t.subject, t.predicate, t.object, None)), None) is None:
            merged.remove(ox.Quad(t.subject, t.predicate, t.object))


def _remerge(data: ox.Store, merged: ox.Store) -> None:
    """Rebuild the merge from every stored quad."""
    merged.clear()
    merged.extend({ox.Quad(q.subject, q.predicate, q.object) for q in data})


def _graph_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(str(iri))
    except ValueError as exc:
        raise StoreError(f"invalid graph IRI {iri!r}: {exc}") from exc


class GraphStore:
    """A quad store with one named graph per document; persistent at ``path`` or in memory.

    ``read_only=True`` opens the published generation for reading (several processes
    may do so at once, also while a writer builds the next one). A writable store holds
    the directory's lock until :meth:`close`: a second writer gets a :class:`StoreError`.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        self.path: Path | None = Path(path) if path is not None else None
        self.read_only = read_only
        self._mutex = threading.RLock()
        self._lock_fh = None
        self._generation: str | None = None
        self.store: ox.Store  # the named graphs, one per document
        self._merged: ox.Store  # their RDF merge, in its default graph: what queries see
        if self.path is None:
            self.store, self._merged = ox.Store(), ox.Store()
            return
        _check_store_dir(self.path, create=not read_only)
        if not read_only:
            self._acquire_lock()
            try:
                self._cleanup()
            except BaseException:
                self._release_lock()
                raise
        self._open_current()

    # -- opening and locking ------------------------------------------------------
    def _acquire_lock(self) -> None:
        assert self.path is not None
        fh = open(self.path / LOCK, "a+", encoding="utf-8")
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.seek(0)
                holder = fh.read().strip() or "?"
                fh.close()
                raise StoreError(f"{self.path}: store is locked by another writer (pid {holder}); "
                                 "wait for that build or server to finish, then retry") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh

    def _release_lock(self) -> None:
        if self._lock_fh is not None:
            try:
                if fcntl is not None:
                    fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._lock_fh.close()
                self._lock_fh = None

    def _generations(self) -> list[int]:
        assert self.path is not None
        return sorted(int(m.group(1)) for p in self.path.iterdir() if (m := _GEN_RE.match(p.name)) and p.is_dir())

    def _cleanup(self) -> None:
        """Writer only: delete orphans of interrupted builds and generations nobody needs."""
        assert self.path is not None
        cur = current_generation(self.path)
        cur_n = int(_GEN_RE.match(cur).group(1)) if cur and _GEN_RE.match(cur) else -1
        for n in self._generations():
            if n > cur_n or n < cur_n - _KEEP_PREVIOUS:
                shutil.rmtree(self.path / _gen_name(n), ignore_errors=True)
        for tmp in self.path.glob("*.tmp"):
            tmp.unlink(missing_ok=True)

    def _open_current(self) -> None:
        assert self.path is not None
        last_exc: Exception | None = None
        for _ in range(5):  # a writer may publish twice between reading the pointer and opening
            gen = current_generation(self.path)
            if gen is None:
                self._set_store(ox.Store(), ox.Store(), None)
                return
            try:
                self._set_store(ox.Store.read_only(str(self.path / gen / DATA)),
                                ox.Store.read_only(str(self.path / gen / MERGED)), gen)
                return
            except OSError as exc:
                last_exc = exc
                if current_generation(self.path) == gen:
                    break
        raise StoreError(f"{self.path}: cannot open generation {gen} ({last_exc}); "
                         "the store is damaged: rebuild it with `kg build`") from last_exc

    def _set_store(self, store: ox.Store, merged: ox.Store, gen: str | None) -> None:
        old = (getattr(self, "store", None), getattr(self, "_merged", None))
        self.store, self._merged = store, merged
        self._generation = gen
        del old
        gc.collect()  # closes the databases nobody else holds

    @property
    def generation(self) -> str | None:
        """The generation this object reads (None for in-memory or empty stores)."""
        return self._generation

    def refresh(self) -> bool:
        """Move to the newest published generation if a writer published one; True if it did."""
        if self.path is None:
            return False
        with self._mutex:
            if current_generation(self.path) == self._generation:
                return False
            self._open_current()
            return True

    # -- writing -------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path or 'in-memory store'}: opened read-only; open it with read_only=False to write")
        if self.path is not None and self._lock_fh is None:
            raise StoreError(f"{self.path}: store is closed")

    def _transact(self, apply, *, fresh: bool = False) -> None:
        """Run ``apply(data, merged)`` on private copies of both databases (or, ``fresh``,
        on empty ones) and publish them atomically as the next generation."""
        assert self.path is not None
        gens = self._generations()
        nxt = _gen_name((gens[-1] + 1) if gens else 1)
        target = self.path / nxt
        try:
            target.mkdir()
            if self._generation is not None and not fresh:
                self.store.backup(str(target / DATA))  # RocksDB checkpoints: hard links, cheap
                self._merged.backup(str(target / MERGED))
            data, merged = ox.Store(str(target / DATA)), ox.Store(str(target / MERGED))
            try:
                apply(data, merged)
                for db in (data, merged):
                    db.flush()
                    db.optimize()
            finally:
                del data, merged
                gc.collect()  # closes the databases
            for sub in (DATA, MERGED):
                _fsync_tree(target / sub)
            _fsync_dir(target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        _write_atomic(self.path / POINTER, nxt + "\n")  # the commit point
        self._open_current()
        self._cleanup()

    def replace(self, graphs: Mapping[str, Iterable[ox.Quad | ox.Triple]], drop: Iterable[str] = ()) -> None:
        """One all-or-nothing update: each graph in ``graphs`` gets exactly the given quads
        (their own graph name is overridden), each IRI in ``drop`` is removed."""
        with self._mutex:
            self._writable()
            # Each graph's quads are read lazily, when it is written (they may be a generator).
            plan = [(_graph_node(iri), graphs[iri]) for iri in sorted(graphs)]
            drops = [_graph_node(i) for i in sorted(set(drop) - set(graphs))]

            def apply(data: ox.Store, merged: ox.Store) -> None:
                old: set[ox.Triple] = set()
                for node in drops + [n for n, _ in plan]:
                    if data.contains_named_graph(node):
                        old.update(q.triple for q in data.quads_for_pattern(None, None, None, node))
                        data.remove_graph(node)
                # One graph at a time, so a build holds one document's quads in memory.
                for node, source in plan:
                    quads = [_as_quad(q, node) for q in source]
                    merge = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]  # a store is a set
                    if self.path is None or len(quads) < _BULK_FROM:
                        data.extend(quads)
                        merged.extend(merge)
                    else:
                        data.bulk_extend(quads)
                        merged.bulk_extend(merge)
                    if not quads:  # keep an empty graph named, so graph_names() reflects the replace
                        data.add_graph(node)
                    del quads, merge
                _unmerge(data, merged, old)

            if self.path is None:
                apply(self.store, self._merged)
            else:
                # Deleting quads is slow (one tombstone each): when every existing graph
                # goes (a full rebuild), start the next generation from an empty store.
                gone = {n.value for n in drops} | {n.value for n, _ in plan}
                fresh = set(self.graph_names()) <= gone
                try:
                    self._transact(apply, fresh=fresh)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot write the store ({exc})") from exc

    def load(self, path: str | os.PathLike) -> None:
        """Add every quad of an N-Quads or TriG file (e.g. ``exports/kg.trig``) in one
        all-or-nothing step; the merged view is fed from the same stream, so memory stays flat."""
        fmt = ox.RdfFormat.TRIG if str(path).endswith(".trig") else ox.RdfFormat.N_QUADS

        def apply(data: ox.Store, merged: ox.Store) -> None:
            data.bulk_load(path=str(path), format=fmt)
            merged.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                               for q in ox.parse(path=str(path), format=fmt))

        with self._mutex:
            self._writable()
            if self.path is None:
                apply(self.store, self._merged)
            else:
                try:
                    self._transact(apply)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot write the store ({exc})") from exc

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 Update atomically (a new generation for persistent stores).

        Updates address the stored graphs (``GRAPH <g>`` for a document graph); the merge
        that queries see is then rebuilt from them (a full pass: updates are for small fixes).
        """
        with self._mutex:
            self._writable()
            try:
                if self.path is None:
                    self.store.update(sparql)
                    _remerge(self.store, self._merged)
                else:
                    self._transact(lambda data, merged: (data.update(sparql), _remerge(data, merged)))
            except SyntaxError as exc:
                raise SparqlSyntaxError(f"bad SPARQL update: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot update the store ({exc})") from exc

    # -- reading -------------------------------------------------------------------
    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        names = []
        for g in self.store.named_graphs():
            names.append(g.value if isinstance(g, ox.NamedNode) else f"_:{g.value}")
        return sorted(names)

    def query(self, sparql: str):
        """Run a SPARQL query; its default graph is the merge of all named graphs (each triple
        once), ``GRAPH ?g`` reaches the document graphs. Returns pyoxigraph results.

        Raises :class:`SparqlSyntaxError` (a QueryError) with the parser's message.
        """
        try:
            if _uses_dataset(sparql):  # GRAPH / FROM: needs the named graphs themselves
                return self.store.query(sparql, use_default_graph_as_union=True)
            return self._merged.query(sparql)
        except SyntaxError as exc:
            raise SparqlSyntaxError(f"bad SPARQL query: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from exc

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, graph by graph in IRI order (the merged default
        graph is derived and not included)."""
        for name in self.graph_names():
            node = ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)
            yield from self.store.quads_for_pattern(None, None, None, node)

    def __len__(self) -> int:
        """Number of stored quads (the named graphs)."""
        return len(self.store)

    def close(self) -> None:
        with self._mutex:
            if self.path is not None:
                self._set_store(ox.Store(), ox.Store(), None)
            self._release_lock()

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        return f"GraphStore({where!r}, generation={self._generation!r}, read_only={self.read_only})"


def open_store(path: str | os.PathLike | None, *, read_only: bool = True) -> GraphStore:
    """Open the store at ``path`` (None: a new in-memory store)."""
    return GraphStore(path, read_only=read_only)


def write_nquads(quads: Iterable[ox.Quad], path: str | os.PathLike | None = None) -> bytes | None:
    """Serialise ``quads`` as N-Quads to ``path`` (returns None), or return the bytes."""
    if path is None:
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    with open(path, "wb") as fh:
        ox.serialize(quads, fh, format=ox.RdfFormat.N_QUADS)
    return None


def read_nquads(source: str | os.PathLike | bytes) -> Iterator[ox.Quad]:
    """Quads of an N-Quads file or bytes written by :func:`write_nquads`, read lazily."""
    if isinstance(source, (bytes, bytearray)):
        yield from ox.parse(bytes(source), format=ox.RdfFormat.N_QUADS)
    else:
        with open(source, "rb") as fh:
            yield from ox.parse(fh, format=ox.RdfFormat.N_QUADS)
