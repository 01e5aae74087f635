"""Bad inputs (issue 6, item 4): each gets one clear line naming the file and the cause; the rest builds.

The corpus is generated into ``tmp_path`` by ``tests/data/robustness/make_bad_inputs.py`` (see the
README there): empty, whitespace, binary, random bytes, truncated DOCX/PDF, text named .docx, invalid
UTF-8, NUL bytes are BAD; GBK, GB18030, UTF-16 LE/BE with and without BOM, hostile HTML (100k nested
divs, scripts), a document without structure and a duplicate under a second name are GOOD.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.pipeline import build, discover, process_many
from kg.store import open_store

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("kg_robustness_inputs", HERE / "data" / "robustness" / "make_bad_inputs.py")
mbi = sys.modules.setdefault("kg_robustness_inputs", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(mbi)

BAD = [c for c in mbi.CASES if not c.good]
GOOD = [c for c in mbi.CASES if c.good]
WITH_NOTE = [c for c in GOOD if c.expect]
ENV = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
GRAPH_PREFIX = "https://w3id.org/cnpolicy-kg/graph/"


def _kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, encoding="utf-8",
                          env=env or ENV, cwd=HERE.parent, timeout=300)


def _doc_graphs(store_dir) -> dict[str, list[str]]:
    """Document graph IRI → its quads as sorted N-Quads lines."""
    out: dict[str, list[str]] = {}
    with open_store(store_dir) as gs:
        for q in gs.quads():
            g = getattr(q.graph_name, "value", "")
            if g.startswith(GRAPH_PREFIX) and not g[len(GRAPH_PREFIX):].startswith("_"):
                out.setdefault(g, []).append(str(q))
    return {g: sorted(v) for g, v in out.items()}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    mbi.make_bad_inputs(d)
    return d


@pytest.fixture(scope="module")
def outcomes(bad_dir) -> dict[str, object]:
    files = discover([bad_dir])
    return {Path(p).name: r for p, r in zip(files, process_many(files, workers=1))}


def test_generator_is_deterministic(tmp_path, bad_dir):
    mbi.make_bad_inputs(tmp_path)
    for c in mbi.CASES:
        assert (tmp_path / c.name).read_bytes() == (bad_dir / c.name).read_bytes(), c.name


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_input_gets_one_clear_line(outcomes, bad_dir, case):
    r = outcomes[case.name]
    assert isinstance(r, InputError), f"{case.name} ({case.what}) was accepted"
    line = str(r)
    assert "\n" not in line and line.startswith(str(bad_dir / case.name) + ": ")
    assert any(w in r.cause.lower() for w in case.expect), f"{case.name}: cause {r.cause!r} does not say {case.expect}"
    assert len(line) < 300


@pytest.mark.parametrize("case", GOOD, ids=[c.name for c in GOOD])
def test_good_input_decodes_and_extracts(outcomes, case):
    r = outcomes[case.name]
    assert not isinstance(r, InputError), f"{case.name} ({case.what}) refused: {r}"
    text = r.document.text
    assert "\ufffd" not in text and "\x00" not in text
    leads = [u.text for resp in r.responsibilities for u in resp.leads]
    if case.expect:
        assert "重点任务" in text and list(case.expect) == leads, (case.name, leads)
        support = [u.text for resp in r.responsibilities for u in resp.supporting]
        assert support == ["省财政厅"]
    else:
        assert leads == []


def test_hostile_html_drops_scripts_and_survives_nesting(outcomes):
    r = outcomes["good_hostile.html"]
    text = r.document.text
    assert "省教育厅" not in text and "while(true)" not in text and "color:red" not in text
    assert "javascript" not in text and "<div>" not in text
    assert r.document.meta.format == "html"


@pytest.mark.parametrize("name,encoding", [("good_gbk.txt", "gb"), ("good_gb18030.txt", "gb18030"),
                                           ("good_utf16le_bom.txt", "utf-16-le"), ("good_utf16be_bom.txt", "utf-16-be"),
                                           ("good_utf16le_nobom.txt", "utf-16-le"),
                                           ("good_utf16be_nobom.txt", "utf-16-be")])
def test_encoding_detected(outcomes, name, encoding):
    r = outcomes[name]
    assert not isinstance(r, InputError), str(r)
    assert r.document.meta.encoding.startswith(encoding)
    if name == "good_gb18030.txt":
        assert "𠮷" in r.document.raw


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_bom_less_utf16_of_pure_chinese(tmp_path, encoding):
    """A short note with no ASCII at all: the only NUL bytes come from newlines and from characters like
    一 (U+4E00) whose low byte is 0, so NUL positions alone do not tell the byte order."""
    text = "一、重点任务\n（一）推进统一大市场建设。（省发展改革委牵头，省市场监管局配合）\n"
    p = tmp_path / "note.txt"
    p.write_bytes(text.encode(encoding))
    (r,) = process_many([str(p)], workers=1)
    assert not isinstance(r, InputError), str(r)
    assert r.document.raw == text and r.document.meta.encoding == encoding


def test_build_stores_the_good_and_reports_the_bad(tmp_path, bad_dir):
    report = build([bad_dir], tmp_path / "store", workers=1)
    assert sorted(Path(e.path).name for e in report.errors) == sorted(c.name for c in BAD)
    assert [(Path(a).name, Path(b).name) for a, b in report.duplicates] == [("dup_b.txt", "dup_a.txt")]
    stored = {Path(p).name for p in report.processed}
    assert stored == {c.name for c in GOOD} - {"dup_b.txt"}
    graphs = _doc_graphs(tmp_path / "store")
    assert len(graphs) == len(stored)  # the duplicate is stored once
    with open_store(tmp_path / "store") as gs:
        leads = gs.query(
            "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o . FILTER(CONTAINS(STR(?o), '省发展改革委牵头')) } }")
        n = int(next(iter(leads))["n"].value)
    assert n == len([c for c in WITH_NOTE if c.name != "dup_b.txt"])


def test_bad_inputs_do_not_lose_stored_graphs(tmp_path, bad_dir):
    work = tmp_path / "work"
    work.mkdir()
    goods = [c.name for c in GOOD if c.name.startswith("good_utf")]
    for name in goods:
        (work / name).write_bytes((bad_dir / name).read_bytes())
    store = tmp_path / "store"
    first = build([work], store, workers=1)
    assert not first.errors and len(first.processed) == len(goods)
    before = _doc_graphs(store)
    for c in BAD:  # now the corpus also holds every bad file
        (work / c.name).write_bytes((bad_dir / c.name).read_bytes())
    second = build([work], store, workers=1)
    assert len(second.errors) == len(BAD) and second.processed == [] and second.removed == []
    assert _doc_graphs(store) == before


def test_same_bytes_as_a_failing_file_still_build(tmp_path):
    """Duplicates are found by content hash, but the suffix decides the format: the bytes of a good .txt
    also saved as .docx (refused) must not keep the .txt out of the store."""
    data = mbi.notice("推进同字节任务").encode("utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_copy.docx").write_bytes(data)
    (tmp_path / "in" / "b_notice.txt").write_bytes(data)
    report = build([tmp_path / "in"], tmp_path / "store", workers=1)
    assert [Path(e.path).name for e in report.errors] == ["a_copy.docx"]
    assert [Path(p).name for p in report.processed] == ["b_notice.txt"]
    assert len(_doc_graphs(tmp_path / "store")) == 1


def test_cli_extract_one_line_per_bad_file(bad_dir):
    proc = _kg("extract", str(bad_dir), "--workers", "1")
    assert proc.returncode != 0
    err = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert len(err) == len(BAD)
    for c in BAD:
        assert sum(1 for l in err if str(bad_dir / c.name) + ":" in l) == 1, c.name
    recs = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    docs = {Path(r["source"]).name for r in recs if r["kind"] == "document"}
    assert docs == {c.name for c in GOOD}
    resp = {Path(r["source"]).name for r in recs if r["kind"] == "responsibility"}
    assert resp == {c.name for c in WITH_NOTE}


def test_cli_build_reports_bad_and_duplicate(tmp_path, bad_dir):
    proc = _kg("build", str(bad_dir), "--store", str(tmp_path / "store"), "--workers", "1")
    assert proc.returncode != 0
    err = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert sorted(Path(l.split(": ", 2)[1]).name for l in err) == sorted(c.name for c in BAD)
    notes = [l for l in proc.stderr.splitlines() if l.startswith("note:")]
    assert len(notes) == 1 and "dup_b.txt" in notes[0] and "dup_a.txt" in notes[0]
    assert len(_doc_graphs(tmp_path / "store")) == len(GOOD) - 1


# -- the 50 MB file: kg.ingest accepts up to 64 MB (KG_MAX_INPUT_BYTES), so it must build (~50 s here) -----
def test_size_limit_gives_a_clear_error(tmp_path, monkeypatch):
    """Above the limit the file is refused before it is read (a sparse 50 MB file: no disk, no time)."""
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 << 20)
    (tmp_path / "ok.txt").write_text(mbi.notice("推进限额任务"), encoding="utf-8")
    monkeypatch.setenv("KG_MAX_INPUT_BYTES", str(32 << 20))
    out = dict(zip(["huge.txt", "ok.txt"], process_many([str(big), str(tmp_path / "ok.txt")], workers=1)))
    assert isinstance(out["huge.txt"], InputError)
    assert "too large" in out["huge.txt"].cause and "KG_MAX_INPUT_BYTES" in out["huge.txt"].cause
    assert not isinstance(out["ok.txt"], InputError)


@pytest.mark.slow
def test_fifty_megabyte_file_builds(tmp_path):
    d = tmp_path / "big"
    d.mkdir()
    size = mbi.make_big_file(d / "big.txt", 50 << 20)
    assert size >= 50 << 20
    t = time.perf_counter()
    report = build([d], tmp_path / "store", workers=1)
    elapsed = time.perf_counter() - t
    assert not report.errors, [str(e) for e in report.errors]
    (r,) = report.results
    assert [u.text for x in r.responsibilities for u in x.leads] == ["省发展改革委"]
    assert len(r.document.raw) > 16_000_000
    assert elapsed < 240, f"50 MB took {elapsed:.0f} s"
