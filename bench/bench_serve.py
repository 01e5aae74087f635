"""The SPARQL endpoint under load (a script, not a test).

Starts ``kg serve`` (the same code, ``kg.serve.serve``) in a subprocess on loopback over a
store, then

1. N concurrent clients (threads, keep-alive sessions) send a mix of queries (the named
   queries of ``kg.query`` when present, plus counts and ASKs) for M seconds; it prints
   requests, errors, throughput and p50/p99 latency;
2. hostile queries (a cartesian-product COUNT, an ordered huge CONSTRUCT, a streaming huge
   CONSTRUCT) are sent one after another while the clients keep querying: each must be
   stopped (timeout -> 503, or the result limit -> X-SPARQL-MaxRows) and the clients must
   keep getting answers.

Everything is bounded: client count, duration, and every HTTP call has a timeout; the
server process is always stopped.

    python bench/bench_serve.py                      # synthetic store of 200 documents
    python bench/bench_serve.py --store build/store --clients 16 --seconds 20
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store import GraphStore  # noqa: E402

KG = "https://w3id.org/cnpolicy-kg/def#"
ID = "https://w3id.org/cnpolicy-kg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

NAME = "部7"  # an alias of a synthetic department (only meaningful on the synthetic store)
HOSTILE = {
    "cartesian COUNT": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "huge CONSTRUCT, ordered": "CONSTRUCT { ?a <urn:x:p> ?f } WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "huge CONSTRUCT, streaming": "CONSTRUCT { ?a <urn:x:p> ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
}


def synthetic_graphs(n_docs: int, seed: int = 7) -> dict[str, list[ox.Quad]]:
    """Documents in the shape kg writes: departments lead/support tasks of programmes."""
    rng = random.Random(seed)
    n = ox.NamedNode
    lit = ox.Literal
    graphs = {}
    for d in range(n_docs):
        g = f"https://w3id.org/cnpolicy-kg/graph/syn{d:05d}"
        doc = n(f"{ID}document/syn{d:05d}")
        q = [(doc, n(RDF_TYPE), n(KG + "PolicyDocument")), (doc, n(DCT + "title"), lit(f"合成文件{d}", language="zh")),
             (doc, n(KG + "sourcePath"), lit(f"syn{d:05d}.txt")),
             (doc, n(DCT + "issued"), lit(f"{2020 + d % 6}-01-01", datatype=n("http://www.w3.org/2001/XMLSchema#date")))]
        for t in range(20):
            task, resp = n(f"{ID}task/syn{d}-{t}"), n(f"{ID}resp/syn{d}-{t}")
            prog = n(f"{ID}programme/P{rng.randrange(20)}")
            q += [(prog, n(RDF_TYPE), n(KG + "Programme")), (prog, n(SKOS + "prefLabel"), lit(f"计划{prog.value[-2:]}")),
                  (task, n(RDF_TYPE), n(KG + "Task")), (task, n(DCT + "title"), lit(f"任务{d}-{t}")),
                  (task, n(KG + "taskNumber"), lit(str(t + 1))), (task, n(KG + "partOfProgramme"), prog),
                  (resp, n(RDF_TYPE), n(KG + "Responsibility")), (resp, n(KG + "forTask"), task),
                  (resp, n(KG + "evidenceText"), lit(f"（部门牵头）{d}-{t}")), (resp, n(PROV + "wasQuotedFrom"), doc),
                  (resp, n(KG + "rawStart"), lit(str(100 * t), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
                  (resp, n(KG + "rawEnd"), lit(str(100 * t + 9), datatype=n("http://www.w3.org/2001/XMLSchema#integer")))]
            for role, k in (("leadUnit", 1 + (t % 3 == 0)), ("supportUnit", 2)):
                for _ in range(k):
                    dept = n(f"{ID}department/D{rng.randrange(50)}")
                    q += [(resp, n(KG + role), dept), (dept, n(RDF_TYPE), n(KG + "GovernmentBody")),
                          (dept, n(SKOS + "prefLabel"), lit(f"部门{dept.value.rsplit('D', 1)[1]}")),
                          (dept, n(SKOS + "altLabel"), lit(f"部{dept.value.rsplit('D', 1)[1]}"))]
        graphs[g] = [ox.Quad(s, p, o, n(g)) for s, p, o in q]
    return graphs


PICK_NAME = f"""SELECT ?alias (COUNT(?r) AS ?n) WHERE {{ ?r <{KG}leadUnit> ?d . ?d <{SKOS}altLabel> ?alias }}
GROUP BY ?alias ORDER BY DESC(?n) ?alias LIMIT 1"""


def pick_name(url: str) -> str:
    """The alias of the department that leads most tasks in the served store."""
    r = requests.get(url, params={"query": PICK_NAME}, timeout=60)
    rows = r.json()["results"]["bindings"] if r.ok else []
    return rows[0]["alias"]["value"] if rows else NAME


def queries(name: str = "") -> dict[str, str]:
    mix = {"count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "ask": "ASK { ?s a ?c }",
           "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}
    try:
        from kg.query import _with_prefixes, bind, named_queries
    except ImportError:
        return mix
    for k, v in named_queries().items():
        mix[k] = _with_prefixes(bind(v, {}))  # drops the "#!if name" lines
        if "?name" in v:  # the headline use: one department / programme by one of its names
            mix[f"{k}(name=…)"] = _with_prefixes(bind(v, {"name": name or NAME}))
    return mix


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, timeout: float, workers: int, max_results: int) -> subprocess.Popen:
    code = ("import sys; from kg.serve import serve; "
            f"serve({str(store)!r}, '127.0.0.1', {port}, timeout={timeout}, workers={workers}, "
            f"max_results={max_results}, quiet=True)")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("kg serve did not start")


class Load:
    """N client threads sending the query mix until stopped; per-request latency and status."""

    def __init__(self, url: str, mix: dict[str, str], clients: int):
        self.url, self.mix, self.stop = url, list(mix.items()), threading.Event()
        self.lat: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]

    def client(self, i: int) -> None:
        s = requests.Session()
        k = i
        while not self.stop.is_set():
            name, q = self.mix[k % len(self.mix)]
            k += 1
            t0 = time.perf_counter()
            try:
                r = s.post(self.url, data={"query": q}, timeout=30)
                ok = r.status_code == 200
                err = None if ok else f"{name}: HTTP {r.status_code} {r.text[:100]!r}"
            except requests.RequestException as exc:
                err = f"{name}: {exc}"
            dt = time.perf_counter() - t0
            with self.lock:
                self.lat.append(dt) if err is None else self.errors.append(err)

    def run(self, seconds: float) -> tuple[list[float], list[str]]:
        with self.lock:
            self.lat, self.errors = [], []
        for t in self.threads:
            if not t.is_alive():
                t.start()
        time.sleep(seconds)
        with self.lock:
            return list(self.lat), list(self.errors)

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(35)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def report(title: str, lat: list[float], errors: list[str], seconds: float) -> None:
    print(f"{title}: {len(lat) + len(errors)} requests in {seconds:g} s, errors {len(errors)}, "
          f"throughput {len(lat) / seconds:.1f} req/s, latency p50 {1000 * pct(lat, 50):.1f} ms, "
          f"p99 {1000 * pct(lat, 99):.1f} ms, max {1000 * max(lat, default=0):.1f} ms")
    for e in sorted(set(errors))[:5]:
        print("   error:", e)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="existing store (default: a synthetic one)")
    ap.add_argument("--docs", type=int, default=200, help="synthetic documents (default 200)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=5.0, help="kg serve --timeout")
    ap.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    ap.add_argument("--max-results", type=int, default=10000)
    a = ap.parse_args()
    a.clients, a.seconds = max(1, min(a.clients, 64)), max(1.0, min(a.seconds, 300.0))

    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as tmp:
        store = a.store
        if store is None:
            store = Path(tmp) / "store"
            t0 = time.perf_counter()
            with GraphStore(store) as w:
                w.replace(synthetic_graphs(a.docs))
                n = len(w)
            print(f"synthetic store: {a.docs} documents, {n} quads, built in {time.perf_counter() - t0:.2f} s")
        port = free_port()
        proc = start_server(store, port, a.timeout, a.workers, a.max_results)
        url = f"http://127.0.0.1:{port}/sparql"
        mix, slow, light = {}, [], {}
        alias = pick_name(url)
        print(f"  ?name bound to the alias of the department leading most tasks ({len(alias)} characters)")
        for name, q in queries(alias).items():  # warm-up: each query alone, once
            t0 = time.perf_counter()
            r = requests.post(url, data={"query": q}, timeout=a.timeout + 60)
            dt = time.perf_counter() - t0
            print(f"  alone: {name:28s} HTTP {r.status_code} {1000 * dt:8.1f} ms {len(r.content):8d} bytes")
            (mix.__setitem__(name, q) if r.status_code == 200 and dt < a.timeout / 4 else slow.append(name))
            if r.status_code == 200 and dt < 0.05:
                light[name] = q
        if slow:
            print(f"  left out of the load mix (alone slower than --timeout/4 = {a.timeout / 4:g} s): {', '.join(slow)}")
        print(f"kg serve on {url}: --workers {a.workers} --timeout {a.timeout:g} --max-results {a.max_results}; "
              f"{len(mix)} queries in the mix; {a.clients} clients; {os.cpu_count()} CPUs")
        load = Load(url, mix, a.clients)
        try:
            ok = True
            if light:  # server overhead: only queries that answer alone in < 50 ms
                quick = Load(url, light, a.clients)
                try:
                    lat_l, err_l = quick.run(min(a.seconds, 5.0))
                finally:
                    quick.close()
                report(f"load (light mix: {len(light)} queries < 50 ms alone)", lat_l, err_l, min(a.seconds, 5.0))
                ok = not err_l
            lat, errors = load.run(a.seconds)
            report("load (query mix)", lat, errors, a.seconds)
            ok = ok and not errors
            t_phase = time.perf_counter()
            hostile_ok = True
            load.lat, load.errors = [], []
            for name, q in HOSTILE.items():
                t0 = time.perf_counter()
                r = requests.post(url, data={"query": q}, timeout=a.timeout + 60)
                dt = time.perf_counter() - t0
                cut = r.headers.get("X-SPARQL-MaxRows")
                stopped = r.status_code == 503 and "timed out" in r.text or (r.status_code == 200 and cut)
                hostile_ok &= bool(stopped)
                how = f"cut at {cut} results" if cut else r.text.strip()[:80]
                print(f"hostile {name}: HTTP {r.status_code} after {dt:.2f} s ({how})")
            with load.lock:
                lat2, err2 = list(load.lat), list(load.errors)
            report("load during hostile queries", lat2, err2, time.perf_counter() - t_phase)
            r = requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
            print(f"after: ASK answered HTTP {r.status_code} {r.text.strip()}")
            ok = ok and hostile_ok and not err2 and r.status_code == 200
        finally:
            load.close()
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        print("RESULT:", "ok" if ok else "FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
