"""Issue 8, models: a changed or malicious artifact is refused and the previous model keeps
serving (also while running, in the hot-reload path); two trainings at once: one runs, the
other is refused with a clear message; nobody ever sees a half-written version.

Two trainings: `madoguchi train` refuses at once (exit 2, "another training is already
running") rather than waiting: the second run would repeat the same work on the same data.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import skops.io as sio

from madoguchi.cli import main
from nlp.bootstrap import ensure_classifier, train_and_register
from nlp.classifier import Classifier
from nlp.corpus import load_corpus
from nlp.promotion import report_from_dict
from nlp.registry import ARTIFACT, INDEX, ModelRegistry, TrainingInProgressError, _sha256
from nlp.reloading import ReloadingUnderstander
from nlp.taxonomy import Taxonomy
from nlp.training import TrainingResult, train
from tests.nlp.small_corpus import write_small_corpus

TEXT = "後継者がいなくて、店をどうするか悩んでいます"


def _second_version(registry: ModelRegistry, source: str = "v1") -> str:
    """Register version ``source``'s pipeline again as a new version (a stand-in for any
    later training: what matters here is what happens to its file)."""
    model, meta = registry.load(source), registry.meta(source)
    report = report_from_dict(meta.metrics)
    result = TrainingResult(model.pipeline, model.thresholds, report, meta.data_hash, meta.examples)
    return registry.register(result).version


def _tamper_one_byte(registry: ModelRegistry, version: str) -> None:
    artifact = registry.root / version / ARTIFACT
    data = bytearray(artifact.read_bytes())
    data[len(data) // 3] ^= 0x01
    artifact.write_bytes(bytes(data))


def _replace_artifact(registry: ModelRegistry, version: str, payload: bytes) -> None:
    """Swap the artifact and make its checksum match, as an attacker with disk access could."""
    artifact = registry.root / version / ARTIFACT
    artifact.write_bytes(payload)
    index = json.loads((registry.root / INDEX).read_text("utf-8"))
    index["versions"][version]["sha256"] = _sha256(artifact)
    (registry.root / INDEX).write_text(json.dumps(index), "utf-8")


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))


class _Untrusted:
    """Any class outside the allowlist."""


# Kills a process the moment a staging directory appears in a models directory. It runs as
# a process of its own: a watching thread in the test would share the GIL with the reader
# thread that keeps loading models, and could miss the staging window (about 80 ms).
_KILL_WHEN_STAGING = """
import os, signal, sys, time
root, pid = sys.argv[1], int(sys.argv[2])
while True:
    try:
        if any(name.startswith(".v") for name in os.listdir(root)):
            os.kill(pid, signal.SIGKILL)
            break
        os.kill(pid, 0)  # still there (or not yet reaped)?
    except ProcessLookupError:
        break
    time.sleep(0.001)
"""


def _serving(home: Path) -> tuple[ModelRegistry, ReloadingUnderstander]:
    registry = ModelRegistry(home / "models")
    return registry, ReloadingUnderstander(registry, registry.load(), check_every=0.000001)


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy) -> Path:
    """A home with a promoted model trained on a reduced corpus (small files, fast loads)."""
    root = tmp_path_factory.mktemp("integrity")
    corpus = write_small_corpus(root / "corpus", taxonomy, per_label=12)
    ensure_classifier(ModelRegistry(root / "home" / "models"), corpus, taxonomy)
    return root / "home"


@pytest.fixture
def home_copy(small_home: Path, tmp_path: Path) -> Path:
    """A private copy of ``small_home`` (this module's tests change the registry)."""
    target = tmp_path / "home"
    shutil.copytree(small_home, target, ignore=shutil.ignore_patterns(".lock", ".training.lock"))
    return target


def test_a_model_changed_by_one_byte_is_refused_and_the_previous_keeps_serving(
    home_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry, understander = _serving(home_copy)
    before = registry.current_version()
    version = _second_version(registry)
    _tamper_one_byte(registry, version)
    monkeypatch.setenv("MADOGUCHI_HOME", str(home_copy))
    assert main(["models", "promote", version]) == 2
    assert "does not match its registered checksum" in capsys.readouterr().err
    assert registry.current_version() == before
    # the index is changed behind the CLI's back: the running service still refuses it
    registry.promote(version)
    assert understander.understand(TEXT).classification.model_version == before
    assert understander.last_error is not None and "ChecksumError" in understander.last_error
    assert any("was not loaded" in r.getMessage() and version in r.getMessage() for r in caplog.records)


def test_a_malicious_pickle_is_refused_never_run_and_the_previous_keeps_serving(
    home_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry, understander = _serving(home_copy)
    before = registry.current_version()
    version = _second_version(registry)
    marker = tmp_path / "pwned"
    _replace_artifact(registry, version, pickle.dumps(_Exploit(marker)))
    monkeypatch.setenv("MADOGUCHI_HOME", str(home_copy))
    assert main(["models", "promote", version]) == 2
    assert "not a readable skops file" in capsys.readouterr().err
    registry.promote(version)
    assert understander.understand(TEXT).classification.model_version == before
    assert "UntrustedModelError" in (understander.last_error or "")
    assert not marker.exists()


def test_a_skops_file_with_an_untrusted_type_is_refused_in_the_hot_reload_path(home_copy: Path) -> None:
    registry, understander = _serving(home_copy)
    before = registry.current_version()
    version = _second_version(registry)
    staging = home_copy / "evil.skops"
    sio.dump({"model": registry.load().pipeline, "extra": _Untrusted()}, staging)
    _replace_artifact(registry, version, staging.read_bytes())
    registry.promote(version)
    assert understander.refresh() is False
    assert "untrusted types" in (understander.last_error or "")
    assert understander.classifier.version == before
    # the good version promoted again afterwards is picked up
    good = _second_version(registry)
    registry.promote(good)
    assert understander.understand(TEXT).classification.model_version == good


def test_a_second_training_is_refused_with_a_clear_message(
    tmp_path: Path, taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    corpus = write_small_corpus(tmp_path / "corpus", taxonomy, per_label=12)
    monkeypatch.setenv("MADOGUCHI_HOME", str(home))
    monkeypatch.setenv("MADOGUCHI_CORPUS_DIR", str(corpus))
    registry = ModelRegistry(home / "models")
    with registry.training_lock():  # another training holds the registry...
        assert main(["train"]) == 2
        assert "another training is already running" in capsys.readouterr().err
        # ...and so it does for a second process, the way two admins would collide
        env = {**os.environ, "MADOGUCHI_HOME": str(home), "MADOGUCHI_CORPUS_DIR": str(corpus)}
        done = subprocess.run([sys.executable, "-m", "madoguchi.cli", "train"], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 2 and "another training is already running" in done.stderr
        with pytest.raises(TrainingInProgressError), registry.training_lock():
            pass
    assert registry.versions() == []
    assert main(["train"]) == 0  # the lock is free again
    assert [m.version for m in registry.versions()] == ["v1"]


def test_nobody_sees_a_half_written_model(tmp_path: Path, taxonomy: Taxonomy) -> None:
    """A reader lists and loads every version while trainings register new ones; a training
    killed at an arbitrary moment leaves no version behind a name and no lock held."""
    home = tmp_path / "home"
    corpus = write_small_corpus(tmp_path / "corpus", taxonomy, per_label=12)
    env = {**os.environ, "MADOGUCHI_HOME": str(home), "MADOGUCHI_CORPUS_DIR": str(corpus)}
    command = [sys.executable, "-m", "madoguchi.cli", "train"]
    ensure_classifier(ModelRegistry(home / "models"), corpus, taxonomy)
    registry = ModelRegistry(home / "models")
    seen: set[str] = set()
    problems: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.wait(0.01):
            for meta in ModelRegistry(home / "models").versions():
                try:
                    classifier: Classifier = registry.load(meta.version)
                except Exception as exc:  # any failure is what this test looks for
                    problems.append(f"{meta.version}: {type(exc).__name__}: {exc}")
                else:
                    seen.add(classifier.version)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(2):  # two more trainings register while the reader reads
            train_and_register(registry, corpus, taxonomy)
        # a third training is killed the moment its staging directory appears: mid-write
        killed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        watcher = subprocess.Popen([sys.executable, "-c", _KILL_WHEN_STAGING, str(home / "models"), str(killed.pid)])
        try:
            killed.wait(timeout=120)
            watcher.wait(timeout=60)
        finally:
            for process in (killed, watcher):
                if process.poll() is None:
                    process.kill()
                    process.wait()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert problems == []
    assert killed.returncode == -signal.SIGKILL, "the training finished before it could be killed mid-write"
    assert seen == {"v1", "v2", "v3"}
    assert [m.version for m in registry.versions()] == ["v1", "v2", "v3"]
    for meta in registry.versions():
        registry.load(meta.version)  # whatever was named is complete and verified
    with registry.training_lock():  # a killed training holds no lock
        assert registry.register(train(load_corpus(corpus, taxonomy.ids), folds=2)).version == "v4"
