"""The model registry: versions, checksums, safe loading, promotion and rollback."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import zipfile
from pathlib import Path

import pytest

from nlp.corpus import Example
from nlp.registry import (
    ARTIFACT,
    ChecksumError,
    IncompatibleModelError,
    ModelNotFoundError,
    ModelRegistry,
    UntrustedModelError,
)
from nlp.training import TrainingResult, train
from nlp.vectors import word_vectors

_WORDS = {
    "succession": ["後継者", "跡継ぎ", "息子が継がない", "引退", "事業を譲る"],
    "financing": ["融資", "資金繰り", "補助金", "返済", "借入"],
    "other": ["こんにちは", "テスト", "天気", "ありがとう", "おなかすいた"],
}


class Payload:
    """An arbitrary class: skops can store it, but it is not on our allowlist."""

    def __init__(self) -> None:
        self.value = 1


def _examples() -> list[Example]:
    examples = []
    for label, words in _WORDS.items():
        for i in range(20):
            text = f"{words[i % 5]}のことで相談です。{words[(i + 2) % 5]}も気になります。"
            examples.append(Example(text, label))
    return examples


@pytest.fixture(scope="module")
def small_result() -> TrainingResult:
    return train(_examples(), folds=3)


def test_register_load_and_metadata(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    meta = registry.register(small_result)
    assert meta.version == "v1"
    assert registry.current_version() is None  # registering does not promote
    registry.promote("v1")
    model = registry.load()
    assert model.version == "v1"
    assert set(model.labels) == set(_WORDS)
    stored = registry.meta("v1")
    assert stored.sha256 == meta.sha256 and len(stored.sha256) == 64
    assert stored.data_hash == small_result.data_hash
    assert {"scikit-learn", "numpy", "fugashi", "python"} <= set(stored.libraries)
    assert stored.metrics["macro_f1"] == small_result.report.macro_f1
    assert set(stored.thresholds["confidence"]) == set(_WORDS)
    view = small_result.pipeline.named_steps["features"].named_transformers_["vectors"]
    assert stored.word_vectors == view.table_digest_ == word_vectors().digest


def test_versions_promote_rollback(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    for _ in range(3):
        registry.register(small_result)
    assert [m.version for m in registry.versions()] == ["v1", "v2", "v3"]
    registry.promote("v1")
    registry.promote("v3")
    assert registry.load().version == "v3"
    assert registry.rollback() == "v1"
    assert registry.current_version() == "v1"
    with pytest.raises(ModelNotFoundError):
        registry.rollback()
    with pytest.raises(ModelNotFoundError):
        registry.promote("v9")


def test_a_model_fitted_with_other_word_vectors_is_refused(tmp_path: Path, small_result: TrainingResult) -> None:
    """A rebuilt nlp/word_vectors.npz gives each lemma another vector: a model fitted with
    the old table would score nonsense, so loading it names the problem instead."""
    pipeline = copy.deepcopy(small_result.pipeline)
    pipeline.named_steps["features"].named_transformers_["vectors"].table_digest_ = "0" * 64
    registry = ModelRegistry(tmp_path)
    registry.register(dataclasses.replace(small_result, pipeline=pipeline))
    registry.promote("v1")
    with pytest.raises(IncompatibleModelError, match=r"model v1 .* other word vectors"):
        registry.load()


def test_no_model_yet(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        ModelRegistry(tmp_path).load()


def test_one_changed_byte_is_refused(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    registry.register(small_result)
    registry.promote("v1")
    artifact = tmp_path / "v1" / ARTIFACT
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0x01
    artifact.write_bytes(bytes(data))
    with pytest.raises(ChecksumError):
        registry.load()


def test_malicious_pickle_is_never_unpickled(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    registry.register(small_result)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    artifact = tmp_path / "v1" / ARTIFACT
    artifact.write_bytes(pickle.dumps(Exploit()))
    _rewrite_checksum(tmp_path, "v1", artifact)  # even with a matching checksum...
    with pytest.raises(UntrustedModelError):
        registry.load("v1")
    assert not marker.exists()


def test_untrusted_type_inside_skops_is_refused(tmp_path: Path, small_result: TrainingResult) -> None:
    import skops.io as sio

    registry = ModelRegistry(tmp_path)
    registry.register(small_result)
    artifact = tmp_path / "v1" / ARTIFACT
    sio.dump({"model": small_result.pipeline, "extra": Payload()}, artifact)
    _rewrite_checksum(tmp_path, "v1", artifact)
    with pytest.raises(UntrustedModelError):
        registry.load("v1")


def test_a_zip_that_is_not_skops_is_refused(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    registry.register(small_result)
    artifact = tmp_path / "v1" / ARTIFACT
    with zipfile.ZipFile(artifact, "w") as archive:
        archive.writestr("schema.json", "{not json")
    _rewrite_checksum(tmp_path, "v1", artifact)
    with pytest.raises(UntrustedModelError):
        registry.load("v1")


def test_no_half_written_versions(tmp_path: Path, small_result: TrainingResult) -> None:
    registry = ModelRegistry(tmp_path)
    registry.register(small_result)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".v")]
    assert leftovers == []


def _rewrite_checksum(root: Path, version: str, artifact: Path) -> None:
    import hashlib

    index_path = root / "registry.json"
    index = json.loads(index_path.read_text("utf-8"))
    index["versions"][version]["sha256"] = hashlib.sha256(artifact.read_bytes()).hexdigest()
    index_path.write_text(json.dumps(index), "utf-8")
