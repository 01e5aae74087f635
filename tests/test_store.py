"""GraphStore: named-graph replace/drop, read-only readers, errors, and a real kill -9."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KgError, QueryError, StoreError
from kg.store import GraphStore, SparqlSyntaxError, current_generation, open_store

ROOT = Path(__file__).resolve().parent.parent
EX = "https://example.org/"
P = ox.NamedNode(EX + "p")


def g(name: str) -> str:
    return f"{EX}graph/{name}"


def triples(tag: str, n: int) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(f"{tag}-{i}")) for i in range(n)]


def counts(store: GraphStore) -> dict[str, int]:
    res = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in res}


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    s = GraphStore(None if request.param == "memory" else tmp_path / "store")
    yield s
    s.close()


# (operations, expected {graph: count}) -- each op is (graphs {name: n}, drop [names])
CASES = [
    ([({"a": 3}, [])], {"a": 3}),
    ([({"a": 3, "b": 2}, []), ({"a": 5}, [])], {"a": 5, "b": 2}),
    ([({"a": 3, "b": 2}, []), ({}, ["a"])], {"b": 2}),
    ([({"a": 3, "b": 2}, []), ({"c": 1}, ["a", "b"])], {"c": 1}),
    ([({"a": 3}, []), ({}, ["missing"])], {"a": 3}),
    ([({"a": 3}, []), ({"a": 4}, ["a"])], {"a": 4}),  # replace wins over drop of the same graph
    ([({"a": 3, "b": 3}, []), ({"a": 2, "b": 1}, [])], {"a": 2, "b": 1}),  # full rebuild path
]


@pytest.mark.parametrize("ops,expected", CASES)
def test_replace_and_drop(store, ops, expected):
    for k, (graphs, drop) in enumerate(ops):
        store.replace({g(n): triples(f"{k}{n}", c) for n, c in graphs.items()}, drop=[g(n) for n in drop])
    assert counts(store) == {g(n): c for n, c in expected.items()}
    assert store.graph_names() == sorted(g(n) for n in expected)
    assert len(list(store.quads())) == sum(expected.values())


def test_replace_overrides_quad_graph_and_queries_union(store):
    q = ox.Quad(ox.NamedNode(EX + "x"), P, ox.Literal("q"), ox.NamedNode(g("elsewhere")))
    store.replace({g("a"): [q], g("b"): triples("b", 1)})
    assert store.graph_names() == [g("a"), g("b")]
    rows = store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert [r["o"].value for r in rows] == ["b-0", "q"]  # default graph = union of named graphs
    assert bool(store.query("ASK { GRAPH <%s> { ?s ?p 'q' } }" % g("a")))


@pytest.mark.parametrize("n_graphs", [1, 2, 5])
def test_shared_triples_are_merged_once(store, n_graphs):
    shared = triples("shared", 3)
    store.replace({g(f"d{i}"): shared + triples(f"own{i}", 1) for i in range(n_graphs)})
    one = lambda q: int(next(iter(store.query(q)))["n"].value)  # noqa: E731
    assert one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 3 + n_graphs  # RDF merge: once each
    # s0 has 1 + n objects, s1 and s2 one each: a join counts pairs of distinct triples only
    assert one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s ?p ?o2 }") == (1 + n_graphs) ** 2 + 2
    assert one("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == n_graphs * 4
    assert len(store) == n_graphs * 4
    # the pyoxigraph store underneath holds exactly the named graphs (exports read it)
    assert next(iter(store.store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    assert len(store.store) == n_graphs * 4
    store.replace({}, drop=[g("d0")])  # the shared triples stay while another graph holds them
    assert one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == (3 + n_graphs - 1 if n_graphs > 1 else 0)
    store.replace({}, drop=[g(f"d{i}") for i in range(n_graphs)])
    assert one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0 and len(store) == 0


@pytest.mark.parametrize("bad", ["SELEC ?x WHERE {}", "SELECT ?x WHERE { ?x ", "DROP ALL"])
def test_bad_query_is_query_error_with_parser_message(store, bad):
    with pytest.raises(SparqlSyntaxError) as err:
        store.query(bad)
    assert isinstance(err.value, QueryError) and isinstance(err.value, SyntaxError)
    assert "error at" in str(err.value) or "expected" in str(err.value)


def test_persistent_reopen_and_read_only(tmp_path):
    path = tmp_path / "s"
    with GraphStore(path) as w:
        w.replace({g("a"): triples("a", 4)})
        gen = w.generation
    assert current_generation(path) == gen
    with open_store(path) as r:  # read-only by default
        assert counts(r) == {g("a"): 4}
        with pytest.raises(StoreError, match="read-only"):
            r.replace({g("b"): triples("b", 1)})
    assert counts(GraphStore(path, read_only=True)) == {g("a"): 4}


def test_reader_refresh_sees_new_generation(tmp_path):
    path = tmp_path / "s"
    w = GraphStore(path)
    w.replace({g("a"): triples("a", 2)})
    r = GraphStore(path, read_only=True)
    r2 = GraphStore(path, read_only=True)  # several readers at once
    w.replace({g("b"): triples("b", 3)}, drop=[g("a")])
    assert counts(r) == {g("a"): 2}  # still the old snapshot
    assert r.refresh() is True and r.refresh() is False
    assert counts(r) == {g("b"): 3}
    w.replace({g("c"): triples("c", 1)})
    assert r2.refresh() is True  # two generations behind: still opens the newest
    assert counts(r2) == {g("b"): 3, g("c"): 1}
    w.close()


def test_update_is_atomic_generation(tmp_path):
    path = tmp_path / "s"
    with GraphStore(path) as w:
        w.replace({g("a"): triples("a", 2)})
        before = w.generation
        w.update(f"INSERT DATA {{ GRAPH <{g('b')}> {{ <{EX}x> <{EX}p> 'y' }} }}")
        assert w.generation != before
        assert counts(w) == {g("a"): 2, g("b"): 1}
        with pytest.raises(SparqlSyntaxError):
            w.update("DROP EVERYTHING")
        assert counts(w) == {g("a"): 2, g("b"): 1}


def _plain_oxigraph(path: Path) -> None:
    s = ox.Store(str(path))
    s.add(ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal("o")))
    s.flush()
    del s


@pytest.mark.parametrize("setup,read_only,message", [
    (lambda p: None, True, "does not exist"),
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")), False, "not a kg store"),
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")), True, "not a kg store"),
    (lambda p: _plain_oxigraph(p), True, "plain Oxigraph database"),
    (lambda p: p.write_text("a file"), True, "not a directory"),
    (lambda p: (p.mkdir(), (p / "kg-store.json").write_text('{"format": "x"}')), True, "is not the one this kg reads"),
])
def test_clear_errors(tmp_path, setup, read_only, message):
    path = tmp_path / "s"
    setup(path)
    with pytest.raises(StoreError, match=message) as err:
        GraphStore(path, read_only=read_only)
    assert str(path) in str(err.value) and isinstance(err.value, KgError)


def test_second_writer_is_locked_out_until_close(tmp_path):
    path = tmp_path / "s"
    w = GraphStore(path)
    with pytest.raises(StoreError, match="locked"):
        GraphStore(path)
    w.close()
    GraphStore(path).close()


def test_orphan_generation_is_cleaned_and_ignored(tmp_path):
    path = tmp_path / "s"
    with GraphStore(path) as w:
        w.replace({g("a"): triples("a", 2)})
        gen = w.generation
    orphan = path / "gen-999999"
    orphan.mkdir()
    (orphan / "junk").write_text("half-written")
    assert counts(GraphStore(path, read_only=True)) == {g("a"): 2}  # readers ignore it
    with GraphStore(path) as w:  # the next writer removes it
        assert not orphan.exists() and w.generation == gen
        w.replace({g("b"): triples("b", 1)})
    assert sorted(p.name for p in path.iterdir() if p.name.startswith("gen-")) == ["gen-000001", "gen-000002"]


# -- kill -9 at random moments of replace() --------------------------------------

CHILD = textwrap.dedent("""
    import sys, pyoxigraph as ox
    from kg.store import GraphStore
    EX = "https://example.org/"
    def state(k):
        def ts(tag, n):
            return [ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"{k}:{tag}{i}")) for i in range(n)]
        return {EX + "graph/A": ts("a", 20000 + 37 * (k % 5)), EX + "graph/B": ts("b", 500 + k),
                EX + f"graph/C{k}": ts("c", k + 1)}
    start = int(sys.argv[2])
    with GraphStore(sys.argv[1]) as s:
        if start == 0:  # the initial state, run to completion
            s.replace(state(0))
            print(0, flush=True)
            sys.exit(0)
        for k in range(start, start + 200):
            s.replace(state(k), drop=[EX + f"graph/C{k - 1}"])
            print(k, flush=True)
""")


def expected_counts(k: int) -> dict[str, int]:
    return {g("A"): 20000 + 37 * (k % 5), g("B"): 500 + k, g(f"C{k}"): k + 1}


def committed_state(path: Path) -> int:
    """The single state k the store holds; fails on any mix of states."""
    with GraphStore(path, read_only=True) as s:
        names = s.graph_names()
        ks = {int(n.rsplit("/C", 1)[1]) for n in names if "/graph/C" in n}
        assert len(ks) == 1, names
        k = ks.pop()
        assert counts(s) == expected_counts(k)
        tags = s.query("SELECT DISTINCT ?k WHERE { ?s ?p ?o BIND(STRBEFORE(STR(?o), ':') AS ?k) }")
        assert sorted(r["k"].value for r in tags) == [str(k)]
        return k


def test_kill_9_during_replace_leaves_one_committed_state(tmp_path):
    path = tmp_path / "store"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rng = random.Random(20261124)
    seen_mid_build = checked = 0
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), "0"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["0"], done.stderr
    k_now = committed_state(path)
    for _ in range(6):
        start = k_now + 1
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(start)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(rng.uniform(0.5, 4.0))
        finally:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        printed = [int(x) for x in out.split()]
        last = printed[-1] if printed else start - 1
        k = committed_state(path)
        checked += 1
        assert k in (last, last + 1), (k, printed)  # the previous state or the one being published
        seen_mid_build += any(p.name.startswith("gen-") and p.name > (current_generation(path) or "")
                              for p in path.iterdir())
        k_now = k
    assert checked == 6
    assert seen_mid_build >= 1  # at least one kill hit a half-built generation
    with GraphStore(path) as w:  # writable again, orphans gone, still consistent
        assert all(p.name <= (w.generation or "") for p in path.iterdir() if p.name.startswith("gen-"))
    assert committed_state(path) == k_now


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_load_file_keeps_graphs_and_deduplicates_union(tmp_path, fmt):
    """GraphStore.load adds a file's named graphs; the union view holds each triple once."""
    import pyoxigraph as ox

    from kg.store import GraphStore

    s, p, o = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("v")
    quads = [ox.Quad(s, p, o, ox.NamedNode(f"http://x/g{i}")) for i in range(3)]
    path = tmp_path / f"data.{fmt}"
    ox.serialize(quads, str(path), format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS)
    for where in (None, tmp_path / "store"):
        gs = GraphStore(where)
        gs.load(path)
        assert sorted(gs.graph_names()) == ["http://x/g0", "http://x/g1", "http://x/g2"]
        assert len(list(gs.quads())) == 3
        assert len(list(gs.query("SELECT * WHERE { ?s ?p ?o }"))) == 1
        gs.close()
