"""Fixtures shared by the whole suite: one model trained on the repository corpus.

Training takes a few seconds, so the first pytest-xdist worker to arrive trains into a
directory shared by the whole run and the others wait on a file lock and reuse it.
(Database fixtures live in tests/conftest.py.)
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from madoguchi.settings import REPO_ROOT
from nlp.bootstrap import ensure_classifier
from nlp.classifier import Classifier
from nlp.registry import ModelRegistry
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.understand import Understander

CORPUS = REPO_ROOT / "data" / "corpus"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy) -> Path:
    """A MADOGUCHI_HOME with a promoted model trained on the corpus (shared by workers)."""
    root = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent
    home = root / "nlp-home"
    home.mkdir(exist_ok=True)
    with (root / "nlp-home.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_classifier(ModelRegistry(home / "models"), CORPUS, taxonomy)
    return home


@pytest.fixture(scope="session")
def classifier(shared_home: Path) -> Classifier:
    return ModelRegistry(shared_home / "models").load()


@pytest.fixture(scope="session")
def understander(classifier: Classifier) -> Understander:
    return Understander(classifier)


@pytest.fixture
def home_copy(shared_home: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the trained home, for tests that change the registry."""
    target = tmp_path / "home"
    shutil.copytree(shared_home, target, ignore=shutil.ignore_patterns(".lock"))
    yield target
