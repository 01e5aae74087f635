"""Shared fixtures. This is the only conftest.py of the project."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "hunan"
GOLD = ROOT / "eval" / "gold"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The five sample documents (see corpus/hunan/MANIFEST.tsv)."""
    return CORPUS


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    """Hand-checked gold annotations of the sample corpus (copied from shared/gold)."""
    return GOLD


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Small documented fixtures; tests/data/README.md says where each came from."""
    return DATA
