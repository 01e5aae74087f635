"""Benchmark of the HTML network explorer (kg.visualise). Run as a script:

    python bench/bench_viz.py [--store DIR] [--screenshots docs/img]

Prints
  1. HTML build time (layout + payload + page) against graph size, for synthetic graphs of
     1k/2k/5k/10k nodes, with the time per 1,000 nodes (flat = linear growth);
  2. time to draw in headless Chromium (Debian /usr/bin/chromium, network cut): from
     navigation to vis-network's first ``afterDrawing``, and the time of a 10-step pan;
  3. the same for the sample graph: the store given by --store, else one built from
     corpus/hunan into a temporary directory (needs kg.pipeline and kg.netview).
Targets (issue 4): full sample <= 3 s, 10,000 nodes <= 15 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.visualise import render_html, synthetic_graph  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def build_times(sizes, repeats=3):
    print("HTML build time vs size (synthetic graphs; median of %d)" % repeats)
    print(f"{'nodes':>7} {'edges':>7} {'build s':>8} {'s per 1k nodes':>15} {'MB':>6}")
    rows = []
    for n in sizes:
        G = synthetic_graph(n, seed=1)
        ts, html = [], ""
        for _ in range(repeats):
            t = time.perf_counter()
            html = render_html(G)
            ts.append(time.perf_counter() - t)
        med = statistics.median(ts)
        rows.append((n, med))
        print(f"{n:>7} {G.number_of_edges():>7} {med:>8.2f} {med / n * 1000:>15.3f} {len(html.encode()) / 1e6:>6.1f}")
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    print(f"growth: {n1 / n0:.0f}x the nodes took {t1 / t0:.1f}x the time (linear = {n1 / n0:.0f}x)")
    return rows


def open_offline(browser, path, viewport=(1400, 900)):
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=True)
    external = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    ctx.set_offline(True)
    page = ctx.new_page()
    t = time.perf_counter()
    page.goto(Path(path).as_uri())
    page.wait_for_function("window.kg && window.kg.ready === true", timeout=120000)
    drawn = time.perf_counter() - t
    return ctx, page, drawn, external


def draw_time(browser, G, label, tmp, focus=None):
    path = Path(tmp) / f"{label}.html"
    t = time.perf_counter()
    render_html(G, path, title=label, focus=focus)
    build = time.perf_counter() - t
    ctx, page, drawn, external = open_offline(browser, path)
    n = page.evaluate("kg.nodes.length")
    t = time.perf_counter()
    page.mouse.move(500, 450)
    page.mouse.down()
    for i in range(10):
        page.mouse.move(500 + 20 * i, 450 + 10 * i)
    page.mouse.up()
    page.evaluate("new Promise(r => { kg.network.once('afterDrawing', r); kg.network.redraw(); })")
    pan = time.perf_counter() - t
    moved = page.evaluate("kg.network.getViewPosition()")
    ctx.close()
    print(f"{label:>24}: {G.number_of_nodes():>6} nodes {G.number_of_edges():>6} edges | build {build:5.2f} s | "
          f"drawn in Chromium {drawn:5.2f} s | build+draw {build + drawn:5.2f} s | 10-step pan {pan:4.2f} s | "
          f"rendered nodes {n} | external requests {len(external)} | view moved to ({moved['x']:.0f}, {moved['y']:.0f})")
    return build, drawn


def sample_graph(store_dir, tmp, focus=None):
    try:
        from kg.netview import explorer_graph
        from kg.store import open_store
    except ImportError as e:
        print(f"sample graph: skipped ({e}; kg.netview/kg.store not available yet)")
        return None
    if store_dir is None:
        from kg.pipeline import build

        store_dir = Path(tmp) / "store"
        if not store_dir.exists():
            t = time.perf_counter()
            build([str(ROOT / "corpus" / "hunan")], store_dir)
            print(f"built the sample store from corpus/hunan in {time.perf_counter() - t:.1f} s")
    with open_store(store_dir, read_only=True) as s:
        return explorer_graph(s, focus=focus)


def screenshots(browser, out_dir, G_big, G_sample, G_focus, focus_name, tmp):
    """PNGs for the README: overviews, and the focus view fitted and zoomed on the department."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shots = [("synthetic-2000", G_big, None, False), ("sample-graph", G_sample, None, False),
             ("focus-view", G_focus, focus_name, False), ("focus-detail", G_focus, focus_name, True)]
    for name, G, select, zoom in shots:
        if G is None:
            continue
        path = Path(tmp) / f"shot-{name}.html"
        render_html(G, path, title=f"kg viz --focus {select}" if select else f"kg · {name}", focus=select)
        ctx, page, _, _ = open_offline(browser, path, viewport=(1500, 950))
        if zoom:  # the reader's path: zoom in, click a lead in the panel, read its sentence
            page.evaluate("kg.network.moveTo({position: {x: 0, y: 0}, scale: 0.65, animation: false})")
            page.locator("#kg-panel button.kg-link", has_text="牵头").first.click()
            page.wait_for_timeout(300)
        page.screenshot(path=str(out / f"{name}.png"))
        ctx.close()
        print(f"screenshot: {out / (name + '.png')}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", help="a store built by `kg build` (default: build the sample into a temp dir)")
    ap.add_argument("--focus", default="省发改委", help="department for the focus-view screenshot")
    ap.add_argument("--screenshots", metavar="DIR", help="also write PNG screenshots here")
    ap.add_argument("--sizes", default="1000,2000,5000,10000")
    a = ap.parse_args(argv)
    sizes = [int(x) for x in a.sizes.split(",")]
    build_times(sizes)
    if not Path(CHROMIUM).exists():
        print("Chromium timings: skipped (/usr/bin/chromium missing: run .ci/install-browser.sh)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print("\nDraw time in headless Chromium (offline; until the first afterDrawing)")
        big = synthetic_graph(max(sizes), seed=1)
        _, drawn_big = draw_time(browser, big, f"synthetic-{max(sizes)}", tmp)
        G_sample = sample_graph(a.store, tmp)
        drawn_sample = None
        G_focus = None
        if G_sample is not None:
            _, drawn_sample = draw_time(browser, G_sample, "sample (full)", tmp)
            try:
                G_focus = sample_graph(a.store or Path(tmp) / "store", tmp, focus=a.focus)
                draw_time(browser, G_focus, f"focus {a.focus}", tmp, focus=a.focus)
            except Exception as e:  # a focus name the store does not know
                print(f"focus view {a.focus!r}: skipped ({e})")
        print(f"\ntargets: 10,000 nodes <= 15 s: {'met' if drawn_big <= 15 else 'MISSED'} "
              f"({max(sizes)} nodes drawn in {drawn_big:.2f} s); "
              f"full sample <= 3 s: " + ("not measured (no sample graph)" if drawn_sample is None else
                                         f"{'met' if drawn_sample <= 3 else 'MISSED'} ({drawn_sample:.2f} s)"))
        if a.screenshots:
            screenshots(browser, a.screenshots, synthetic_graph(2000, seed=1), G_sample, G_focus, a.focus, tmp)
        browser.close()


if __name__ == "__main__":
    main()
