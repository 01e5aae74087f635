"""The offline HTML network explorer (kg.visualise, kg viz): unit tests and real-browser tests."""
from __future__ import annotations

import copy
import html
import json
import math
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from kg import visualise
from kg.visualise import (build_payload, find_node, layout, node_attrs, radial_layout, render_html, script_json,
                          synthetic_graph)

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = (
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "</script><script>window.__pwned=1</script>",
    "<!--<script>window.__pwned=1</script>",
    "\u2028\u2029&amp;<svg onload=window.__pwned=1>",
)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def sample(data_dir) -> nx.MultiDiGraph:
    """A hand-made explorer graph in the netview contract shape (tests/data/viz/README.md)."""
    raw = json.loads((data_dir / "viz" / "sample_graph.json").read_text(encoding="utf-8"))
    return nx.node_link_graph(raw, edges="links")


def hostile_graph(payload: str) -> nx.MultiDiGraph:
    """Every text field a document can reach carries ``payload``."""
    G = nx.MultiDiGraph()
    ev = {"text": "（" + payload + "牵头）", "document": "文件" + payload, "section": "一、" + payload,
          "task": "任务" + payload, "role": "leads"}
    G.add_node("d", **node_attrs("department", "部门" + payload, aliases=[payload], documents=["文件" + payload],
                                 years=[2025], n_led=1, evidence=[ev]))
    G.add_node("t", **node_attrs("task", "任务" + payload, documents=["文件" + payload], years=[2025], evidence=[ev]))
    G.add_node("doc", **node_attrs("document", "文件" + payload, documents=["文件" + payload], years=[2025]))
    G.add_edge("d", "t", relation="leads", label="牵头 " + payload, evidence=[ev])
    G.add_edge("t", "doc", relation="in_document", label="出自 in document", evidence=[])
    return G


class _Refs(HTMLParser):
    """Collect tags and every attribute that can load something."""

    def __init__(self):
        super().__init__()
        self.tags, self.refs, self.metas = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "action", "srcset", "data", "poster", "background", "formaction"):
                self.refs.append((tag, k, v))
        if tag == "meta":
            self.metas.append(dict(attrs))


def _data_block(page: str):
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "data block missing"
    return json.loads(m.group(1))


# ----------------------------------------------------------------------------- unit tests
def test_page_is_self_contained(sample):
    page = render_html(sample, title="样例")
    p = _Refs()
    p.feed(page)
    assert p.refs == []  # no src/href at all: scripts and styles are inline
    assert "link" not in p.tags and "iframe" not in p.tags
    assert {"charset": "utf-8"} in p.metas
    assert p.tags.count("script") == 3  # data, vis-network, explorer
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert "bootstrap" not in page.lower() and "cdnjs" not in page and "jsdelivr" not in page
    csp = next(m["content"] for m in p.metas if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp  # nothing may be fetched, even if injected


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_data_not_markup(payload):
    G = hostile_graph(payload)
    page = render_html(G, title="t" + payload)
    body = page.split('id="kg-data">', 1)[1]
    assert payload not in page
    p = _Refs()
    p.feed(page)
    assert p.tags.count("script") == 3 and "img" not in p.tags and "svg" not in p.tags
    assert "<title>" + html.escape("t" + payload) + "</title>" in page
    data = _data_block(page)
    assert payload in data["meta"][0]["name"] and payload in data["meta"][0]["aliases"]
    assert payload in data["evidence"][data["meta"][0]["evidence"][0]][1]
    assert data["title"] == "t" + payload
    assert "\u2028" not in body and "\u2029" not in body


@pytest.mark.parametrize("obj, expected", [
    ("<", '"\\u003c"'), (">", '"\\u003e"'), ("&", '"\\u0026"'), ("\u2028", '"\\u2028"'), ("\u2029", '"\\u2029"'),
    ({"b": 1, "a": "</script>"}, '{"a":"\\u003c/script\\u003e","b":1}'), ("省发改委", '"省发改委"'),
])
def test_script_json_escapes(obj, expected):
    assert script_json(obj) == expected
    assert json.loads(script_json(obj)) == obj


def test_deterministic_whatever_the_insertion_order(sample):
    reordered = nx.MultiDiGraph()
    for n in reversed(list(sample.nodes)):
        reordered.add_node(n, **copy.deepcopy(sample.nodes[n]))
    for u, v, d in reversed(list(sample.edges(data=True))):
        reordered.add_edge(u, v, **copy.deepcopy(d))
    a = render_html(sample, title="x")
    assert render_html(sample, title="x") == a
    assert render_html(reordered, title="x") == a


def test_deterministic_across_processes(root):
    """Same graph, different PYTHONHASHSEED: byte-identical page (sets never leak their order)."""
    import hashlib
    import os
    import subprocess
    import sys

    code = ("import hashlib; from kg.visualise import render_html, synthetic_graph; "
            "print(hashlib.sha256(render_html(synthetic_graph(1200, seed=5)).encode()).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(root))
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=root)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("n", [3, 40, 400, 1200])
def test_layout_places_every_node_once(n):
    G = synthetic_graph(n, seed=n)
    G.add_node("isolated-a", **node_attrs("region", "孤立地区"))
    G.add_edge("pair-1", "pair-2", relation="mentions", label="提及 mentions", evidence=[])
    pos = layout(G)
    assert set(pos) == set(G.nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len({(round(x), round(y)) for x, y in pos.values()}) >= 0.95 * len(pos)
    assert layout(G) == pos


def test_payload_reads_the_picture(sample):
    data = build_payload(sample)
    assert len(data["nodes"]) == sample.number_of_nodes() and len(data["edges"]) == sample.number_of_edges()
    assert all(e["label"] for e in data["edges"])  # every edge labelled with its relation
    style = data["edgeStyles"]
    assert set(style) == {"leads", "supports", "part_of", "located_in", "mentions", "in_document"}
    assert style["leads"]["color"] != style["supports"]["color"]
    assert style["supports"]["dashes"] and not style["leads"]["dashes"] and style["leads"]["width"] > style["supports"]["width"]
    assert len({(s["color"], str(s["dashes"])) for s in style.values()}) == len(style)
    ev = data["evidence"]  # each sentence stored once, referenced by index
    assert len(ev) == len({tuple(r) for r in ev}) and all(len(r) == 5 for r in ev)
    assert all(0 <= k < len(ev) for e in data["edges"] for k in e["ev"])
    groups = data["options"]["groups"]
    assert len({g["shape"] for g in groups.values()}) == len(groups)  # one shape per type
    assert len({g["color"]["background"] for g in groups.values()}) == len(groups)
    assert data["options"]["physics"] == {"enabled": False}
    assert all("x" in v and "y" in v for v in data["nodes"])
    size = {m["name"]: v["size"] for v, m in zip(data["nodes"], data["meta"])}
    assert size["湖南省发展和改革委员会"] > size["各市州人民政府"]  # size follows tasks led
    tip = next(v["title"] for v, m in zip(data["nodes"], data["meta"]) if m["name"] == "湖南省发展和改革委员会")
    assert "省发改委" in tip and "department" in tip and "（示例）" in tip  # aliases, type, documents
    assert [t["type"] for t in data["types"]][:2] == ["department", "programme"]


@pytest.mark.parametrize("name, label", [
    ("省发改委", "湖南省发展和改革委员会"), (" 省发展改革委 ", "湖南省发展和改革委员会"), ("集群工程", "先进制造业集群培育工程"),
    ("湘江科创走廊", "湘江科创走廊"), ("不存在", None),
])
def test_find_node_by_label_or_alias(sample, name, label):
    v = find_node(sample, name)
    assert (None if v is None else sample.nodes[v]["label"]) == label


def test_focus_view_is_radial_around_the_focus(sample):
    root = find_node(sample, "省发改委")
    pos = radial_layout(sample, root)
    assert set(pos) == set(sample.nodes) and pos[root] == (0.0, 0.0)
    hops = nx.single_source_shortest_path_length(sample.to_undirected(), root)
    radius = {v: math.hypot(*pos[v]) for v in pos}
    for v, h in hops.items():  # every ring lies outside the rings nearer the focus
        assert all(radius[v] > radius[w] for w, g in hops.items() if g < h)
    data = build_payload(sample, focus="省发改委")
    assert data["meta"][data["focus"]]["name"] == "湖南省发展和改革委员会"
    assert (data["nodes"][data["focus"]]["x"], data["nodes"][data["focus"]]["y"]) == (0.0, 0.0)
    assert build_payload(sample)["focus"] is None


def test_written_as_utf8_with_lf(tmp_path, sample):
    out = tmp_path / "g.html"
    text = render_html(sample, out)
    raw = out.read_bytes()
    assert raw.decode("utf-8") == text and b"\r\n" not in raw
    assert "湖南省发展和改革委员会".encode("utf-8") in raw


def test_build_time_grows_linearly():
    graphs = {n: synthetic_graph(n, seed=1) for n in (2000, 8000)}
    times = {}
    for n, G in graphs.items():
        best = math.inf
        for _ in range(2):
            t = time.perf_counter()
            render_html(G)
            best = min(best, time.perf_counter() - t)
        times[n] = best
    ratio = times[8000] / times[2000]
    assert ratio < 7.0, f"4x the nodes took {ratio:.1f}x the time ({times}); quadratic would be ~16x"


# ----------------------------------------------------------------------------- CLI
def test_viz_help_and_errors(tmp_path):
    from click.testing import CliRunner

    from kg.cli.viz import viz

    r = CliRunner().invoke(viz, ["--help"])
    assert r.exit_code == 0 and "--focus" in r.output and "--programme" in r.output and "--document" in r.output
    r = CliRunner().invoke(viz, ["--store", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html")])
    assert r.exit_code != 0 and "kg build" in r.output
    r = CliRunner().invoke(viz, ["--store", str(tmp_path), "-o", str(tmp_path / "x.html"), "--focus", "a", "--document", "b"])
    assert r.exit_code != 0 and "at most one" in r.output


@pytest.mark.slow
def test_viz_on_a_built_store(tmp_path, corpus_dir):
    pytest.importorskip("kg.netview", reason="kg.netview (explorer_graph) has not landed yet")
    from click.testing import CliRunner

    from kg.cli.viz import viz
    from kg.netview import explorer_graph
    from kg.pipeline import build
    from kg.store import open_store

    store = tmp_path / "store"
    build([str(corpus_dir)], store)
    with open_store(store, read_only=True) as s:
        G = explorer_graph(s)
    out = tmp_path / "all.html"
    r = CliRunner().invoke(viz, ["--store", str(store), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(_data_block(out.read_text(encoding="utf-8"))["nodes"]) == G.number_of_nodes() > 0
    out = tmp_path / "focus.html"
    r = CliRunner().invoke(viz, ["--store", str(store), "-o", str(out), "--focus", "省发改委"])
    assert r.exit_code == 0, r.output
    data = _data_block(out.read_text(encoding="utf-8"))
    centre = data["meta"][data["focus"]]
    assert centre["type"] == "department" and "省发改委" in centre["aliases"] and centre["n_led"] > 0
    led = [e for e in data["edges"] if e["from"] == data["focus"] and e["rel"] == "leads"]
    assert led and all(e["ev"] for e in led)  # every lead can be clicked through to its sentence
    r = CliRunner().invoke(viz, ["--store", str(store), "-o", str(out), "--focus", "没有这个部门"])
    assert r.exit_code != 0 and "没有这个部门" in r.output


# ----------------------------------------------------------------------------- real browser
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: run .ci/install-browser.sh (Debian chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM),
                              args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


class Opened:
    def __init__(self, page, external, dialogs, errors):
        self.page, self.external, self.dialogs, self.errors = page, external, dialogs, errors


@pytest.fixture
def open_page(browser, tmp_path):
    """Open a rendered graph offline; record every request that tried to leave the file."""
    contexts = []

    def _open(G, title="kg") -> Opened:
        path = tmp_path / f"g{len(contexts)}.html"
        render_html(G, path, title=title)
        # bypass the page's own CSP so that every request it tries reaches the route and is recorded
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
        contexts.append(ctx)
        external, dialogs, errors = [], [], []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "about:")):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        ctx.set_offline(True)
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: external.append(r.url) if not r.url.startswith("file:") else None)
        page.goto(path.as_uri())
        page.wait_for_function("window.kg && window.kg.ready === true", timeout=30000)
        return Opened(page, external, dialogs, errors)

    yield _open
    for c in contexts:
        c.close()


def _click_node(page, name: str) -> None:
    """A real mouse click on the node whose canonical name is ``name``."""
    xy = page.evaluate("""name => {
        const i = kg.data.meta.findIndex(m => m.name === name);
        const p = kg.network.canvasToDOM(kg.network.getPositions([i])[i]);
        const r = document.getElementById('kg-network').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", name)
    page.mouse.click(xy[0], xy[1])


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("n", [0, 3000])
def test_loads_offline_with_every_node(open_page, sample, n):
    G = sample if n == 0 else synthetic_graph(n, seed=3)
    o = open_page(G)
    assert o.page.evaluate("kg.nodes.length") == G.number_of_nodes()
    assert o.page.evaluate("kg.edges.length") == G.number_of_edges()
    assert o.page.evaluate("Object.keys(kg.network.body.nodes).length") >= G.number_of_nodes()
    assert o.external == [] and o.errors == [] and o.dialogs == []
    o.page.mouse.move(400, 400)
    o.page.mouse.down()
    o.page.mouse.move(600, 500, steps=5)  # pan
    o.page.mouse.up()
    assert o.page.evaluate("kg.network.getViewPosition().x") != 0 or n == 0


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("query", ["省发改委", "省发展改革委", "湖南省发展和改革委员会", "  省发改委 "])
def test_search_accepts_aliases(open_page, sample, query):
    o = open_page(sample)
    o.page.fill("#kg-search", query)
    o.page.press("#kg-search", "Enter")
    sel = o.page.evaluate("kg.network.getSelectedNodes().map(i => kg.data.meta[i].name)")
    assert sel == ["湖南省发展和改革委员会"]
    assert o.page.text_content("#kg-panel h2") == "湖南省发展和改革委员会"
    assert o.errors == [] and o.external == []


@pytest.mark.slow
@pytest.mark.browser
def test_clicking_a_department_shows_its_evidence(open_page, sample):
    o = open_page(sample)
    _click_node(o.page, "湖南省发展和改革委员会")
    panel = o.page.inner_text("#kg-panel")
    node = next(d for _, d in sample.nodes(data=True) if d["label"] == "湖南省发展和改革委员会")
    for ev in node["evidence"]:
        assert ev["text"] in panel and ev["document"] in panel
    roles = o.page.eval_on_selector_all("#kg-panel section.kg-evidence", "s => s.map(x => x.dataset.role)")
    assert roles == ["leads", "supports"]
    # click through to the sentence that says it leads the programme
    o.page.get_by_role("button", name=re.compile("牵头 leads → 先进制造业集群培育工程")).click()
    assert "（省发展改革委牵头，" in o.page.inner_text("#kg-panel")
    assert o.page.evaluate("kg.network.getSelectedEdges().length") == 1
    assert o.errors == [] and o.external == []


@pytest.mark.slow
@pytest.mark.browser
def test_hover_shows_names_type_and_documents(open_page, sample):
    o = open_page(sample)
    xy = o.page.evaluate("""name => {
        const i = kg.data.meta.findIndex(m => m.name === name);
        const p = kg.network.canvasToDOM(kg.network.getPositions([i])[i]);
        const r = document.getElementById('kg-network').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", "湖南省发展和改革委员会")
    o.page.mouse.move(xy[0] - 3, xy[1] - 3)
    o.page.mouse.move(xy[0], xy[1])
    o.page.wait_for_selector("div.vis-tooltip", state="visible")
    tip = o.page.inner_text("div.vis-tooltip")
    node = next(d for _, d in sample.nodes(data=True) if d["label"] == "湖南省发展和改革委员会")
    for text in [node["label"], "department", *node["aliases"], *node["documents"]]:
        assert text in tip
    tags = o.page.evaluate("[...document.querySelector('div.vis-tooltip').children].map(c => c.tagName)")
    assert set(tags) <= {"BR"}  # plain text set with innerText: line breaks only, no markup


@pytest.mark.slow
@pytest.mark.browser
def test_focus_view_opens_on_its_department(browser, tmp_path, sample):
    path = tmp_path / "focus.html"
    render_html(sample, path, focus="省发改委")
    ctx = browser.new_context(bypass_csp=True)
    ctx.set_offline(True)
    page = ctx.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("window.kg && window.kg.ready === true")
    assert page.text_content("#kg-panel h2") == "湖南省发展和改革委员会"
    assert page.evaluate("kg.network.getSelectedNodes().map(i => kg.data.meta[i].name)") == ["湖南省发展和改革委员会"]
    ctx.close()


@pytest.mark.slow
@pytest.mark.browser
def test_filters_by_type_document_and_year(open_page, sample):
    o = open_page(sample)
    o.page.uncheck("#kg-legend input[data-type=task]")
    assert o.page.evaluate("kg.nodes.get({filter: n => !n.hidden}).length") == sample.number_of_nodes() - 3
    o.page.check("#kg-legend input[data-type=task]")
    o.page.select_option("#kg-year", "2025")
    want = sum(2025 in d["years"] for _, d in sample.nodes(data=True))
    assert o.page.evaluate("kg.nodes.get({filter: n => !n.hidden}).length") == want
    o.page.select_option("#kg-year", "")
    doc = sorted({d for _, a in sample.nodes(data=True) for d in a["documents"]})[0]
    o.page.select_option("#kg-doc", doc)
    want = sum(doc in a["documents"] for _, a in sample.nodes(data=True))
    assert o.page.evaluate("kg.nodes.get({filter: n => !n.hidden}).length") == want


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("payload", HOSTILE[:4])
def test_hostile_label_does_not_execute(open_page, payload):
    o = open_page(hostile_graph(payload), title="t" + payload)
    page = o.page
    _click_node(page, "部门" + payload)          # panel with name, aliases, evidence
    page.hover("#kg-network")
    xy = page.evaluate("""() => { const p = kg.network.canvasToDOM(kg.network.getPositions([1])[1]);
        const r = document.getElementById('kg-network').getBoundingClientRect(); return [r.left+p.x, r.top+p.y]; }""")
    page.mouse.move(xy[0], xy[1])                 # tooltip of the document node
    page.wait_for_selector("div.vis-tooltip", state="visible")
    assert payload.strip() in page.inner_text("div.vis-tooltip").replace("\n", "")  # shown as text
    page.fill("#kg-search", payload[:12])         # search results list
    page.select_option("#kg-doc", "文件" + payload)
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert o.dialogs == [] and o.errors == [] and o.external == []
    assert payload.strip() in page.inner_text("#kg-panel").replace("\n", "") or "\u2028" in payload
    assert page.evaluate("document.querySelectorAll('img, svg, #kg-panel script').length") == 0
    assert page.title() == "t" + payload
