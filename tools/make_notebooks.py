#!/usr/bin/env python
"""Write the three tour notebooks in ``notebooks/`` from the Python source cells below.

The notebooks are generated, so they stay reviewable (this file is the source) and are
committed without outputs. Cells are written in the "percent" format: a line ``# %%``
starts a code cell, ``# %% [markdown]`` a markdown cell whose lines start with ``# ``.

    python tools/make_notebooks.py            # (re)write notebooks/*.ipynb
    python tools/make_notebooks.py --check    # exit 1 if a committed notebook differs

The notebooks use only the public API (``import kg``) plus pandas, networkx and
matplotlib for display. Each one builds the sample corpus into the store named by the
environment variable ``KG_STORE`` (default ``store/`` at the repository root); the
build is incremental, so the second and third notebooks reuse the first one's store.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "notebooks"

# ----------------------------------------------------------------------------- shared cells
SETUP = '''\
# %% [markdown]
# ## Set-up: build (or update) the store
#
# The store lives in the folder named by the environment variable `KG_STORE`, by default
# `store/` at the repository root (this notebook runs from `notebooks/`). `kg.build` reads only
# new or changed documents (by content hash), so after the first notebook this takes a second.

# %%
import os
import time
from pathlib import Path

import pandas as pd

import kg

pd.set_option("display.max_colwidth", 80)
pd.set_option("display.max_rows", 60)

CORPUS = "../corpus/hunan"
STORE_DIR = Path(os.environ.get("KG_STORE") or Path.cwd().parent / "store")

t0 = time.perf_counter()
report = kg.build([CORPUS], STORE_DIR)
print(f"build: {len(report.processed)} read, {len(report.unchanged)} unchanged, "
      f"{len(report.removed)} removed, {len(report.errors)} errors "
      f"in {time.perf_counter() - t0:.1f} s -> {STORE_DIR}")
for err in report.errors:
    print("  ", err)
store = kg.open_store(STORE_DIR)  # read-only
'''

# ----------------------------------------------------------------------------- 01
NB01 = '''\
# %% [markdown]
# # 01 · Build the graph and inspect what was read
#
# From raw policy documents to the knowledge graph: this notebook builds the sample corpus
# (`corpus/hunan`) into the store and looks at what the pipeline read from each document —
# its metadata, its section tree, the entities it found, the names it could not resolve, and
# one responsibility ("who leads which task") traced back to the exact characters of the
# original file.
''' + SETUP + '''
# %% [markdown]
# ## The documents
#
# `kg.build` returns the extraction results (`kg.DocResult`) of the documents it read in this
# run. Documents already in the store were not read again, so for inspection we read those
# with `kg.process_many` (this does not touch the store).

# %%
results = list(report.results)
for r in kg.process_many(report.unchanged):
    if isinstance(r, kg.InputError):
        print(r)
    else:
        results.append(r)
results.sort(key=lambda r: r.document.source)

documents = pd.DataFrame([{
    "file": Path(r.document.source).name,
    "title": r.document.meta.title,
    "文号": r.document.meta.doc_number,
    "issuer": r.document.meta.issuer,
    "date": r.document.meta.date,
    "kind": r.document.meta.kind,
    "format": r.document.meta.format,
    "chars": len(r.document.text),
    "sections": len(r.sections),
    "responsibilities": len(r.responsibilities),
} for r in results]).set_index("file")
documents

# %% [markdown]
# ## Sections
#
# Every heading (篇/章/节, 一、, （一）, 1., （1）, 附件N, 第X条, 一是 …) becomes a section with its
# path from the root. First, how many headings each document has at each depth; then the top of
# the tree of the document with the most responsibilities.

# %%
pd.crosstab(
    pd.Series([Path(r.document.source).name for r in results for s in r.sections], name="file"),
    pd.Series([s.level for r in results for s in r.sections], name="level"),
)

# %%
richest = max(results, key=lambda r: (len(r.responsibilities), r.document.source))
print(richest.document.meta.title)
print()
for s in richest.sections[:25]:
    print("    " * s.level + f"{s.number} {s.title}"[:70])
print(f"… {len(richest.sections)} sections in all")

# %% [markdown]
# ## Entities per type and document
#
# Mentions are the names as found in the text; entities are the canonical bodies, places,
# labs, corridors and programmes they resolve to (one per real thing across all documents).

# %%
mentions = pd.DataFrame([{
    "file": Path(r.document.source).name, "type": m.type, "text": m.text, "canonical": m.canonical,
} for r in results for m in r.mentions])
pd.crosstab(mentions["file"], mentions["type"], margins=True, margins_name="total")

# %%
(mentions.groupby(["file", "type"])["canonical"].nunique()
 .unstack(fill_value=0).rename_axis(columns="distinct entities"))

# %%
(mentions.groupby(["type", "canonical"]).size().rename("mentions").reset_index()
 .sort_values(["mentions", "canonical"], ascending=[False, True])
 .groupby("type").head(3).set_index(["type", "canonical"]))

# %% [markdown]
# ## Unresolved names
#
# Names that no gazetteer entry or rule resolved are kept (flagged `resolved=False` in the
# graph), never dropped silently. Add them to the alias file to resolve them.

# %%
unresolved = pd.DataFrame(
    [{"file": Path(r.document.source).name, "name": name} for r in results for name in r.unresolved],
    columns=["file", "name"],
)
unresolved

# %%
pd.DataFrame([{"file": Path(r.document.source).name, "type": e.type, "name": e.name}
              for r in results for e in r.entities if not e.resolved],
             columns=["file", "type", "name"])

# %% [markdown]
# ## One responsibility, traced back to the original file
#
# `kg.records` gives the same plain records as `kg extract --format jsonl`. Spans are
# character offsets into the original file text (before any clean-up). We take the first
# note that names both a lead unit and supporting units.

# %%
import json

records = [rec for r in results for rec in kg.records(r)]
resp = next(rec for rec in records
            if rec["kind"] == "responsibility" and rec["leads"] and rec["supporting"])
print(json.dumps(resp, ensure_ascii=False, indent=1))

# %%
doc = next(r.document for r in results if r.document.source == resp["source"])
if doc.meta.format in ("txt", "md", "html"):
    with open(doc.source, encoding=doc.meta.encoding, newline="") as fh:
        original = fh.read()  # the file exactly as it is on disk
else:  # docx / pdf: the text extracted from the file, before clean-up
    original = doc.raw
start, end = resp["span"]
assert original[start:end] == resp["evidence"]
print(f"{resp['source']}, characters {start}–{end}:\\n")
print(original[max(0, start - 150):start] + "【" + original[start:end] + "】" + original[end:end + 40])
'''

# ----------------------------------------------------------------------------- 02
NB02 = '''\
# %% [markdown]
# # 02 · Who leads what
#
# The named SPARQL queries as pandas tables, the answer to "which programmes and tasks does a
# department lead, and where does it say so?", and the department networks: centrality in the
# department–programme network and the co-lead network of each year.
''' + SETUP + '''
# %%
import matplotlib
import matplotlib.pyplot as plt
import networkx as nx
from IPython.display import Markdown, display

%matplotlib inline

DEPARTMENT = "省发改委"  # any alias or the full name

# %% [markdown]
# ## The named queries
#
# `kg.named_queries()` returns the SPARQL text of every named query (the same names work with
# `kg query NAME`); `kg.run_query` runs one on the store. The queries about a department take
# the department's name as the binding `name`; the others run over the whole graph.

# %%
BINDINGS = {
    "co_leads": {"name": DEPARTMENT},
    "department_leads": {"name": DEPARTMENT},
    "department_supports": {"name": DEPARTMENT},
}


def describe(sparql):
    """The comment header of a named query, as one line."""
    head = []
    for line in sparql.splitlines():
        if not line.startswith("#"):
            break
        head.append(line.lstrip("#").strip())
    return " ".join(head)


tables = {}
for name, sparql in kg.named_queries().items():
    res = kg.run_query(sparql, store=store, bindings=BINDINGS.get(name))
    df = pd.DataFrame(res.rows, columns=res.vars)
    tables[name] = df
    bound = f" — bound: `{BINDINGS[name]}`" if name in BINDINGS else ""
    display(Markdown(f"### `{name}`{bound}\\n\\n{describe(sparql)}\\n\\n**{len(df)} rows**"
                     + (" (first 10 shown)" if len(df) > 10 else "")))
    display(df.head(10))

# %% [markdown]
# ## What does 省发改委 lead and support, by programme?
#
# `kg.leads` resolves the name through its aliases to the canonical body and returns every
# note that names it, grouped by programme (with the programme's parents) and document. Each
# row carries the note as evidence and its place: section path and raw character span.

# %%
answer = kg.leads(DEPARTMENT, store=store)
rows = []
for dep in answer["departments"]:
    print(f"{dep['department']} (aka {'、'.join(dep['aliases'])}): "
          f"leads {dep['leads']}, supports {dep['supports']}")
    for prog in dep["programmes"]:
        for d in prog["documents"]:
            for t in d["tasks"]:
                rows.append({
                    "programme": " › ".join(prog["path"]) or "(no programme)",
                    "role": t["role"], "document": d["document"], "date": d["date"],
                    "task_no": t["task_no"], "task": t["task"], "evidence": t["evidence"],
                    "section": t["section"], "span": tuple(t["span"]),
                })
leads = pd.DataFrame(rows)
by_programme = leads.groupby(["programme", "role"]).size().unstack(fill_value=0)
by_programme["total"] = by_programme.sum(axis=1)
by_programme.sort_values("total", ascending=False, kind="stable")

# %%
leads[leads["role"] == "leads"].set_index(["programme", "task_no"])[["task", "evidence", "span"]].head(20)

# %% [markdown]
# ## The department–programme network
#
# `kg.to_networkx(store, "department-programme")` is a weighted bipartite graph: an edge joins a
# department to a programme when the department leads or supports one of the programme's tasks
# (weight = number of such tasks). Degree centrality says how many programmes a department
# takes part in; betweenness says which departments bridge otherwise separate programmes.

# %%
DP = kg.to_networkx(store, "department-programme")
print(f"{DP.number_of_nodes()} nodes, {DP.number_of_edges()} edges")
centrality = pd.DataFrame({
    "label": nx.get_node_attributes(DP, "label"),
    "type": nx.get_node_attributes(DP, "type"),
    "degree": dict(DP.degree()),
    "tasks": dict(DP.degree(weight="weight")),
    "degree_centrality": nx.degree_centrality(DP),
    "betweenness": nx.betweenness_centrality(DP),
})
centrality = centrality.sort_values(["betweenness", "label"], ascending=[False, True]).reset_index(drop=True)
centrality[centrality["type"] == "department"].head(15).round(3)

# %%
centrality[centrality["type"] == "programme"].head(10).round(3)

# %% [markdown]
# ## The co-lead network, year by year
#
# `kg.to_networkx(store, "co-lead", year=Y)` links two departments when one note names both as
# leads, counting only documents issued in year `Y` (edge width = number of such notes).
# Departments are labelled with their shortest name.

# %%
years = sorted({int(r["issued"][:4]) for r in kg.run_query(
    "SELECT DISTINCT ?issued WHERE { ?d a kg:PolicyDocument ; dcterms:issued ?issued }", store=store).rows})
short = {n: min([a["label"], *a["aliases"]], key=lambda s: (len(s), s))
         for n, a in kg.explorer_graph(store).nodes(data=True) if a["type"] == "department"}
colead = {y: kg.to_networkx(store, "co-lead", year=y) for y in years}
pd.DataFrame([{"year": y, "departments": g.number_of_nodes(), "pairs": g.number_of_edges(),
               "notes": sum(w for _, _, w in g.edges(data="weight"))} for y, g in colead.items()]).set_index("year")

# %%
import math

from matplotlib import font_manager

CJK = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
       "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN"]
installed = {f.name for f in font_manager.fontManager.ttflist}
cjk = [f for f in CJK if f in installed]
if cjk:
    matplotlib.rcParams["font.sans-serif"] = cjk + matplotlib.rcParams["font.sans-serif"]
else:  # no Chinese font on this machine: labels show as boxes, without a warning per glyph
    import warnings
    warnings.filterwarnings("ignore", message="Glyph .* missing")

def tiled_layout(g):
    """Each connected component laid out on its own (Kamada–Kawai), the components tiled in a grid."""
    comps = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    cols = math.ceil(math.sqrt(len(comps)))
    biggest = len(comps[0])
    pos = {}
    for i, comp in enumerate(comps):
        sub = g.subgraph(sorted(comp))
        local = nx.kamada_kawai_layout(sub) if len(comp) > 2 else nx.circular_layout(sub)
        scale = 0.9 * math.sqrt(len(comp) / biggest)
        row, col = divmod(i, cols)
        for n, (x, y) in local.items():
            pos[n] = (2.2 * col + scale * x, -2.2 * row + scale * y)
    return pos


plotted = [y for y in years if colead[y].number_of_edges()]
print("years without a note that names two leads:", ", ".join(str(y) for y in years if y not in plotted) or "none")
if plotted:
    cols = min(2, len(plotted))
    rows = (len(plotted) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(9 * cols, 7 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, y in zip(axes.flat, plotted):
        g = colead[y]
        ax.set_title(f"{y}: {g.number_of_nodes()} departments, {g.number_of_edges()} co-lead pairs")
        pos = tiled_layout(g)
        nx.draw_networkx_edges(g, pos, ax=ax, width=[1 + 1.5 * w for _, _, w in g.edges(data="weight")],
                               edge_color="#c0392b", alpha=0.5)
        nx.draw_networkx_nodes(g, pos, ax=ax, node_color="#1f77b4", alpha=0.8,
                               node_size=[80 + 40 * g.degree(n, weight="weight") for n in g])
        nx.draw_networkx_labels(g, pos, ax=ax, font_size=9,
                                labels={n: short.get(n, g.nodes[n]["label"]) for n in g})
    fig.tight_layout()
    plt.show()
'''

# ----------------------------------------------------------------------------- 03
NB03 = '''\
# %% [markdown]
# # 03 · Explore the network
#
# The interactive HTML explorer, embedded here: the whole graph, then trace views around one
# department and one programme. Each page is one self-contained offline HTML file (no network
# needed); it is also written to `html/` next to this notebook (or to `KG_HTML_DIR`) so it can be
# opened in a browser. Click a node to see the notes (evidence) behind its edges.
''' + SETUP + '''
# %%
import html
from collections import Counter

from IPython.display import HTML

HTML_DIR = Path(os.environ.get("KG_HTML_DIR") or "html")
HTML_DIR.mkdir(parents=True, exist_ok=True)


def embed(page, height=650):
    """Show a self-contained HTML page inline (an iframe whose document is the page itself)."""
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width:100%; height:{height}px; border:1px solid #ccc"></iframe></div>')


def summary(G):
    """Nodes per type and edges per relation, as one row."""
    nodes = Counter(a["type"] for _, a in G.nodes(data=True))
    edges = Counter(a["relation"] for _, _, a in G.edges(data=True))
    rows = [("nodes", k, v) for k, v in sorted(nodes.items())] + [("edges", k, v) for k, v in sorted(edges.items())]
    return pd.DataFrame(rows, columns=["", "type", "count"]).set_index(["", "type"]).T

# %% [markdown]
# ## The whole graph
#
# `kg.explorer_graph(store)` is a networkx `MultiDiGraph` (node key = IRI) with every
# department, programme, task, region, lab, corridor and document; `kg.render_html` draws it.

# %%
G = kg.explorer_graph(store)
print(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
summary(G)

# %%
page = kg.render_html(G, HTML_DIR / "explorer.html", title="kg · sample corpus")
print(f"{HTML_DIR / 'explorer.html'}: {len(page.encode()) / 1e6:.1f} MB")
embed(page, height=700)

# %% [markdown]
# ## Focus on a department
#
# `kg.explorer_graph(store, focus=NAME)` keeps the department (named by any alias), the tasks it
# leads or supports, the other units on those tasks, their programmes and documents. With
# `focus=` the page opens centred on it, its evidence shown.

# %%
DEPARTMENT = "省发展改革委"
GD = kg.explorer_graph(store, focus=DEPARTMENT)
dept = next(n for n, a in GD.nodes(data=True)
            if a["type"] == "department" and (a["label"] == DEPARTMENT or DEPARTMENT in a["aliases"]))
a = GD.nodes[dept]
print(f"{a['label']} (aka {'、'.join(a['aliases'])}) leads {a['n_led']} tasks; named in "
      f"{len(a['evidence'])} notes (documents: {len({e['document'] for e in a['evidence']})})")
summary(GD)

# %%
pd.DataFrame(a["evidence"])[["role", "document", "task", "text"]].head(10)

# %%
page = kg.render_html(GD, HTML_DIR / "focus_department.html", title=f"kg · {DEPARTMENT}", focus=DEPARTMENT)
embed(page)

# %% [markdown]
# ## Focus on a programme
#
# The programme with the most tasks, counting the tasks of its sub-programmes (the seven parts
# of a “七大攻坚”, say) — picked from the graph, not by name.

# %%
def tasks_under(G, programme):
    """Tasks that belong to ``programme`` directly or through its sub-programmes."""
    found, seen, todo = set(), {programme}, [programme]
    while todo:
        for s, _, rel in G.in_edges(todo.pop(), data="relation"):
            if rel == "part_of" and s not in seen:
                seen.add(s)
                todo.append(s)
                if G.nodes[s]["type"] == "task":
                    found.add(s)
    return found


programmes = pd.DataFrame([{"programme": a["label"], "tasks": len(tasks_under(G, n)),
                            "documents": len(a["documents"]), "years": a["years"]}
                           for n, a in G.nodes(data=True) if a["type"] == "programme"])
programmes = programmes.sort_values(["tasks", "programme"], ascending=[False, True]).reset_index(drop=True)
PROGRAMME = programmes.loc[0, "programme"]
programmes.head(5)

# %%
GP = kg.explorer_graph(store, programme=PROGRAMME)
print(f"{PROGRAMME}: {GP.number_of_nodes()} nodes, {GP.number_of_edges()} edges")
summary(GP)

# %%
page = kg.render_html(GP, HTML_DIR / "focus_programme.html", title=f"kg · {PROGRAMME}", focus=PROGRAMME)
embed(page)
'''

NOTEBOOKS: dict[str, str] = {
    "01_build_and_inspect.ipynb": NB01,
    "02_who_leads_what.ipynb": NB02,
    "03_explore_the_network.ipynb": NB03,
}


def cells(source: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of each percent-format cell of ``source`` (kind = code | markdown).

    >>> cells("# %% [markdown]\\n# # Title\\n#\\n# text\\n\\n# %%\\nx = 1\\n")
    [('markdown', '# Title\\n\\ntext'), ('code', 'x = 1')]
    """
    out: list[tuple[str, list[str]]] = []
    for line in source.split("\n"):
        if line.startswith("# %%"):
            out.append(("markdown" if "[markdown]" in line else "code", []))
        elif out:
            kind, lines = out[-1]
            if kind == "markdown":
                line = line[2:] if line.startswith("# ") else line.lstrip("#")
            lines.append(line)
        elif line.strip():
            raise ValueError(f"text before the first cell marker: {line!r}")
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in out]


def notebook(source: str, stem: str) -> nbformat.NotebookNode:
    """A notebook (nbformat 4, no outputs, stable cell ids) of the cells in ``source``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, text) in enumerate(cells(source)):
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        cell.id = f"{stem[:2]}-{i:02d}"  # deterministic, so regenerating changes nothing
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The text of notebook ``name`` as written to disk."""
    return nbformat.writes(notebook(NOTEBOOKS[name], Path(name).stem), version=4) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that notebooks/ matches; exit 1 if not")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write to (default: notebooks/)")
    args = ap.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path, text = args.out / name, render(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path))
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    if stale:
        print("out of date (run python tools/make_notebooks.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
