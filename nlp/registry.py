"""The model registry: versioned, checksummed classifier artifacts on disk.

Layout under the registry root::

    registry.json          index: current version, promotion history, sha256 per version
    v3/model.skops         the fitted pipeline, serialised with skops (no pickle)
    v3/meta.json           data hash, library versions, metrics, thresholds, cue lexicon and
                           word-vector digests

Loading verifies the artifact's sha256 against the index before reading a byte of it, and
skops refuses any type outside an explicit allowlist, so a tampered or malicious file is
never executed. Writes go to a temporary directory renamed into place under a file lock.

Errors::

    ModelError
    ├── ModelNotFoundError
    ├── ChecksumError
    ├── UntrustedModelError
    ├── IncompatibleModelError   fitted with another word-vector table
    └── TrainingInProgressError

One training at a time: `training_lock` holds ``.training.lock`` for the whole run; a
second `madoguchi train` is refused at once with a clear message (it would only repeat
the same work), while the first-run bootstrap waits for the lock and then uses the model
the other process promoted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import skops.io as sio

from nlp.classifier import Classifier, Thresholds
from nlp.cues import cue_lexicon
from nlp.features import word_vector_view
from nlp.training import TrainingResult
from nlp.vectors import WordVectorsError

ARTIFACT = "model.skops"
META = "meta.json"
INDEX = "registry.json"
# sklearn's calibration keeps its fitted calibrators in private classes; these two and our
# word-vector view, and nothing else outside skops' defaults, may appear in an artifact.
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
    "nlp.vectors.SifEmbedding",  # ours: fitted state is two arrays and a digest
)
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "skops", "fugashi", "unidic-lite")


class ModelError(RuntimeError):
    """Base class of registry errors."""


class ModelNotFoundError(ModelError):
    """No such version, or no model at all."""


class ChecksumError(ModelError):
    """The artifact's bytes differ from what was registered."""


class IncompatibleModelError(ModelError):
    """The model was fitted with resources this checkout no longer has (word vectors)."""


class UntrustedModelError(ModelError):
    """The artifact contains types outside the allowlist."""


class TrainingInProgressError(ModelError):
    """Another process is training into this registry."""


@dataclass(frozen=True, slots=True)
class ModelMeta:
    """What is known about one registered version."""

    version: str
    created_at: str
    sha256: str
    data_hash: str
    examples: int
    libraries: dict[str, str]
    metrics: dict[str, Any]
    thresholds: dict[str, Any]
    # the score on the fixed evaluation split: {"data_hash", "report", "predictions"}
    evaluation: dict[str, Any] = field(default_factory=dict)
    # where the training examples came from: {"corpus": n, "feedback:coordinator": n, ...}
    sources: dict[str, int] = field(default_factory=dict)
    # sha256 of the cue lexicon the features were built with ("" in versions before it)
    cue_lexicon: str = ""
    # sha256 of the word-vector table the features were built with ("" before there was one)
    word_vectors: str = ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def _write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: readers see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ModelRegistry:
    """Versions of the classifier kept under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def training_lock(self, wait: bool = False) -> Iterator[None]:
        """Hold the registry's training lock; without ``wait`` a held lock raises
        `TrainingInProgressError` at once."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".training.lock").open("a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as exc:
                raise TrainingInProgressError(
                    "another training is already running for this registry; wait for it to finish"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _index(self) -> dict[str, Any]:
        path = self.root / INDEX
        if not path.exists():
            return {"current": None, "history": [], "versions": {}}
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def index_mtime(self) -> float:
        """When the index last changed (running services poll this to pick up promotions)."""
        path = self.root / INDEX
        return path.stat().st_mtime if path.exists() else 0.0

    def current_version(self) -> str | None:
        """The promoted version, if any."""
        current: str | None = self._index()["current"]
        return current

    def versions(self) -> list[ModelMeta]:
        """Every registered version, oldest first."""
        index = self._index()
        return [self.meta(v) for v in sorted(index["versions"], key=_version_number)]

    def meta(self, version: str) -> ModelMeta:
        """The metadata of one version."""
        path = self.root / version / META
        if version not in self._index()["versions"] or not path.exists():
            raise ModelNotFoundError(f"no model version {version!r}")
        return ModelMeta(**json.loads(path.read_text("utf-8")))

    def previous_version(self) -> str | None:
        """The version `rollback` would return to."""
        history: list[str] = self._index()["history"]
        return history[-1] if history else None

    def register(
        self,
        result: TrainingResult,
        evaluation: dict[str, Any] | None = None,
        sources: dict[str, int] | None = None,
    ) -> ModelMeta:
        """Store a trained model as a new version (not yet promoted).

        The artifact and its metadata are written into a hidden staging directory that is
        renamed into place, and only then is the index updated: a crash at any moment
        leaves no half-written version behind a name.
        """
        with self._locked():
            index = self._index()
            number = max((_version_number(v) for v in index["versions"]), default=0) + 1
            version = f"v{number}"
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{version}."))
            try:
                artifact = staging / ARTIFACT
                sio.dump(result.pipeline, artifact)
                view = word_vector_view(result.pipeline)
                meta = ModelMeta(
                    version=version,
                    created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    sha256=_sha256(artifact),
                    data_hash=result.data_hash,
                    examples=result.examples,
                    libraries=_library_versions(),
                    metrics=result.report.as_dict(),
                    thresholds=asdict(result.thresholds),
                    evaluation=dict(evaluation or {}),
                    sources=dict(sources or {}),
                    cue_lexicon=cue_lexicon().digest,
                    word_vectors=str(view.table_digest_) if view is not None else "",
                )
                _write_json(staging / META, asdict(meta))
                _fsync_dir(staging)
                staging.rename(self.root / version)
                _fsync_dir(self.root)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            index["versions"][version] = {"sha256": meta.sha256, "created_at": meta.created_at}
            _write_json(self.root / INDEX, index)
            return meta

    def promote(self, version: str) -> None:
        """Make ``version`` the one every service loads."""
        with self._locked():
            index = self._index()
            if version not in index["versions"]:
                raise ModelNotFoundError(f"no model version {version!r}")
            if index["current"] and index["current"] != version:
                index["history"].append(index["current"])
            index["current"] = version
            _write_json(self.root / INDEX, index)

    def rollback(self) -> str:
        """Return to the previously promoted version and return its id."""
        with self._locked():
            index = self._index()
            if not index["history"]:
                raise ModelNotFoundError("there is no earlier promoted version to roll back to")
            index["current"] = index["history"].pop()
            _write_json(self.root / INDEX, index)
            current: str = index["current"]
            return current

    def set_evaluation(self, version: str, evaluation: dict[str, Any]) -> ModelMeta:
        """Store the fixed-split score of an older version measured later (atomic write)."""
        with self._locked():
            meta = self.meta(version)
            updated = ModelMeta(**{**asdict(meta), "evaluation": dict(evaluation)})
            _write_json(self.root / version / META, asdict(updated))
            return updated

    def load(self, version: str | None = None) -> Classifier:
        """Verify and load ``version`` (default: the promoted one)."""
        index = self._index()
        chosen = version or index["current"]
        if chosen is None:
            raise ModelNotFoundError("no model has been promoted yet")
        entry = index["versions"].get(chosen)
        artifact = self.root / chosen / ARTIFACT
        if entry is None or not artifact.exists():
            raise ModelNotFoundError(f"no model version {chosen!r}")
        data = artifact.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ChecksumError(f"model {chosen} does not match its registered checksum")
        try:
            untrusted = set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
        except Exception as exc:  # skops raises many types for a broken archive
            raise UntrustedModelError(f"model {chosen} is not a readable skops file: {exc}") from exc
        if untrusted:
            raise UntrustedModelError(f"model {chosen} contains untrusted types: {sorted(untrusted)}")
        pipeline = sio.loads(data, trusted=list(TRUSTED_TYPES))
        meta = self.meta(chosen)
        try:
            return Classifier(pipeline, Thresholds(**meta.thresholds), chosen)
        except WordVectorsError as exc:
            raise IncompatibleModelError(f"model {chosen} cannot be used: {exc}") from exc


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: a power cut after it must not bring the old name back."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _version_number(version: str) -> int:
    return int(version.lstrip("v")) if version.lstrip("v").isdigit() else 0
