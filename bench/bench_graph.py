"""Benchmark: the Oxigraph store (pyoxigraph) against rdflib's in-memory Dataset.

In one run it times, on the sample graph and on a synthetic graph of at least 1M quads in the
same shape (built by kg.graph.document_quads from synthetic DocResults):

* load   — parsing the same N-Quads file into the store;
* query  — every named query (kg/queries/*.rq), unbound, plus a few bound ones, over the union
           of the named graphs (medians of repeated runs; rdflib is capped per query);
* export — TriG + N-Quads dumps (both backends), and kg.export.write_exports (Oxigraph only).

Each backend runs in its own subprocess, which reports its own peak RSS (VmHWM). Run:

    python bench/bench_graph.py                 # sample + 1M synthetic
    python bench/bench_graph.py --quick         # sample + 100k synthetic (a smoke run)

Options: --triples N (synthetic size), --sample-store DIR (use a built store instead of running
the pipeline), --cap SECONDS (per rdflib query), --reps N. Nothing here is a test.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CAP = 120.0
BOUND = [("department_leads", "name"), ("programme_leads", "name"), ("co_leads", "name")]


# ---------------------------------------------------------------- data

def sample_results():
    """DocResults of the sample corpus, or None when the pipeline is not available."""
    try:
        from kg.pipeline import process
    except ImportError:
        return None
    corpus = ROOT / "corpus" / "hunan"
    return [process(str(p)) for p in sorted(corpus.glob("*.txt"))]


def synthetic_results(n_docs: int, seed: int = 7):
    """DocResults shaped like the sample: attachments with numbered tasks, notes with leads,
    supporting and collective units, and mentions of every entity type with hierarchies."""
    from kg.types import DocMeta, Document, DocResult, Entity, Mention, OffsetMap, Responsibility, Section, Unit

    rnd = random.Random(seed)
    depts = [(f"合成省第{i}委员会", [f"省第{i}委", f"省合成{i}委"]) for i in range(160)]
    colls = ["各市州人民政府", "各有关部门"]
    prefs = [f"合成市{i}" for i in range(14)]
    counties = [(f"合成县{i}", prefs[i % 14]) for i in range(140)]
    labs = [f"合成实验室{i}" for i in range(30)]
    corridors = [f"合成通道{i}" for i in range(120)]
    parents = [f"合成攻坚群{i}" for i in range(12)]
    progs = [(f"合成工程{i}", parents[i % 12] if i % 3 else None) for i in range(600)]
    out = []
    for d in range(n_docs):
        year = 2018 + d % 8
        parts: list[str] = []
        pos = 0
        sections, resps, mentions, ents = [], [], [], {}

        def put(text: str) -> int:
            nonlocal pos
            start = pos
            parts.append(text)
            pos += len(text)
            return start

        def mention(name: str, etype: str, key: str, ent: Entity):
            s = put(name)
            mentions.append(Mention(name, etype, s, s + len(name), entity=key, canonical=key.split("/", 1)[1]))
            ents[key] = ent

        put(f"合成文件{d}实施方案\n")
        for a in range(8):
            pname, parent = progs[rnd.randrange(len(progs))]
            head = f"附件{a + 1} {pname}实施方案"
            sstart = put(head + "\n")
            pkey = f"programme/{pname}"
            ents[pkey] = Entity(pkey, "programme", pname, parent=f"programme/{parent}" if parent else None)
            if parent:
                ents[f"programme/{parent}"] = Entity(f"programme/{parent}", "programme", parent)
            top = (head,)
            for b in range(3):
                sub = f"（{b + 1}）合成任务组{b}"
                s2 = put(sub + "\n")
                path = (head, sub)
                for t in range(5):
                    title = f"推进合成任务{d}-{a}-{b}-{t}"
                    put(f"{t + 1}.{title}。")
                    for _ in range(4):
                        kind = rnd.random()
                        if kind < 0.35:
                            c = rnd.randrange(len(counties))
                            name, pref = counties[c]
                            mention(name, "region", f"region/{name}", Entity(
                                f"region/{name}", "region", name, code=f"43{c:04d}", parent=f"region/{pref}"))
                            ents[f"region/{pref}"] = Entity(f"region/{pref}", "region", pref,
                                                            code=f"43{prefs.index(pref) + 1:02d}00", parent="region/湖南省")
                            ents["region/湖南省"] = Entity("region/湖南省", "region", "湖南省", code="430000")
                        elif kind < 0.45:
                            name = labs[rnd.randrange(len(labs))]
                            pref = prefs[labs.index(name) % 14]
                            mention(name, "lab", f"lab/{name}", Entity(f"lab/{name}", "lab", name, parent=f"region/{pref}"))
                        elif kind < 0.65:
                            name = corridors[rnd.randrange(len(corridors))]
                            mention(name, "corridor", f"corridor/{name}", Entity(f"corridor/{name}", "corridor", name))
                        elif kind < 0.85:
                            name, parent = progs[rnd.randrange(len(progs))]
                            mention(name, "programme", f"programme/{name}", Entity(
                                f"programme/{name}", "programme", name, parent=f"programme/{parent}" if parent else None))
                            if parent:
                                ents[f"programme/{parent}"] = Entity(f"programme/{parent}", "programme", parent)
                        else:
                            i = rnd.randrange(len(depts))
                            full, al = depts[i]
                            mention(al[0], "department", f"department/{full}", Entity(
                                f"department/{full}", "department", full, aliases=tuple(al)))
                        put("，加强协同，")
                    put("。")
                    nstart = put("（")
                    leads, sups, coll = [], [], []
                    for k in rnd.sample(range(len(depts)), rnd.choice([0, 1, 1, 1, 2, 2, 3])):
                        full, al = depts[k]
                        s = put(al[rnd.randrange(2)])
                        leads.append(Unit(al[0], s, pos, entity=f"department/{full}", canonical=full))
                        ents[f"department/{full}"] = Entity(f"department/{full}", "department", full, aliases=tuple(al))
                        put("、")
                    put("牵头，" if leads else "")
                    for k in rnd.sample(range(len(depts)), rnd.randrange(1, 8)):
                        full, al = depts[k]
                        s = put(al[0])
                        sups.append(Unit(al[0], s, pos, entity=f"department/{full}", canonical=full))
                        ents[f"department/{full}"] = Entity(f"department/{full}", "department", full, aliases=tuple(al))
                        put("、")
                    if rnd.random() < 0.3:
                        c = colls[rnd.randrange(2)]
                        s = put(c)
                        coll.append(Unit(c, s, pos, collective=True, entity=f"department/{c}", canonical=c))
                        ents[f"department/{c}"] = Entity(f"department/{c}", "department", c, collective=True)
                    put("等按职责分工负责）")
                    text_so_far = "".join(parts)
                    resps.append(Responsibility(
                        doc_id=f"{d:016x}", source=f"synthetic/{d:04d}.txt", section=path, task_no=str(t + 1),
                        task=title, evidence=text_so_far[nstart:pos], start=nstart, end=pos,
                        leads=tuple(leads), supporting=tuple(sups), collective=tuple(coll),
                        role="按职责分工负责"))
                    put("\n")
                sections.append(Section(sub[:3], sub[3:], 1, path, s2, pos))
            sections.append(Section(f"附件{a + 1}", head, 0, top, sstart, pos))
        text = "".join(parts)
        doc = Document(source=f"synthetic/{d:04d}.txt", doc_id=f"{d:016x}", raw=text, text=text,
                       offsets=OffsetMap.identity(),
                       meta=DocMeta(title=f"合成文件{d}实施方案", doc_number=f"湘合发〔{year}〕{d}号",
                                    issuer="合成省第0委员会", date=f"{year}-03-01", kind="实施方案", province="湖南省"))
        out.append(DocResult(document=doc, sections=tuple(sections), mentions=tuple(mentions),
                             responsibilities=tuple(resps), entities=tuple(sorted(ents.values(), key=lambda e: e.key)),
                             unresolved=(f"未解析名称{d % 5}",)))
    return out


def write_nquads(results, path: Path, reference=True) -> int:
    import pyoxigraph as ox

    from kg.graph import document_quads, reference_quads

    n = 0
    with open(path, "wb") as fh:
        for r in results:
            quads = document_quads(r)
            n += len(quads)
            ox.serialize(quads, fh, format=ox.RdfFormat.N_QUADS)
        if reference:
            from kg import reference as ref

            quads = reference_quads(ref.regions(), ref.departments())
            n += len(quads)
            ox.serialize(quads, fh, format=ox.RdfFormat.N_QUADS)
    return n


# ---------------------------------------------------------------- child: one backend

def _rss_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM (reset by exec, unlike ru_maxrss,
    which a child inherits from the parent that started it)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _emit(**kw) -> None:
    print(json.dumps(kw, ensure_ascii=False), flush=True)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def child(backend: str, data: str, queries: list[str], reps: int, do_export: bool) -> None:
    from kg.query import bind, named_queries

    named = named_queries()
    signal.signal(signal.SIGALRM, _alarm)
    _emit(event="start", rss_mb=_rss_mb())
    t = time.perf_counter()
    if backend == "oxigraph":
        from kg.store import GraphStore

        store = GraphStore(None)  # the product's store: named graphs plus their deduplicated union
        store.load(data)

        def q(text):
            return sum(1 for _ in store.query(text))
    else:
        import rdflib

        store = rdflib.Dataset(default_union=True)
        store.parse(data, format="nquads")

        def q(text):
            return len(list(store.query(text)))
    _emit(event="loaded", seconds=time.perf_counter() - t, rss_mb=_rss_mb())
    for spec in queries:
        name, _, var = spec.partition(":")
        text = named[name]
        bindings = {var: _probe_name(name, backend, q)} if var else {}
        text = _prefixed(bind(text, bindings))
        times, rows = [], 0
        try:
            for _ in range(reps):
                t = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, CAP)  # rdflib is pure Python: SIGALRM stops it
                try:
                    rows = q(text)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                times.append(time.perf_counter() - t)
                if sum(times) > CAP / 2:  # slow: fewer repetitions, so the cap bounds the whole query
                    break
        except _Timeout:
            _emit(event="query", name=spec, times=None, timeout=CAP, rss_mb=_rss_mb())
            continue
        _emit(event="query", name=spec, times=times, rows=rows, rss_mb=_rss_mb())
    if do_export:
        out = Path(tempfile.mkdtemp(prefix=f"bench-{backend}-"))
        t = time.perf_counter()
        if backend == "oxigraph":
            import pyoxigraph as ox

            from kg.export import sorted_quads
            from kg.namespace import PREFIXES

            quads = sorted_quads(store)
            ox.serialize(quads, str(out / "kg.trig"), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
            ox.serialize(quads, str(out / "kg.nq"), format=ox.RdfFormat.N_QUADS)
        else:
            store.serialize(str(out / "kg.trig"), format="trig")
            store.serialize(str(out / "kg.nq"), format="nquads")
        _emit(event="export", seconds=time.perf_counter() - t, rss_mb=_rss_mb())
        if backend == "oxigraph":
            from kg.export import write_exports

            t = time.perf_counter()
            write_exports(store, out / "all")
            _emit(event="export_all", seconds=time.perf_counter() - t, rss_mb=_rss_mb())
    _emit(event="done", rss_mb=_rss_mb())


def _prefixed(text: str) -> str:
    from kg.query import _with_prefixes

    return _with_prefixes(text)


_PROBE = {
    "department_leads": "SELECT ?l WHERE { ?r kg:leadUnit ?d . ?d skos:altLabel ?l } ORDER BY ?l LIMIT 1",
    "co_leads": "SELECT ?l WHERE { ?r kg:leadUnit ?d . ?d skos:altLabel ?l } ORDER BY ?l LIMIT 1",
    "programme_leads": "SELECT ?l WHERE { ?p kg:parentProgramme ?x . ?x skos:prefLabel ?l } ORDER BY ?l LIMIT 1",
}


def _probe_name(name: str, backend: str, q) -> str:
    """The name to bind: found once by the parent (first label in order), the same for both backends."""
    return _FIRST.get(name, "")


_FIRST: dict[str, str] = {}


# ---------------------------------------------------------------- parent

def run_backend(backend, data, queries, reps, cap, do_export, probe):
    """Run ``backend`` in subprocesses; a query past ``cap`` seconds kills the child and the
    remaining queries continue in a fresh one. Returns the events."""
    events, todo = [], list(queries)
    env = dict(os.environ, PYTHONPATH=str(ROOT), KG_BENCH_PROBE=json.dumps(probe, ensure_ascii=False))
    first = True
    while first or todo:
        args = [sys.executable, __file__, "--child", backend, "--data", str(data), "--reps", str(reps), "--cap", str(cap),
                "--queries", json.dumps(todo)]
        if do_export and first:
            args.append("--export")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
        deadline = None
        current = None
        killed = False
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([proc.stdout], [], [], wait)
            if not ready:
                proc.kill()
                proc.wait()
                events.append({"event": "query", "name": current, "times": None, "timeout": cap, "backend": backend})
                todo = todo[todo.index(current) + 1:]
                killed = True
                break
            line = proc.stdout.readline()
            if not line:
                break
            ev = json.loads(line)
            ev["backend"] = backend
            events.append(ev)
            if ev["event"] in ("loaded", "query"):
                if ev["event"] == "query":
                    todo = todo[todo.index(ev["name"]) + 1:]
                current = todo[0] if todo else None
                deadline = time.monotonic() + cap * reps + 60 if current else None
        proc.wait()
        first = False
        if not killed:
            break
        if do_export:
            do_export = False
    return events


def summarise(label, n_quads, ox_ev, rdf_ev):
    def get(evs, kind):
        return [e for e in evs if e["event"] == kind]

    print(f"\n=== {label}: {n_quads:,} quads ===")
    lo, lr = get(ox_ev, "loaded")[0]["seconds"], get(rdf_ev, "loaded")
    lr = lr[0]["seconds"] if lr else float("nan")
    print(f"load (N-Quads → store)     oxigraph {lo:8.3f} s   rdflib {lr:8.3f} s   ratio {lr / lo:7.1f}×")
    ratios, oxm, rdm, capped = [], [], [], 0
    rq = {e["name"]: e for e in get(rdf_ev, "query")}
    print(f"{'query':34} {'oxigraph':>10} {'rdflib':>12} {'ratio':>9} {'rows':>7}")
    for e in get(ox_ev, "query"):
        if e.get("times") is None:
            print(f"{e['name']:34} {'>' + format(e['timeout'], '.0f'):>10}   (Oxigraph stopped at the cap)")
            continue
        o = statistics.median(e["times"])
        r = rq.get(e["name"])
        oxm.append(o)
        if r is None or r.get("times") is None:
            cap = r["timeout"] if r else float("nan")
            rdm.append(cap)
            ratios.append(cap / o)
            capped += 1
            print(f"{e['name']:34} {o:10.4f} {'>' + format(cap, '.0f'):>12} {'>' + format(cap / o, '.0f') + '×':>9} {e['rows']:>7}")
            continue
        rr = statistics.median(r["times"])
        rdm.append(rr)
        ratios.append(rr / o)
        flag = "" if r["rows"] == e["rows"] else f"  (rdflib rows {r['rows']})"
        print(f"{e['name']:34} {o:10.4f} {rr:12.4f} {rr / o:8.1f}× {e['rows']:>7}{flag}")
    # rdflib's stopped queries count at the cap, the largest values: its median is then only a lower
    # bound (and so is the ratio) once they reach the middle of the sorted times.
    bound = "≥" if capped and 2 * capped >= len(rdm) else ""
    print(f"median query time           oxigraph {statistics.median(oxm):.4f} s   rdflib "
          f"{bound}{statistics.median(rdm):.4f} s   ratio of medians {bound}{statistics.median(rdm) / statistics.median(oxm):.1f}×   "
          f"median of ratios {statistics.median(ratios):.1f}×")
    if capped:
        print(f"rdflib stopped at the cap on {capped} of {len(rdm)} queries (counted at the cap: lower bounds)")
    ex_o, ex_r = get(ox_ev, "export"), get(rdf_ev, "export")
    if ex_o and ex_r:
        print(f"export TriG+N-Quads          oxigraph {ex_o[0]['seconds']:8.3f} s   rdflib {ex_r[0]['seconds']:8.3f} s   "
              f"ratio {ex_r[0]['seconds'] / ex_o[0]['seconds']:.1f}×")
    ea = get(ox_ev, "export_all")
    if ea:
        print(f"kg.export.write_exports (all six files, oxigraph) {ea[0]['seconds']:.3f} s")
    same_work = ("start", "loaded", "query", "export")  # write_exports runs on Oxigraph only: reported apart
    po = max((e["rss_mb"] for e in ox_ev if e["event"] in same_work and "rss_mb" in e), default=float("nan"))
    pr = max((e["rss_mb"] for e in rdf_ev if e["event"] in same_work and "rss_mb" in e), default=float("nan"))
    base_o = get(ox_ev, "start")[0]["rss_mb"]
    base_r = get(rdf_ev, "start")[0]["rss_mb"] if get(rdf_ev, "start") else float("nan")
    print(f"peak RSS (load, queries, TriG+N-Quads)  oxigraph {po:8.0f} MB   rdflib {pr:8.0f} MB   "
          f"(after imports: {base_o:.0f} / {base_r:.0f} MB)")
    if ea:
        print(f"peak RSS including write_exports (oxigraph) {ea[0]['rss_mb']:.0f} MB")
    return {"label": label, "quads": n_quads, "median_ratio": statistics.median(rdm) / statistics.median(oxm), "bound": bound,
            "peak_ox": po, "peak_rdf": pr}


def probe_names(data: Path) -> dict:
    import pyoxigraph as ox

    from kg.query import _with_prefixes

    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    out = {}
    for name, text in _PROBE.items():
        rows = list(store.query(_with_prefixes(text), use_default_graph_as_union=True))
        out[name] = rows[0]["l"].value if rows else ""
    return out


def machine() -> str:
    """Cores, load average and library versions: what the figures must be read against."""
    import platform

    import pyoxigraph
    import rdflib

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, load average {load} (1/5/15 min); python {platform.python_version()}, "
            f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}")


def bench(label, results_or_path, reps, cap, queries, tmp):
    data = Path(tmp) / f"{label}.nq"
    t = time.perf_counter()
    n = write_nquads(results_or_path, data)
    print(f"[{label}] wrote {n:,} quads ({data.stat().st_size / 1e6:.0f} MB N-Quads) in {time.perf_counter() - t:.1f} s",
          flush=True)
    probe = probe_names(data)
    ox_ev = run_backend("oxigraph", data, queries, reps, cap, True, probe)
    print(f"[{label}] oxigraph done; load average {os.getloadavg()[0]:.2f}", flush=True)
    rdf_ev = run_backend("rdflib", data, queries, max(1, reps // 3) if n > 500_000 else reps, cap, True, probe)
    print(f"[{label}] rdflib done; load average {os.getloadavg()[0]:.2f}", flush=True)
    return summarise(label, n, ox_ev, rdf_ev)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child")
    ap.add_argument("--data")
    ap.add_argument("--queries")
    ap.add_argument("--export", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--cap", type=float, default=120.0, help="seconds per rdflib query before it is stopped")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-sample", action="store_true")
    a = ap.parse_args()
    if a.child:
        _FIRST.update(json.loads(os.environ.get("KG_BENCH_PROBE", "{}")))
        global CAP
        CAP = a.cap
        child(a.child, a.data, json.loads(a.queries), a.reps, a.export)
        return
    from kg.query import named_queries

    print(f"machine: {machine()}; rdflib cap {a.cap:.0f} s per query, {a.reps} repetitions", flush=True)
    queries = sorted(named_queries()) + [f"{n}:{v}" for n, v in BOUND]
    target = 100_000 if a.quick else a.triples
    summary = []
    with tempfile.TemporaryDirectory(prefix="bench-graph-") as tmp:
        if not a.no_sample:
            t = time.perf_counter()
            res = sample_results()
            if res is None:
                print("kg.pipeline not available: using a small synthetic graph as the sample")
                res = synthetic_results(5)
            print(f"[sample] {len(res)} documents processed in {time.perf_counter() - t:.1f} s", flush=True)
            summary.append(bench("sample", res, a.reps, a.cap, queries, tmp))
        per_doc = len(__import__("kg.graph", fromlist=["x"]).document_quads(synthetic_results(1)[0]))
        n_docs = max(1, -(-target // per_doc))
        t = time.perf_counter()
        res = synthetic_results(n_docs)
        print(f"[synthetic] {n_docs} documents generated in {time.perf_counter() - t:.1f} s", flush=True)
        summary.append(bench("synthetic", res, a.reps, a.cap, queries, tmp))
    print(f"\n=== summary === ({machine()})")
    for s in summary:
        print(f"{s['label']:10} {s['quads']:>10,} quads: rdflib/oxigraph median query time {s['bound']}{s['median_ratio']:.1f}×; "
              f"peak RSS oxigraph {s['peak_ox']:.0f} MB vs rdflib {s['peak_rdf']:.0f} MB")


if __name__ == "__main__":
    main()
