"""An offline, self-contained HTML explorer of the knowledge graph (vis-network via pyvis).

Input is the :class:`networkx.MultiDiGraph` that :func:`kg.netview.explorer_graph` returns
(node key = IRI; node attributes ``type label aliases documents years n_led collective
evidence``; edge attributes ``relation label evidence``). Output is ONE HTML file:

* vis-network's JS and CSS are inlined from ``kg/assets`` (no CDN, no bootstrap), so the
  file opens by double-click with no network;
* the layout is computed here in Python (networkx) and passed as fixed ``x``/``y``, so
  the browser runs no physics; the layout is near-linear in the graph size;
* document text is data, never markup: the graph is embedded as JSON in a
  ``<script type="application/json">`` block with ``< > &`` and U+2028/2029 escaped, and
  the page builds every element with ``textContent`` (tooltips are plain text).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("d", **node_attrs("department", "某某委员会", aliases=["某委"]))
>>> G.add_node("t", **node_attrs("task", "<b>任务</b>"))
>>> _ = G.add_edge("d", "t", relation="leads", label="牵头 leads", evidence=[])
>>> html = render_html(G, title="demo")
>>> "<b>任务</b>" in html, "\\\\u003cb\\\\u003e任务" in html
(False, True)
>>> render_html(G, title="demo") == html
True
"""
from __future__ import annotations

import html as _html
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx

ASSETS = Path(__file__).resolve().parent / "assets"

#: type -> (colour, vis shape, legend symbol, legend text). Order = legend order.
TYPE_STYLE: dict[str, tuple[str, str, str, str]] = {
    "department": ("#1f77b4", "dot", "●", "部门 department"),
    "programme": ("#d62728", "star", "★", "项目/工程 programme"),
    "task": ("#7f7f7f", "square", "■", "任务 task"),
    "region": ("#2ca02c", "triangle", "▲", "地区 region"),
    "lab": ("#9467bd", "hexagon", "⬢", "实验室 lab"),
    "corridor": ("#ff7f0e", "diamond", "◆", "走廊/通道 corridor"),
    "document": ("#8c564b", "triangleDown", "▼", "文件 document"),
}
_OTHER_STYLE = ("#bcbd22", "dot", "●", "其他 other")

#: relation -> (colour, dashes, width, arrow, legend text)
EDGE_STYLE: dict[str, tuple[str, object, float, bool, str]] = {
    "leads": ("#c0392b", False, 2.5, True, "牵头 leads (solid red)"),
    "supports": ("#2e86c1", [8, 5], 1.5, True, "参与 supports (dashed blue)"),
    "part_of": ("#7d3c98", [2, 4], 1.2, True, "属于 part of (dotted)"),
    "located_in": ("#27ae60", [2, 4], 1.0, True, "位于 located in (dotted green)"),
    "mentions": ("#b3b3b3", False, 0.8, False, "提及 mentions (thin grey)"),
    "in_document": ("#d5c4b8", False, 0.8, False, "出自 in document (thin tan)"),
}
_OTHER_EDGE = ("#999999", False, 1.0, True, "other")

SMALL_GRAPH = 400  # plain seeded spring layout up to this many nodes
BACKBONE = 350  # above it: spring layout of the top-degree backbone, the rest placed around it
SEED = 7
_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


def node_attrs(type_: str, label: str, **kw) -> dict:
    """Node attributes as in the netview contract, with defaults (for tests and synthetic graphs)."""
    out = {"type": type_, "label": label, "aliases": [], "documents": [], "years": [],
           "n_led": 0, "collective": False, "evidence": []}
    out.update(kw)
    return out


# ----------------------------------------------------------------------------- layout
def _sunflower(k: int, spacing: float) -> tuple[float, float]:
    r = spacing * math.sqrt(k + 0.5)
    return r * math.cos(k * _GOLDEN), r * math.sin(k * _GOLDEN)


def _spring(H: nx.Graph, scale: float, seed: int) -> dict:
    if H.number_of_nodes() == 1:
        return {next(iter(H)): (0.0, 0.0)}
    pos = nx.spring_layout(H, seed=seed, iterations=60)
    return {n: (float(p[0]) * scale, float(p[1]) * scale) for n, p in pos.items()}


def layout(G: nx.Graph, *, seed: int = SEED, spacing: float = 38.0) -> dict[str, tuple[float, float]]:
    """Deterministic positions (pixels) for every node of ``G``; near-linear in its size.

    Up to :data:`SMALL_GRAPH` nodes: a seeded spring layout. Larger: a spring layout of the
    :data:`BACKBONE` highest-degree nodes, then every other node is placed, breadth-first,
    on a sunflower spiral around the mean of its already placed neighbours; components
    that the backbone does not reach are laid out on their own and packed in rows below.

    >>> sorted(layout(nx.path_graph(["a", "b", "c"]))) == ["a", "b", "c"]
    True
    """
    nodes, H = _simple(G)
    n = len(nodes)
    if n == 0:
        return {}
    if n <= 150 and n > 2:  # stress layout: even spacing, readable labels; deterministic start
        scale = spacing * 1.6 * math.sqrt(n) + 2 * spacing
        pos = nx.kamada_kawai_layout(H, pos=nx.circular_layout(H))
        return {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in pos.items()}
    if n <= SMALL_GRAPH:
        return _spring(H, spacing * 1.3 * math.sqrt(n) + spacing, seed)
    deg = dict(H.degree())
    order = sorted(nodes, key=lambda x: (-deg[x], str(x)))
    backbone = order[:BACKBONE]
    # leaves hang around the backbone: give it room in proportion to the whole graph
    # nx subgraph views iterate in set (hash) order: build the induced graph in sorted order instead
    _, core = _simple(H.subgraph(backbone))
    pos = _spring(core, spacing * 0.75 * math.sqrt(n), seed)
    frontier = backbone
    while frontier:
        groups: dict[tuple, list] = defaultdict(list)
        seen = set()
        for u in frontier:
            for v in sorted(H[u], key=str):
                if v not in pos and v not in seen:
                    seen.add(v)
                    anchors = tuple(sorted((w for w in H[v] if w in pos), key=str))
                    groups[anchors].append(v)
        nxt = []
        used: dict[tuple, int] = defaultdict(int)  # sunflower slots taken around a centre
        for anchors in sorted(groups, key=lambda a: [str(x) for x in a]):
            cx = sum(pos[a][0] for a in anchors) / len(anchors)
            cy = sum(pos[a][1] for a in anchors) / len(anchors)
            key = (round(cx), round(cy))
            for v in sorted(groups[anchors], key=str):
                k = used[key] + (6 if len(anchors) == 1 else 0)  # keep clear of the anchor itself
                used[key] += 1
                dx, dy = _sunflower(k, spacing * 0.55)
                pos[v] = (cx + dx, cy + dy)
                nxt.append(v)
        frontier = nxt
    return _pack_rest(H, pos, [v for v in nodes if v not in pos], seed, spacing)


def _simple(G: nx.Graph) -> tuple[list, nx.Graph]:
    H = nx.Graph()
    nodes = sorted(G.nodes, key=str)
    H.add_nodes_from(nodes)
    H.add_edges_from(sorted((min(u, v, key=str), max(u, v, key=str)) for u, v in G.edges() if u != v))
    return nodes, H


def _pack_rest(H: nx.Graph, pos: dict, rest: list, seed: int, spacing: float) -> dict:
    """Lay out the components of ``rest`` on their own, in rows below what ``pos`` holds."""
    if not rest:
        return pos
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    x0, y = min(xs), max(ys) + spacing * 4
    width = max(max(xs) - x0, spacing * 20)
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(H.subgraph(rest))),
                   key=lambda c: (-len(c), str(c[0])))
    x, row_h = x0, 0.0
    for comp in comps:
        sub = layout(H.subgraph(comp), seed=seed, spacing=spacing)
        sx = [p[0] for p in sub.values()]
        sy = [p[1] for p in sub.values()]
        w, h = max(sx) - min(sx) + spacing * 2, max(sy) - min(sy) + spacing * 2
        if x > x0 and x + w > x0 + width:
            x, y, row_h = x0, y + row_h, 0.0
        for v, (px, py) in sub.items():
            pos[v] = (x + px - min(sx) + spacing, y + py - min(sy) + spacing)
        x, row_h = x + w, max(row_h, h)
    return pos


def radial_layout(G: nx.Graph, root, *, spacing: float = 38.0, seed: int = SEED) -> dict:
    """Ego layout for trace views: ``root`` in the centre, rings by hop distance (linear time).

    Ring 1 is ordered so that nodes sharing neighbours sit together; every further ring is
    ordered by the mean angle of its neighbours in the ring inside it, which keeps edges short.

    >>> pos = radial_layout(nx.star_graph(4), 0)
    >>> pos[0], round(math.hypot(*pos[1]), 1) == round(math.hypot(*pos[3]), 1)
    ((0.0, 0.0), True)
    """
    nodes, H = _simple(G)
    dist = nx.single_source_shortest_path_length(H, root)
    rings: dict[int, list] = defaultdict(list)
    for v in nodes:
        if v in dist and v != root:
            rings[dist[v]].append(v)
    pos = {root: (0.0, 0.0)}
    angle = {root: 0.0}
    type_rank = {t: k for k, t in enumerate(TYPE_STYLE)}

    def tkey(v):
        return type_rank.get(G.nodes[v].get("type"), 99)

    radius = 0.0
    for level in sorted(rings):
        ring = rings[level]
        if level == 1:
            ring.sort(key=lambda v: (tkey(v), sorted(str(w) for w in H[v] if dist.get(w, 0) > 1), str(v)))
        else:
            def mean_angle(v):
                inner = [angle[w] for w in H[v] if dist.get(w) == level - 1]
                return math.atan2(sum(math.sin(a) for a in inner), sum(math.cos(a) for a in inner)) % (2 * math.pi)
            ring.sort(key=lambda v: (round(mean_angle(v), 6), tkey(v), str(v)))
        radius = max(radius + 3.0 * spacing, len(ring) * spacing * 1.15 / (2 * math.pi))
        start = 0.0 if level == 1 else mean_angle(ring[0])
        for k, v in enumerate(ring):
            a = start + 2 * math.pi * k / len(ring)
            angle[v] = a % (2 * math.pi)
            pos[v] = (radius * math.cos(a), radius * math.sin(a))
    return _pack_rest(H, pos, [v for v in nodes if v not in pos], seed, spacing)


def find_node(G: nx.Graph, name: str, types: tuple[str, ...] = ()):
    """The node whose key, label or alias is ``name`` (NFKC, spaces ignored); departments first.

    >>> G = nx.Graph(); G.add_node("x", type="department", label="某某委员会", aliases=["某委"])
    >>> find_node(G, " 某委 ")
    'x'
    """
    import unicodedata

    def norm(s):
        return "".join(unicodedata.normalize("NFKC", str(s)).split()).lower()

    if name in G:
        return name
    q = norm(name)
    hits = [v for v, a in G.nodes(data=True)
            if (not types or a.get("type") in types)
            and q in {norm(a.get("label") or "")} | {norm(x) for x in a.get("aliases") or ()}]
    rank = {t: k for k, t in enumerate(TYPE_STYLE)}
    hits.sort(key=lambda v: (rank.get(G.nodes[v].get("type"), 99), -G.degree(v), str(v)))
    return hits[0] if hits else None


# ----------------------------------------------------------------------------- payload
def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _evidence(items) -> list[tuple[str, ...]]:
    """Evidence dicts as sorted ``(text, document, section, task, role)`` tuples (section path joined)."""
    out = set()
    for e in items or ():
        sec = e.get("section")
        sec = " › ".join(str(x) for x in sec) if isinstance(sec, (list, tuple)) else sec
        out.add(tuple("" if v is None else str(v) for v in
                      (e.get("text"), e.get("document"), sec, e.get("task"), e.get("role"))))
    return sorted(out)


def _tooltip(a: dict, type_: str, degree: int) -> str:
    lines = [str(a.get("label") or "")]
    aliases = list(a.get("aliases") or [])
    if aliases:
        lines.append("别名 aliases: " + "、".join(_short(x, 40) for x in aliases[:12])
                     + (f" …(+{len(aliases) - 12})" if len(aliases) > 12 else ""))
    lines.append(f"类型 type: {type_}" + (" (collective)" if a.get("collective") else ""))
    if type_ == "department":
        lines.append(f"牵头任务 tasks led: {int(a.get('n_led') or 0)}")
    docs = list(a.get("documents") or [])
    if docs:
        lines.append("文件 documents:")
        lines += ["  · " + _short(str(d), 60) for d in docs[:8]]
        if len(docs) > 8:
            lines.append(f"  … (+{len(docs) - 8})")
    lines.append(f"连接 links: {degree}  (click for evidence)")
    return "\n".join(lines)


def build_payload(G: nx.MultiDiGraph, *, title: str = "kg", focus=None) -> dict:
    """The JSON-able data the page draws: vis nodes, edges, per-node metadata, styles, options.

    Evidence sentences are stored once in ``evidence`` (rows of text, document, section,
    task, role); nodes (``meta[i].evidence``) and edges (``edges[j].ev``) refer to rows by index.
    """
    nodes = sorted(G.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    node_ev = [_evidence(G.nodes[n].get("evidence")) for n in nodes]
    raw_edges = sorted((index[u], index[v], str(d.get("relation") or ""), str(d.get("label") or d.get("relation") or ""),
                        _evidence(d.get("evidence"))) for u, v, d in G.edges(data=True))
    rows = sorted({r for ev in node_ev for r in ev} | {r for e in raw_edges for r in e[4]})
    row_no = {r: k for k, r in enumerate(rows)}
    root = find_node(G, focus) if focus is not None else None
    pos = radial_layout(G, root) if root is not None else layout(G)
    degree = dict(G.degree())
    vis_nodes, meta = [], []
    years, documents = set(), set()
    for i, n in enumerate(nodes):
        a = G.nodes[n]
        t = str(a.get("type") or "other")
        label = str(a.get("label") or n)
        n_led = int(a.get("n_led") or 0)
        if t == "department":
            size = min(12 + 5 * math.sqrt(max(n_led, 0) + degree[n] / 4), 60)
        elif t == "task":
            size = 7 + min(math.sqrt(degree[n]), 5)
        else:
            size = min(10 + 2.5 * math.sqrt(degree[n]), 40)
        x, y = pos[n]
        v = {"id": i, "label": _short(label, 18 if t in ("task", "document") else 24), "group": t,
             "x": round(x, 1), "y": round(y, 1), "size": round(size, 1), "title": _tooltip(a, t, degree[n])}
        if a.get("collective"):
            v["shapeProperties"] = {"borderDashes": [4, 3]}
        if t == "department" and n_led or t == "document":  # labelled in the overview too
            v["font"] = {"size": 16 + min(n_led, 12) if t == "department" else 16}
        vis_nodes.append(v)
        docs = sorted({str(d) for d in a.get("documents") or ()})
        ys = sorted({int(y) for y in a.get("years") or ()})
        years.update(ys)
        documents.update(docs)
        meta.append({"iri": str(n), "name": label, "type": t, "aliases": [str(x) for x in a.get("aliases") or ()],
                     "documents": docs, "years": ys, "n_led": n_led, "collective": bool(a.get("collective")),
                     "evidence": [row_no[r] for r in node_ev[i]]})
    edges = []
    parallel: dict[tuple[int, int], int] = defaultdict(int)
    for j, (s, o, rel, label, ev) in enumerate(raw_edges):
        e = {"id": j, "from": s, "to": o, "label": label, "rel": rel, "ev": [row_no[r] for r in ev]}
        pair = (min(s, o), max(s, o))
        k = parallel[pair]
        parallel[pair] += 1
        if k:  # bend parallel edges apart so every label stays readable
            e["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                           "roundness": round(0.15 * ((k + 1) // 2), 2)}
        edges.append(e)
    present = sorted({m["type"] for m in meta}, key=lambda t: (list(TYPE_STYLE).index(t) if t in TYPE_STYLE else 99, t))
    rels = sorted({e["rel"] for e in edges}, key=lambda r: (list(EDGE_STYLE).index(r) if r in EDGE_STYLE else 99, r))
    return {"title": str(title), "nodes": vis_nodes, "edges": edges, "meta": meta, "evidence": [list(r) for r in rows],
            "types": [{"type": t, "color": TYPE_STYLE.get(t, _OTHER_STYLE)[0], "symbol": TYPE_STYLE.get(t, _OTHER_STYLE)[2],
                       "text": TYPE_STYLE.get(t, _OTHER_STYLE)[3]} for t in present],
            "edgeStyles": {r: _edge_style(r) for r in rels},
            "relationOrder": rels, "focus": None if root is None else index[root],
            "documents": sorted(documents), "years": sorted(years),
            "options": _options(present, len(nodes) > 2000, len(edges))}


def _edge_style(rel: str) -> dict:
    colour, dashes, width, arrow, text = EDGE_STYLE.get(rel, _OTHER_EDGE)
    return {"relation": rel, "color": colour, "dashes": dashes, "width": width, "arrows": arrow,
            "text": text if rel in EDGE_STYLE else rel or "other",
            "style": "dotted" if dashes and dashes[0] <= 2 else "dashed" if dashes else "solid"}


def _options(types: list[str], big: bool, n_edges: int) -> dict:
    from pyvis.network import Network  # pyvis only here: it holds the vis option model

    net = Network(directed=True, cdn_resources="in_line")
    net.toggle_physics(False)
    net.set_edge_smooth("dynamic")
    opts = json.loads(net.options.to_json())
    opts["physics"] = {"enabled": False}
    opts["layout"] = {"improvedLayout": False, "randomSeed": SEED}
    opts["edges"] = {"smooth": False, "font": {"size": 10, "align": "middle", "color": "#444",
                                                "strokeWidth": 3, "strokeColor": "#ffffff"},
                     "arrows": {"to": {"scaleFactor": 0.5}}, "selectionWidth": 2,
                     # labels drawn once legible (>= 8 px on screen): CJK text is the costliest thing to draw
                     "scaling": {"label": {"enabled": False, "drawThreshold": 8}}}
    opts["nodes"] = {"font": {"size": 13, "face": "sans-serif"}, "borderWidth": 1,
                     "scaling": {"label": {"drawThreshold": 8}}}
    # hover highlighting costs ~1 s per mouse move in software-rendered Chromium; tooltips work without it
    opts["interaction"] = {"hover": False, "tooltipDelay": 150, "hideEdgesOnDrag": n_edges > 1500,
                           "hideEdgesOnZoom": big, "navigationButtons": False, "keyboard": False,
                           "multiselect": False, "dragNodes": True}
    opts["groups"] = {t: {"color": {"background": TYPE_STYLE.get(t, _OTHER_STYLE)[0],
                                    "border": "#333333"}, "shape": TYPE_STYLE.get(t, _OTHER_STYLE)[1]}
                      for t in types}
    return opts


# ----------------------------------------------------------------------------- HTML
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(obj) -> str:
    """JSON safe to place inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators.

    >>> script_json({"a": "</script><b>&\\u2028"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for c, esc in _ESCAPES.items():  # str.replace runs at C speed on multi-MB payloads
        text = text.replace(c, esc)
    return text


def _asset(name: str) -> str:
    text = (ASSETS / name).read_text(encoding="utf-8")
    if name.endswith(".js"):  # an inline script must not close or comment out its own element
        text = text.replace("</script", "<\\/script").replace("<!--", "<\\!--")
    return text


def render_html(G: nx.MultiDiGraph, path: str | Path | None = None, *, title: str = "kg", focus=None) -> str:
    """One self-contained, offline HTML page exploring ``G``; written as UTF-8 when ``path`` is given.

    ``focus`` (optional): a node key, label or alias. That node is drawn in the centre with
    the rest in rings around it (trace views), and it opens selected with its evidence.
    """
    parts = {"TITLE": _html.escape(str(title), quote=True), "VIS_CSS": _asset("vis-network.css"),
             "CSS": _asset("explorer.css"), "VIS_JS": _asset("vis-network.min.js"), "JS": _asset("explorer.js"),
             "DATA": script_json(build_payload(G, title=title, focus=focus))}
    # one pass over the template only: inserted text is never scanned for markers
    page = re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], _asset("explorer.html"))
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(page)
    return page


# ----------------------------------------------------------------------------- synthetic data
def synthetic_graph(n_nodes: int, *, seed: int = 0) -> nx.MultiDiGraph:
    """A made-up explorer graph of about ``n_nodes`` nodes with the netview attributes (bench, tests).

    Names are generated (部门0001, 任务00001 …); the shape mimics policy documents: each task
    sits in a document, is led by one or two departments, supported by a few, some belong to
    a programme; regions form a tree.

    >>> G = synthetic_graph(200)
    >>> G.number_of_nodes(), sorted({d["type"] for _, d in G.nodes(data=True)})[:3]
    (200, ['department', 'document', 'programme'])
    """
    import random

    rnd = random.Random(seed)
    base = "https://example.org/id/"
    n_doc, n_dep = max(2, n_nodes // 200), max(3, n_nodes // 30)
    n_prog, n_reg = max(2, n_nodes // 50), max(2, n_nodes // 60)
    n_task = max(1, n_nodes - n_doc - n_dep - n_prog - n_reg)
    G = nx.MultiDiGraph()
    docs = [(f"{base}document/{i:04d}", f"文件{i:04d}号关于推进重点工作的实施方案", 2020 + i % 6) for i in range(n_doc)]
    for iri, t, y in docs:
        G.add_node(iri, **node_attrs("document", t, documents=[t], years=[y]))
    deps = [f"{base}department/{i:04d}" for i in range(n_dep)]
    for i, iri in enumerate(deps):
        G.add_node(iri, **node_attrs("department", f"部门{i:04d}委员会", aliases=[f"部门{i:04d}委", f"D{i:04d}"]))
    progs = [f"{base}programme/{i:04d}" for i in range(n_prog)]
    for i, iri in enumerate(progs):
        G.add_node(iri, **node_attrs("programme", f"工程{i:04d}"))
    regs = [f"{base}region/{i:04d}" for i in range(n_reg)]
    for i, iri in enumerate(regs):
        G.add_node(iri, **node_attrs("region", f"地区{i:04d}"))
        if i:
            G.add_edge(iri, regs[(i - 1) // 4], relation="located_in", label="位于 located in", evidence=[])
    led: dict[str, int] = defaultdict(int)
    touched: dict[str, set] = defaultdict(set)
    for i in range(n_task):
        iri, (doc, dtitle, year) = f"{base}task/{i:05d}", docs[rnd.randrange(n_doc)]
        title = f"任务{i:05d}：推进重点领域改革"
        note = f"（部门牵头，相关单位按职责分工负责）#{i}"
        ev = {"text": note, "document": dtitle, "section": f"一、总体要求 › （{i % 9 + 1}）", "task": title}
        G.add_node(iri, **node_attrs("task", title, documents=[dtitle], years=[year], evidence=[dict(ev, role="leads")]))
        G.add_edge(iri, doc, relation="in_document", label="出自 in document", evidence=[])
        leads = rnd.sample(deps, 1 + (rnd.random() < 0.2))
        sups = rnd.sample(deps, rnd.randrange(0, 3))
        for role, group in (("leads", leads), ("supports", [s for s in sups if s not in leads])):
            for d in group:
                G.add_edge(d, iri, relation=role, label="牵头 leads" if role == "leads" else "参与 supports",
                           evidence=[dict(ev, role=role)])
                led[d] += role == "leads"
                touched[d].add((dtitle, year, role, note, title))
        if rnd.random() < 0.3:
            G.add_edge(iri, progs[rnd.randrange(n_prog)], relation="part_of", label="属于 part of", evidence=[])
        if rnd.random() < 0.1:
            G.add_edge(iri, regs[rnd.randrange(n_reg)], relation="mentions", label="提及 mentions", evidence=[])
    for d in deps:
        rows = sorted(touched[d])
        G.nodes[d].update(n_led=led[d], documents=sorted({r[0] for r in rows}), years=sorted({r[1] for r in rows}),
                          evidence=[{"text": r[3], "document": r[0], "section": "一、总体要求", "task": r[4], "role": r[2]}
                                    for r in rows[:50]])
    return G
