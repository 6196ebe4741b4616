"""Hostile text through directory import: names are kept exactly as written, a name that
no text column can hold is refused with its line, and nothing reaches Slack live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from madoguchi.cli import main
from models import Coordinator, Hub, Partner
from storage.database import Database
from tests.reliability.hostile import FRAGMENTS
from tests.support import EXAMPLE_DIRECTORY

# a name is one line of text: these are refused (with the line), not silently changed
UNFIT_FOR_A_NAME = {"nul", "newlines", "lone_surrogate"}


@pytest.fixture
def run(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))

    def cli(*args: str) -> tuple[int, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    yield cli


def _example() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE_DIRECTORY.read_text("utf-8"))
    return loaded


def _names(db: Database) -> set[str]:
    with db.session() as session:
        return {row.name for kind in (Hub, Coordinator, Partner) for row in session.exec(select(kind))}


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8", errors="surrogatepass")
    return path


def test_hostile_names_are_stored_exactly_as_written(run: Any, db: Database, tmp_path: Path) -> None:
    data = _example()
    slots = [*data["hubs"], *data["coordinators"], *data["partners"]]
    fit = [(name, fragment) for name, fragment in FRAGMENTS if name not in UNFIT_FOR_A_NAME]
    assert len(slots) >= len(fit)
    expected = set()
    for entry, (_, fragment) in zip(slots, fit, strict=False):
        entry["name"] = f"【サンプル】{fragment}"
        expected.add(entry["name"])
    code, out = run("directory", "import", str(_write(tmp_path / "hostile.yaml", data)))
    assert code == 0, out
    assert "Traceback" not in out
    assert expected <= _names(db)  # bidi, zero-width, mentions, markup: kept as written


@pytest.mark.parametrize("fragment", sorted(UNFIT_FOR_A_NAME))
def test_a_name_no_column_can_hold_is_refused_with_its_line(
    fragment: str, run: Any, db: Database, tmp_path: Path
) -> None:
    data = _example()
    data["hubs"][1]["name"] = "【サンプル】" + dict(FRAGMENTS)[fragment]
    code, out = run("directory", "import", str(_write(tmp_path / "bad.yaml", data)))
    assert code == 2, out
    assert out.count("error:") == 1 and "Traceback" not in out
    assert "bad.yaml:" in out  # the file and line of the problem
    assert _names(db) == set()  # nothing was imported


def test_a_file_that_is_not_utf8_is_refused_clearly(run: Any, db: Database, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(EXAMPLE_DIRECTORY.read_bytes().replace("松本".encode(), b"\xff\xfe\x00", 1))
    code, out = run("directory", "import", str(broken))
    assert code == 2, out
    assert "error:" in out and "Traceback" not in out
    assert _names(db) == set()
