"""The tour notebooks: committed without outputs, in step with tools/make_notebooks.py, and
executed top to bottom (nbclient, real kernel) without an error.

The slow test copies the notebooks and the sample corpus into a temporary working copy and runs
the three notebooks in order against one store there (``KG_STORE``): the first builds it, the
others reuse it (the build is incremental).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = ["01_build_and_inspect.ipynb", "02_who_leads_what.ipynb", "03_explore_the_network.ipynb"]
TIMEOUT = 600  # seconds per cell
CHROMIUM = Path("/usr/bin/chromium")

# What each executed notebook must show (mime type, a string in that output): proof that the
# cells did their job, not only that they raised nothing.
EXPECTED = {
    "01_build_and_inspect.ipynb": [("text/html", "文号"), ("text/html", "department"), ("text/plain", "【")],
    "02_who_leads_what.ipynb": [("text/markdown", "department_leads"), ("text/html", "betweenness"),
                                ("text/plain", ", supports "), ("image/png", "")],
    "03_explore_the_network.ipynb": [("text/html", "<iframe srcdoc="), ("text/plain", "nodes,")],
}


def _load_maker(root: Path):
    spec = importlib.util.spec_from_file_location("make_notebooks", root / "tools" / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(root, name):
    nb = nbformat.read(root / "notebooks" / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code cells"
    for c in code:
        assert c.outputs == [] and c.execution_count is None, f"{name} cell {c.id} was committed with outputs"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_matches_generator(root, name):
    maker = _load_maker(root)
    committed = (root / "notebooks" / name).read_text(encoding="utf-8")
    assert committed == maker.render(name), f"notebooks/{name} is stale: run python tools/make_notebooks.py"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_uses_only_public_api(root, name):
    """The notebooks import kg and nothing inside it (no kg.<module> imports, no private names)."""
    nb = nbformat.read(root / "notebooks" / name, as_version=4)
    src = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import kg" in src
    for bad in ("from kg", "import kg.", "kg._", "kg.pipeline", "kg.store", "kg.query.", "kg.netview",
                "kg.visualise", "kg.leads.", "sys.path"):
        assert bad not in src, f"{name} uses {bad!r}"


@pytest.mark.parametrize("source, expected", [
    ("# %% [markdown]\n# # T\n#\n# x\n\n# %%\na = 1\n", [("markdown", "# T\n\nx"), ("code", "a = 1")]),
    ("# %%\n%matplotlib inline\n\n\n# %%\nb = 2", [("code", "%matplotlib inline"), ("code", "b = 2")]),
])
def test_cell_splitter(root, source, expected):
    assert _load_maker(root).cells(source) == expected


class Runner:
    """Executes notebooks in a temporary working copy (notebooks/ + corpus/hunan) sharing one store."""

    def __init__(self, root: Path, base: Path):
        self.root, self.base = root, base
        shutil.copytree(root / "notebooks", base / "notebooks")
        shutil.copytree(root / "corpus" / "hunan", base / "corpus" / "hunan")
        self.env = dict(os.environ, KG_STORE=str(base / "store"), KG_HTML_DIR=str(base / "html"), MPLBACKEND="Agg")
        self.env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
        self.done: dict[str, tuple] = {}

    def execute(self, path: Path):
        """The executed notebook at ``path`` and the seconds it took; raises CellExecutionError on an error."""
        from nbclient import NotebookClient

        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                                resources={"metadata": {"path": str(self.base / "notebooks")}})
        t0 = time.perf_counter()
        client.execute(env=self.env)
        return nb, time.perf_counter() - t0

    def run(self, name: str):
        if name not in self.done:
            self.done[name] = self.execute(self.base / "notebooks" / name)
        return self.done[name]


@pytest.fixture(scope="module")
def runner(root, tmp_path_factory):
    return Runner(root, tmp_path_factory.mktemp("nbrun"))


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean(runner, name):
    nb, elapsed = runner.run(name)
    print(f"\n{name}: executed in {elapsed:.1f} s")

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    for word in ("Traceback", "Error", "Warning"):
        assert word not in stderr, f"{name} wrote {word!r} to stderr:\n{stderr[:2000]}"
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code"), f"{name}: a cell did not run"

    texts: dict[str, str] = {}
    for o in outputs:
        if o.output_type == "stream":
            texts["text/plain"] = texts.get("text/plain", "") + o.text
        for mime, data in o.get("data", {}).items():
            texts[mime] = texts.get(mime, "") + (data if isinstance(data, str) else json.dumps(data))
    for mime, needle in EXPECTED[name]:
        assert mime in texts, f"{name} shows no {mime} output"
        assert needle in texts[mime], f"{name}: no {mime} output contains {needle!r}"
    assert (runner.base / "store").is_dir()
    if name.startswith("03"):
        pages = sorted(p.name for p in (runner.base / "html").glob("*.html"))
        assert pages == ["explorer.html", "focus_department.html", "focus_programme.html"]


@pytest.mark.slow
@pytest.mark.parametrize("cell, error", [
    ("raise ValueError('boom')", "ValueError"),
    ("import kg\nkg.no_such_function()", "AttributeError"),
])
def test_a_failing_cell_fails_the_run(runner, cell, error):
    """The harness really catches errors: a notebook with a failing cell does not pass."""
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(cell)]
    path = runner.base / "notebooks" / f"broken_{error}.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match=error):
        runner.execute(path)


@pytest.mark.slow
@pytest.mark.browser
def test_embedded_explorer_draws_in_chromium(runner):
    """The explorer pages embedded by notebook 03 (iframe srcdoc) draw their graph in a real browser."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: run .ci/install-browser.sh (Debian chromium)")
    from playwright.sync_api import sync_playwright

    nb, _ = runner.run("03_explore_the_network.ipynb")
    embeds = [o.data["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "<iframe srcdoc=" in o.get("data", {}).get("text/html", "")]
    assert len(embeds) == 3
    host = runner.base / "host.html"
    host.write_text("<!doctype html><meta charset='utf-8'><body>" + "".join(embeds) + "</body>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(host.as_uri())
            frames = [f for f in page.frames if f != page.main_frame]
            assert len(frames) == 3
            for f in frames:
                f.wait_for_selector("canvas", timeout=30_000)
                assert f.locator("canvas").count() >= 1
            assert not errors, errors
        finally:
            browser.close()
