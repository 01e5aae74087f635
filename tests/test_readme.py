"""Every command in the README runs as written.

The README's ``bash`` blocks are run one by one with ``bash -eu`` in a scratch folder
holding copies of ``corpus/`` and ``eval/``, with the installed ``kg`` on PATH. Two parts are not
re-run here: the ``pip install`` of the install command (``.ci/run`` runs exactly that line before
the tests) and the test command itself.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)


def _runnable(block: str) -> str | None:
    if block.strip() == "python -m pytest -q":
        return None
    return re.sub(r"^pip install [^&\n]*&&\s*", "", block, flags=re.M)


def test_readme_has_the_two_fresh_machine_commands():
    assert BLOCKS[0].startswith('pip install -e ".[test]" && kg build corpus/hunan')
    assert BLOCKS[1].strip() == "python -m pytest -q"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]"' in ci and "python -m pytest -q" in ci


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    d = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "corpus", d / "corpus")
    shutil.copytree(ROOT / "eval", d / "eval")
    return d


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index, scratch):
    script = _runnable(BLOCKS[index])
    if script is None:
        pytest.skip("the test command itself")
    kg_bin = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    if not os.path.exists(kg_bin):
        pytest.fail("the `kg` console script is not installed: run pip install -e . first")
    env = dict(os.environ, PATH=f"{Path(kg_bin).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(["bash", "-eu", "-c", script], cwd=scratch, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, f"README block {index} failed:\n{script}\n--- stderr:\n{proc.stderr[-3000:]}"
    if "kg leads 省发改委" in script:
        assert "牵头" in proc.stdout or "leads" in proc.stdout
    if "curl" in script:
        assert proc.stdout.strip().splitlines()[0] == "n"
