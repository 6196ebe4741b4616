"""A fresh checkout builds the sample, imports, exports and prints stats, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from madoguchi.cli import main
from nlp.geo import PREFECTURES, REGIONS
from storage.database import Database
from storage.directory import build_sample, dump_yaml
from storage.repositories import directory

Cli = Callable[..., tuple[int, str, str]]

EXPECTED_BY_TYPE = {
    "商工会等": {"hubs": 78, "succession_centers": 41},
    "商工会議所": {"hubs": 119, "succession_centers": 49},
    "中小企業中央会": {"hubs": 37, "succession_centers": 2},
    "地方銀行": {"hubs": 7, "succession_centers": 0},
    "信用金庫": {"hubs": 12, "succession_centers": 0},
    "信用組合": {"hubs": 4, "succession_centers": 0},
    "都道府県支援センター": {"hubs": 41, "succession_centers": 10},
    "株式会社・NPO": {"hubs": 4, "succession_centers": 0},
    "大学": {"hubs": 1, "succession_centers": 0},
    "農協": {"hubs": 5, "succession_centers": 0},
    "その他": {"hubs": 8, "succession_centers": 0},
}
EXPECTED_PARTNERS = {
    "金融機関": 500,
    "大学": 150,
    "公設試": 100,
    "農協": 70,
    "漁協": 30,
    "職業訓練校": 280,
    "建設業協会": 260,
    "その他": 650,
}


@pytest.fixture
def cli(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """Run ``madoguchi ARGS`` in-process on the test database; returns (code, out, err)."""
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def stats_json(cli: Cli) -> dict[str, Any]:
    code, out, _ = cli("directory", "stats", "--json")
    assert code == 0
    stats: dict[str, Any] = json.loads(out)
    return stats


def test_sample_import_export_and_stats(cli: Cli, db: Database, tmp_path: Path) -> None:
    code, out, _ = cli("directory", "sample")
    assert code == 0 and "316 new" in out and "800 new" in out and "2040 new" in out

    stats = stats_json(cli)
    assert list(stats) == ["hubs", "coordinators", "partners"]
    hubs = stats["hubs"]
    assert list(hubs) == ["total", "succession_centers", "by_type", "by_region", "by_prefecture"]
    assert (hubs["total"], hubs["succession_centers"]) == (316, 102)
    assert hubs["by_type"] == EXPECTED_BY_TYPE and list(hubs["by_type"]) == list(EXPECTED_BY_TYPE)
    assert list(hubs["by_region"]) == list(REGIONS) and sum(hubs["by_region"].values()) == 316
    assert (
        list(hubs["by_prefecture"]) == [p.name for p in PREFECTURES]
        and min(hubs["by_prefecture"].values()) >= 1
    )
    assert stats["coordinators"] == {"total": 800, "external": 430, "internal": 370}
    assert stats["partners"] == {"total": 2040, "by_type": EXPECTED_PARTNERS}

    code, out, _ = cli("directory", "stats")
    assert code == 0 and "hubs: 316 (succession centres 102)" in out and "prefectures covered: 47/47" in out

    yaml_file, csv_file = tmp_path / "export.yaml", tmp_path / "export.csv"
    assert cli("directory", "export", str(yaml_file))[0] == 0
    assert cli("directory", "export", str(csv_file))[0] == 0
    assert yaml_file.read_text("utf-8").split("\n", 1)[1] == dump_yaml(build_sample()).split("\n", 1)[1]

    code, out, _ = cli("directory", "sample")  # again: nothing to do
    assert code == 0 and "no changes" in out
    code, out, _ = cli("directory", "import", str(yaml_file))
    assert code == 0 and "no changes" in out

    with db.write_engine.begin() as connection:  # a fresh database, then the CSV export
        for table in ("audit_log", "partner", "coordinator", "hub"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    assert cli("directory", "import", str(csv_file))[0] == 0
    assert stats_json(cli) == stats
    again = tmp_path / "again.yaml"
    assert cli("directory", "export", str(again))[0] == 0
    assert again.read_bytes() == yaml_file.read_bytes()


def test_sample_out_writes_a_file_and_leaves_the_database_alone(
    cli: Cli, db: Database, tmp_path: Path
) -> None:
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    assert cli("directory", "sample", "--out", str(first))[0] == 0
    assert cli("directory", "sample", "--out", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text("utf-8").startswith("# SAMPLE DATA built by `madoguchi directory sample`")
    with db.session() as session:
        assert directory.is_empty(session)
    code, out, _ = cli("directory", "import", str(first))
    assert code == 0 and "316 new" in out


def test_sample_does_not_replace_a_real_directory(cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(
        "hubs:\n  - {id: h1, name: 松本テスト商工会議所, type: 商工会議所, prefecture: 長野県}\n",
        encoding="utf-8",
    )
    assert cli("directory", "import", str(real))[0] == 0
    code, _, err = cli("directory", "sample")
    assert code == 2 and "holds a real directory (1 active hubs" in err
    code, out, _ = cli("directory", "sample", "--replace")
    assert code == 0 and "316 new" in out
    assert stats_json(cli)["hubs"]["total"] == 316  # the real hub is deactivated, not deleted


def test_stats_of_an_empty_database_have_the_full_shape(cli: Cli) -> None:
    stats = stats_json(cli)
    assert stats["hubs"]["total"] == 0 and len(stats["hubs"]["by_prefecture"]) == 47
    assert stats["hubs"]["by_type"]["大学"] == {"hubs": 0, "succession_centers": 0}
    assert stats["partners"]["by_type"]["漁協"] == 0


def test_unknown_file_and_format_are_clear_errors(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("directory", "import", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read the file" in err
    odd = tmp_path / "directory.json"
    odd.write_text("{}", encoding="utf-8")
    code, _, err = cli("directory", "import", str(odd))
    assert code == 2 and "unknown format '.json'; use .yaml, .yml or .csv" in err
    code, _, err = cli("directory", "export", str(tmp_path / "out.txt"))
    assert code == 2 and "unknown format '.txt'" in err
