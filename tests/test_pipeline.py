"""The composed pipeline: extract records, incremental builds, bad input, parallel and Dask builds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.pipeline import build, discover, process, process_many
from kg.records import records
from kg.store import open_store

SMALL = "003_326f08489f1a9911.txt"  # the smallest sample document with responsibility notes


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory, corpus_dir):
    d = tmp_path_factory.mktemp("corpus")
    shutil.copy(corpus_dir / SMALL, d / SMALL)
    (d / "b.txt").write_text("湖南省人民政府办公厅关于印发《测试工作方案》的通知\n一、重点任务\n"
                             "1. 推进项目建设。加快重大项目开工。（省发展改革委牵头，省财政厅等按职责分工负责）\n",
                             encoding="utf-8")
    return d


def test_discover_skips_unsupported_and_sorts(tmp_path):
    for name in ["b.txt", "a.md", "notes.tsv", ".hidden.txt", "c.html"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [Path(p).name for p in discover([tmp_path])] == ["a.md", "b.txt", "c.html"]


def test_records_spans_are_raw_offsets(corpus_dir):
    result = process(corpus_dir / SMALL)
    raw = result.document.raw
    recs = list(records(result))
    resp = [r for r in recs if r["kind"] == "responsibility"]
    ents = [r for r in recs if r["kind"] == "entity"]
    assert resp and ents
    for r in resp:
        s, e = r["span"]
        assert raw[s:e] == r["evidence"]
        assert "牵头" in r["evidence"] or "负责" in r["evidence"]
    for r in ents:
        s, e = r["span"]
        # a name may have been joined across a page break; the raw span holds it with the break
        assert "".join(raw[s:e].split()) == "".join(r["text"].split())


def test_bad_inputs_fail_alone(tmp_path, corpus_dir):
    shutil.copy(corpus_dir / SMALL, tmp_path / SMALL)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "truncated.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    (tmp_path / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    out = process_many(discover([tmp_path]), workers=1)
    errors = {Path(e.path).name: e for e in out if isinstance(e, InputError)}
    assert set(errors) == {"empty.txt", "binary.txt", "truncated.docx", "truncated.pdf"}
    for name, e in errors.items():
        line = str(e)
        assert "\n" not in line and name in line
    assert sum(1 for r in out if not isinstance(r, InputError)) == 1


def test_cli_extract_bad_input_exit_code(tmp_path, corpus_dir):
    shutil.copy(corpus_dir / SMALL, tmp_path / SMALL)
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "kg", "extract", str(tmp_path), "--workers", "1"],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode != 0
    err_lines = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(err_lines) == 1 and "empty.txt" in err_lines[0]
    kinds = {json.loads(l)["kind"] for l in proc.stdout.splitlines()}
    assert {"document", "responsibility", "entity"} <= kinds


def test_incremental_build(tmp_path, small_corpus):
    store = tmp_path / "store"
    first = build([small_corpus], store, workers=1)
    assert sorted(Path(p).name for p in first.processed) == ["003_326f08489f1a9911.txt", "b.txt"]
    second = build([small_corpus], store, workers=1)
    assert second.processed == [] and len(second.unchanged) == 2
    # change one document, remove nothing: only it is read again
    work = tmp_path / "work"
    shutil.copytree(small_corpus, work)
    with open(work / "b.txt", "a", encoding="utf-8") as fh:
        fh.write("2. 完善工作机制。（省财政厅牵头）\n")
    third = build([work], store, workers=1)
    assert [Path(p).name for p in third.processed] == ["b.txt"]
    assert len(third.removed) == 1  # the old version of b.txt
    # remove a document: its graph is dropped
    (work / "b.txt").unlink()
    fourth = build([work], store, workers=1)
    assert fourth.processed == [] and len(fourth.removed) == 1
    with open_store(store) as gs:
        docs = [g for g in gs.graph_names() if not g.rsplit("/", 1)[-1].startswith("_") and "/_" not in g]
    assert len(docs) == 1


def _quads(store_dir):
    with open_store(store_dir) as gs:
        return sorted(str(q) for q in gs.quads())


@pytest.mark.slow
def test_parallel_and_dask_builds_equal_serial(tmp_path, small_corpus):
    from distributed import LocalCluster

    build([small_corpus], tmp_path / "serial", workers=1)
    build([small_corpus], tmp_path / "pool", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        build([small_corpus], tmp_path / "dask", scheduler=cluster.scheduler_address)
    serial = _quads(tmp_path / "serial")
    assert serial and serial == _quads(tmp_path / "pool") == _quads(tmp_path / "dask")
