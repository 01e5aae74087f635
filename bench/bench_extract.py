"""Extraction and build benchmark (issue 6, item 3). Run as a script:

    python bench/bench_extract.py            # full run: 20x sample, 100 MB synthetic corpus
    python bench/bench_extract.py --quick    # short run: 4x sample, 10 MB synthetic corpus
    python bench/bench_extract.py --profile  # also print the cProfile top costs of kg.pipeline.process

Every figure is measured in this one run; each measured program runs in a fresh subprocess.

1. throughput (chars/s) on the sample corpus replicated 20x (distinct file names):
   - anchor: what a user would write with the same libraries, single process: ``spacy.blank("zh")``
     with the jieba segmenter (gazetteer names added to jieba's dictionary) + an ``EntityRuler`` with a
     phrase pattern for every gazetteer name/alias of ``kg/data`` + a regex for the responsibility notes;
   - kg: ``kg.pipeline.process_many`` with all cores (default), "warm" (extractors loaded before the
     clock starts, workers forked from the loaded process) and "cold" (a fresh program: the workers'
     start-up and model loading are on the clock); the anchor likewise without / with its loading.
   ratio = kg / anchor (target >= 2x, warm).
2. cold ``python -m kg build corpus/hunan --store FRESH`` (wall clock incl. interpreter start; target < 5 s),
   then the same command again (incremental, nothing changed) and the ratio;
3. a synthetic corpus (100 MB; --quick 10 MB) of sample paragraphs, deterministically shuffled into
   files of 100-500 KB, through ``python -m kg build`` (target < 15 min), with the peak RSS of the
   whole process tree (psutil, sampled every 0.2 s, summed over the build and its workers; target < 2 GB);
4. the speed-up of ``process_many`` with two workers over one, cold, on the input of 1.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "hunan"
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

#: The responsibility note as a user would match it: a bracket holding 牵头 or 负责.
NOTE_RX = r"（[^（）]*(?:牵头|负责)[^（）]*）"


# -- the programs under test (run in a fresh interpreter: ``bench_extract.py --_run MODE LIST``) --------
def _cpu() -> float:
    """CPU seconds of this process and its reaped children (pool workers)."""
    import resource

    return sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def run_anchor(paths: list[str]) -> dict:
    t0 = time.perf_counter()
    import jieba
    import spacy

    from kg.data.gazetteer import load_gazetteer

    jieba.setLogLevel(60)
    gaz = load_gazetteer()
    names = [n for n in gaz.names() if len(n) >= 2]
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    for n in names:  # so the names come out as tokens the phrase patterns can match
        jieba.add_word(n, freq=max(2000, 100 * len(n)))
    ruler = nlp.add_pipe("entity_ruler")
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns([{"label": gaz.lookup(n).type, "pattern": n} for n in names])
    note = re.compile(NOTE_RX)
    t1, c1 = time.perf_counter(), _cpu()
    ents = notes = chars = 0
    for p in paths:
        text = Path(p).read_text(encoding="utf-8")
        chars += len(text)
        doc = nlp(text)
        ents += len(doc.ents)
        notes += sum(1 for _ in note.finditer(text))
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "run_s": t2 - t1, "chars": chars, "entities": ents, "notes": notes,
            "patterns": len(names), "run_cpu_s": _cpu() - c1, "cpu_s": _cpu()}


def run_kg(paths: list[str], workers: int | None, warm: bool) -> dict:
    t0 = time.perf_counter()
    from kg import pipeline
    from kg.errors import InputError

    if warm:  # load in this process; forked workers inherit it
        pipeline._extractors()
    t1, c1 = time.perf_counter(), _cpu()
    out = pipeline.process_many(paths, workers=workers)
    t2 = time.perf_counter()
    ok = [r for r in out if not isinstance(r, InputError)]
    return {"load_s": t1 - t0, "run_s": t2 - t1, "chars": sum(len(r.document.raw) for r in ok),
            "errors": len(out) - len(ok), "entities": sum(len(r.mentions) for r in ok),
            "notes": sum(len(r.responsibilities) for r in ok),
            "run_cpu_s": _cpu() - c1, "cpu_s": _cpu()}


def _child(mode: str, list_file: str, workers: int | None) -> None:
    paths = Path(list_file).read_text(encoding="utf-8").split("\n")
    res = run_anchor(paths) if mode == "anchor" else run_kg(paths, workers, warm=mode == "kg-warm")
    print("RESULT " + json.dumps(res))


def measure(mode: str, paths: list[str], tmp: Path, workers: int | None = None) -> dict:
    lst = tmp / f"list-{mode}.txt"
    lst.write_text("\n".join(paths), encoding="utf-8")
    cmd = [sys.executable, __file__, "--_run", mode, str(lst)] + (["--workers", str(workers)] if workers else [])
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=ENV, cwd=ROOT)
    wall = time.perf_counter() - t
    line = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    if proc.returncode or not line:
        raise SystemExit(f"{mode} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    res = json.loads(line[-1][7:])
    res["wall_s"] = wall
    return res


# -- inputs --------------------------------------------------------------------------------------------
def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.txt"))


def replicate(dest: Path, times: int) -> list[str]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(times):
        for f in sample_files():
            p = dest / f"{f.stem}__r{k:02d}{f.suffix}"
            shutil.copyfile(f, p)
            out.append(str(p))
    return out


def synthetic_corpus(dest: Path, total_bytes: int, seed: int = 20240601) -> tuple[int, int]:
    """Files of 100-500 KB made of sample paragraphs, shuffled deterministically. Returns (files, bytes)."""
    paras = []
    for f in sample_files():
        paras += [line for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    written = n = 0
    while written < total_bytes:
        size = rng.randint(100_000, 500_000)
        chunks, cur = [], 0
        while cur < size:
            para = paras[rng.randrange(len(paras))]
            chunks.append(para)
            cur += len(para.encode("utf-8")) + 1
        data = ("\n".join(chunks) + "\n").encode("utf-8")
        (dest / f"syn_{n:05d}.txt").write_bytes(data)
        written += len(data)
        n += 1
    return n, written


# -- running a command with its process tree's peak RSS ------------------------------------------------
def run_tree(cmd: list[str], timeout: float, rss_limit: int = 0) -> dict:
    """Run ``cmd``; sample the RSS of it and its descendants every 0.2 s. Past ``rss_limit`` bytes (summed)
    the whole tree is killed (a guard for shared machines) and ``killed_rss`` is set."""
    import psutil

    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=ROOT)
    peak = {"tree": 0, "single": 0, "procs": 0, "killed": False}
    stop = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total, procs = 0, 0
            try:
                members = [root] + root.children(recursive=True)
            except psutil.Error:
                break
            for m in members:
                try:
                    rss = m.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                procs += 1
                peak["single"] = max(peak["single"], rss)
            peak["tree"] = max(peak["tree"], total)
            peak["procs"] = max(peak["procs"], procs)
            if rss_limit and total > rss_limit:
                peak["killed"] = True
                for m in reversed(members):
                    try:
                        m.kill()
                    except psutil.Error:
                        pass
                break
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    wall = time.perf_counter() - t
    stop.set()
    th.join()
    return {"wall_s": wall, "rc": proc.returncode, "timed_out": timed_out, "stderr": err.decode("utf-8", "replace"),
            "peak_tree_rss": peak["tree"], "peak_single_rss": peak["single"], "max_procs": peak["procs"],
            "killed_rss": peak["killed"]}


def kg_build(inputs: list[str], store: Path, timeout: float, rss_limit: int = 0) -> dict:
    return run_tree([sys.executable, "-m", "kg", "build", *inputs, "--store", str(store)], timeout, rss_limit)


# -- reporting -----------------------------------------------------------------------------------------
FIGURES: dict[str, float | int | str] = {}
VERDICTS: list[tuple[str, str, bool]] = []


def load_note() -> None:
    if hasattr(os, "getloadavg"):
        print("  (load average now: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + ")")


def say(key: str, value, unit: str = "", note: str = "") -> None:
    FIGURES[key] = value
    shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else value
    print(f"  {key:<40} {shown:>14} {unit:<8} {note}", flush=True)


def target(name: str, measured: str, ok: bool) -> None:
    VERDICTS.append((name, measured, ok))


def mb(n: int) -> float:
    return n / (1 << 20)


def profile_process(top: int = 25) -> None:
    import cProfile
    import io
    import pstats

    sys.path.insert(0, str(ROOT))
    from kg.pipeline import Extractors, process

    t = time.perf_counter()
    x = Extractors()
    print(f"\n== profile: Extractors() took {time.perf_counter() - t:.2f} s; process() over the sample ==")
    files = sample_files()
    for f in files:  # warm caches
        process(f, x)
    pr = cProfile.Profile()
    pr.enable()
    for f in files:
        process(f, x)
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(top)
    print(buf.getvalue())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4x sample, 10 MB synthetic corpus")
    ap.add_argument("--replicas", type=int, default=None, help="sample replication (default 20; --quick 4)")
    ap.add_argument("--synthetic-mb", type=float, default=None, help="synthetic corpus size (default 100; --quick 10)")
    ap.add_argument("--skip-synthetic", action="store_true", help="leave out part 3")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds allowed for the synthetic build")
    ap.add_argument("--rss-limit-mb", type=float, default=6144,
                    help="kill the synthetic build when its process tree passes this RSS (0 = no limit)")
    ap.add_argument("--profile", action="store_true", help="print the cProfile top costs of process()")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    ap.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_run", nargs=2, metavar=("MODE", "LIST"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._run:
        sys.path.insert(0, str(ROOT))
        _child(args._run[0], args._run[1], args.workers)
        return 0
    replicas = args.replicas or (4 if args.quick else 20)
    syn_mb = args.synthetic_mb or (10 if args.quick else 100)
    cores = os.cpu_count() or 1
    print(f"bench_extract: {cores} cores, python {sys.version.split()[0]}, replicas {replicas}, "
          f"synthetic {syn_mb:g} MB{' (quick)' if args.quick else ''}")
    if hasattr(os, "getloadavg"):
        print("  load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        # 1 + 4 ---------------------------------------------------------------------------------------
        paths = replicate(tmp / "replicated", replicas)
        chars = sum(len(Path(p).read_text(encoding="utf-8")) for p in paths)
        print(f"\n== 1. extraction throughput: sample x{replicas} = {len(paths)} files, {chars:,} chars ==")
        load_note()
        anchor = measure("anchor", paths, tmp)
        a_warm = anchor["chars"] / anchor["run_s"]
        a_cold = anchor["chars"] / (anchor["load_s"] + anchor["run_s"])
        say("anchor.load_s", anchor["load_s"], "s", f"({anchor['patterns']} phrase patterns)")
        say("anchor.run_s", anchor["run_s"], "s", f"({anchor['entities']} entities, {anchor['notes']} notes)")
        say("anchor.chars_per_s", a_warm, "chars/s", "loading excluded, 1 process")
        say("anchor.chars_per_s_incl_load", a_cold, "chars/s")
        say("anchor.chars_per_cpu_s", anchor["chars"] / anchor["run_cpu_s"], "chars/s", "per CPU second, loading excluded")
        warm = measure("kg-warm", paths, tmp)
        k_warm = warm["chars"] / warm["run_s"]
        say("kg.warm.load_s", warm["load_s"], "s", "(Extractors in the parent; workers fork from it)")
        say("kg.warm.run_s", warm["run_s"], "s", f"({warm['entities']} mentions, {warm['notes']} responsibilities,"
                                                  f" {warm['errors']} errors)")
        say("kg.warm.chars_per_s", k_warm, "chars/s", f"process_many, {cores} workers, loading excluded")
        say("kg.warm.chars_per_cpu_s", warm["chars"] / warm["run_cpu_s"], "chars/s", "per CPU second (all workers)")
        cold = measure("kg-cold", paths, tmp)
        k_cold = cold["chars"] / (cold["load_s"] + cold["run_s"])
        say("kg.cold.run_s", cold["load_s"] + cold["run_s"], "s", "(fresh program; workers start and load)")
        say("kg.cold.chars_per_s", k_cold, "chars/s", f"process_many, {cores} workers, loading included")
        say("kg.cold.cpu_s", cold["cpu_s"], "s", f"(CPU of the program and its workers; anchor: {anchor['cpu_s']:.1f} s)")
        say("ratio.throughput_warm", k_warm / a_warm, "x", "kg / anchor, loading excluded (target >= 2)")
        say("ratio.throughput_cold", k_cold / a_cold, "x", "kg / anchor, loading included")
        say("ratio.per_cpu_second", (warm["chars"] / warm["run_cpu_s"]) / (anchor["chars"] / anchor["run_cpu_s"]), "x",
            "kg / anchor chars per CPU second (independent of other load)")
        say("kg.warm.cores_used", warm["run_cpu_s"] / warm["run_s"], "cores",
            f"CPU-s / wall-s of the warm run ({cores} = every core was ours)")
        target("throughput >= 2x anchor (warm)", f"{k_warm / a_warm:.2f}x", k_warm / a_warm >= 2)

        print(f"\n== 4. speed-up with two workers (process_many, cold, same {len(paths)} files) ==")
        load_note()
        one = measure("kg-cold", paths, tmp, workers=1)
        two = cold if cores == 2 else measure("kg-cold", paths, tmp, workers=2)
        t1, t2 = one["load_s"] + one["run_s"], two["load_s"] + two["run_s"]
        say("workers1.s", t1, "s", f"(CPU {one['cpu_s']:.1f} s)")
        say("workers2.s", t2, "s", f"(CPU {two['cpu_s']:.1f} s)")
        say("ratio.speedup_2_workers", t1 / t2, "x", "(ideal 2.0 on 2 free cores)")

        # 2 -------------------------------------------------------------------------------------------
        print("\n== 2. kg build of the sample (python -m kg build, wall clock incl. interpreter start) ==")
        load_note()
        store = tmp / "store-sample"
        first = kg_build([str(SAMPLE)], store, timeout=600)
        second = kg_build([str(SAMPLE)], store, timeout=600)
        for r in (first, second):
            if r["rc"] != 0:
                print(r["stderr"][-2000:])
        say("build.cold_s", first["wall_s"], "s", "(target < 5 s)")
        say("build.incremental_s", second["wall_s"], "s", "(unchanged corpus)")
        say("ratio.incremental", second["wall_s"] / first["wall_s"], "", "second / first")
        say("build.cold_peak_rss_mb", mb(first["peak_tree_rss"]), "MB", "(process tree)")
        target("cold build of the sample < 5 s", f"{first['wall_s']:.2f} s", first["wall_s"] < 5 and first["rc"] == 0)

        # 3 -------------------------------------------------------------------------------------------
        if not args.skip_synthetic:
            syn = tmp / "synthetic"
            n, nbytes = synthetic_corpus(syn, int(syn_mb * (1 << 20)))
            print(f"\n== 3. synthetic corpus: {n} files, {mb(nbytes):.1f} MB through python -m kg build ==")
            load_note()
            big = kg_build([str(syn)], tmp / "store-synthetic", timeout=args.timeout,
                           rss_limit=int(args.rss_limit_mb * (1 << 20)))
            summary = [l for l in big["stderr"].splitlines() if " read, " in l]
            if big["killed_rss"]:
                print(f"  build KILLED by the bench: process tree passed --rss-limit-mb {args.rss_limit_mb:g} "
                      f"after {big['wall_s']:.0f} s")
            elif big["rc"] != 0 or big["timed_out"]:
                print("  build failed:" + ("" if not big["timed_out"] else " TIMED OUT") + "\n" + big["stderr"][-2000:])
            say("synthetic.files", n)
            say("synthetic.mb", mb(nbytes), "MB")
            say("synthetic.build_s", big["wall_s"], "s", "(target < 900 s for 100 MB)")
            say("synthetic.mb_per_min", mb(nbytes) / big["wall_s"] * 60, "MB/min")
            say("synthetic.peak_tree_rss_mb", mb(big["peak_tree_rss"]), "MB", f"(sum over up to {big['max_procs']} processes;"
                                                                               " target < 2048)")
            say("synthetic.peak_single_rss_mb", mb(big["peak_single_rss"]), "MB", "(largest one process)")
            if summary:
                print("  kg build said: " + summary[-1])
            ok = big["rc"] == 0 and not big["timed_out"] and not big["killed_rss"]
            scale = 100 / syn_mb
            target(f"{syn_mb:g} MB build" + (" (x%.0f extrapolated to 100 MB) < 15 min" % scale if scale != 1 else " < 15 min"),
                   f"{big['wall_s']:.0f} s", ok and big["wall_s"] * scale < 900)
            target(f"peak RSS of the {syn_mb:g} MB build < 2 GB", f"{mb(big['peak_tree_rss']):.0f} MB", ok and big["peak_tree_rss"] < 2 << 30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== targets ==")
    for name, measured, ok in VERDICTS:
        print(f"  [{'PASS' if ok else 'MISS'}] {name:<52} {measured}")
    if args.profile:
        profile_process()
    if args.json:
        args.json.write_text(json.dumps({"figures": FIGURES, "targets": [
            {"target": n, "measured": m, "ok": ok} for n, m, ok in VERDICTS]}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
