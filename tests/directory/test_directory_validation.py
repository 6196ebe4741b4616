"""Bad directory files: every kind of mistake is refused with its file and line, and the
database stays exactly as it was (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from madoguchi.cli import main
from nlp.taxonomy import load_taxonomy
from storage.database import Database
from storage.directory import Directory, dump_csv, import_directory, load_directory
from storage.errors import DirectoryFileError

CATEGORIES = [c.id for c in load_taxonomy().categories if c.routable]

BASE = """\
hubs:
  - id: hub-1
    name: 【サンプル】松本みらい商工会議所
    type: 商工会議所
    prefecture: 長野県
    municipality: 松本市
    succession_center: true
    slack_channel: CEXAMPLE01
  - id: hub-2
    name: 【サンプル】読谷うみかぜ商工会
    type: 商工会等
    prefecture: 沖縄県
coordinators:
  - id: co-1
    hub: hub-1
    name: 【サンプル】中村 恵
    kind: external
    qualifications: [中小企業診断士, 税理士]
    specialities: [succession, management]
    capacity: 8
    slack_user: UEXAMPLE01
  - id: co-2
    hub: hub-2
    name: 【サンプル】小林 修
    kind: internal
    qualifications: [経営指導員]
    capacity: 10
partners:
  - id: pa-1
    hub: hub-1
    name: 【サンプル】あずさ信用金庫
    type: 金融機関
"""


def base_directory() -> Directory:
    return load_directory_text(BASE, ".yaml")


def load_directory_text(text: str, suffix: str, tmp: Path | None = None) -> Directory:
    path = (tmp or Path(__import__("tempfile").mkdtemp())) / f"d{suffix}"
    path.write_text(text, encoding="utf-8")
    return load_directory(path, categories=CATEGORIES)


BASE_CSV = dump_csv(base_directory())


@dataclass(frozen=True)
class Mistake:
    """A change to the valid base file, the line it should be reported on (the first
    line containing ``marker``, or ``line``), and words of the expected message."""

    name: str
    old: str
    new: str
    marker: str | None
    message: str
    suffix: str = ".yaml"
    line: int | None = None
    encoding: str = "utf-8"

    def content(self) -> bytes:
        base = BASE if self.suffix == ".yaml" else BASE_CSV
        assert self.old in base, self.name
        return base.replace(self.old, self.new, 1).encode(self.encoding)

    def expected_line(self) -> int:
        if self.line is not None:
            return self.line
        text = self.content().decode(self.encoding)
        assert self.marker is not None
        return next(n for n, line in enumerate(text.splitlines(), 1) if self.marker in line)


MISTAKES = [
    Mistake("unknown prefecture", "prefecture: 沖縄県", "prefecture: 沖縄剣", "沖縄剣", "unknown prefecture '沖縄剣'"),
    Mistake("unknown hub type", "type: 商工会等", "type: 商工会所", "商工会所", "unknown type '商工会所' for a hub"),
    Mistake("duplicate id", "  - id: hub-2", "  - id: hub-1", None, "duplicate hub id 'hub-1' (first used on line 2)",
            line=9),
    Mistake("coordinator of a missing hub", "hub: hub-2", "hub: hub-9", "hub-9", "names hub 'hub-9', which is not in"),
    Mistake("partner of a missing hub", "    hub: hub-1\n    name: 【サンプル】あずさ", "    hub: hub-7\n    name: 【サンプル】あずさ",
            "hub-7", "partner 'pa-1' names hub 'hub-7'"),
    Mistake("bad Slack user id", "slack_user: UEXAMPLE01", "slack_user: '@nakamura'", "@nakamura",
            "'slack_user' must be a Slack user id"),
    Mistake("bad Slack channel id", "slack_channel: CEXAMPLE01", "slack_channel: general", "general",
            "'slack_channel' must be a Slack channel id"),
    Mistake("unknown coordinator kind", "kind: internal", "kind: staff", "staff", "unknown kind 'staff'"),
    Mistake("unknown qualification", "[経営指導員]", "[経営指導員, 宇宙飛行士]", "宇宙飛行士", "unknown qualification '宇宙飛行士'"),
    Mistake("unknown speciality", "[succession, management]", "[succession, marketing]", "marketing",
            "unknown speciality (category id) 'marketing'"),
    Mistake("capacity not a number", "capacity: 10", "capacity: many", "many", "'capacity' must be a whole number"),
    Mistake("capacity out of range", "capacity: 8", "capacity: -3", "-3", "from 0 to 200, not '-3'"),
    Mistake("missing name", "    name: 【サンプル】小林 修\n", "", "id: co-2", "coordinator is missing 'name'"),
    Mistake("unknown field", "    prefecture: 長野県", "    prefcture: 長野県", "prefcture",
            "field 'prefcture' does not apply to a hub"),
    Mistake("municipality outside the prefecture", "municipality: 松本市", "municipality: 那覇市", "那覇市",
            "municipality '那覇市' is not in 長野県"),
    Mistake("not a boolean", "succession_center: true", "succession_center: maybe", "maybe",
            "'succession_center' must be true or false"),
    Mistake("id with a space", "  - id: co-1", "  - id: co 1", "co 1", "'id' 'co 1' may only hold"),
    Mistake("numeric id", "  - id: pa-1", "  - id: 0012", "0012", "'id' must be text (quote it"),
    Mistake("unknown partner type", "type: 金融機関", "type: 銀行", "銀行", "unknown type '銀行' for a partner"),
    Mistake("active member of an inactive hub", "    prefecture: 沖縄県\n", "    prefecture: 沖縄県\n    active: false\n",
            "id: co-2", "active coordinator 'co-2' belongs to inactive hub 'hub-2'"),
    Mistake("broken YAML", "    kind: external", "    kind: [external", None, "not valid YAML", line=17),
    Mistake("unknown section", "partners:", "partner:", "partner:", "unknown section 'partner'"),
    Mistake("no hubs at all", BASE.split("coordinators:")[0], "hubs: []\n", None,
            "the file lists no hubs", line=1),
    Mistake("not UTF-8", "hubs:", "hubs:", None, "not UTF-8 text", line=3, encoding="shift_jis"),
    Mistake("CSV unknown column", "prefecture,", "pref,", "pref,", "unknown column 'pref'", ".csv"),
    Mistake("CSV unknown record", "\nhub,hub-2,", "\nhab,hub-2,", "hab,", "unknown record 'hab'", ".csv"),
    Mistake("CSV field of another record", "coordinator,co-2,hub-2,【サンプル】小林 修,,internal,,",
            "coordinator,co-2,hub-2,【サンプル】小林 修,,internal,長野県,", "co-2",
            "field 'prefecture' does not apply to a coordinator", ".csv"),
    Mistake("CSV short row", "partner,pa-1,hub-1,【サンプル】あずさ信用金庫,金融機関,,,,,,,,,,",
            "partner,pa-1,hub-1,【サンプル】あずさ信用金庫,金融機関", "partner,pa-1", "expected 15 columns, found 5",
            ".csv"),
    Mistake("CSV unknown institution type", "hub,hub-1,,【サンプル】松本みらい商工会議所,商工会議所,",
            "hub,hub-1,,【サンプル】松本みらい商工会議所,商工会議書,", "商工会議書", "unknown type '商工会議書'", ".csv"),
]  # fmt: skip
IDS = [m.name for m in MISTAKES]


def test_the_base_files_are_valid(tmp_path: Path) -> None:
    assert len(base_directory().hubs) == 2
    assert load_directory_text(BASE_CSV, ".csv", tmp_path) == base_directory()


def test_the_table_has_at_least_ten_kinds_of_mistake() -> None:
    assert len({m.name for m in MISTAKES}) >= 10


def write(mistake: Mistake, tmp_path: Path) -> Path:
    path = tmp_path / f"directory{mistake.suffix}"
    path.write_bytes(mistake.content())
    return path


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_a_mistake_is_reported_with_file_and_line(mistake: Mistake, tmp_path: Path) -> None:
    path = write(mistake, tmp_path)
    with pytest.raises(DirectoryFileError) as refused:
        load_directory(path, categories=CATEGORIES)
    found = [p for p in refused.value.problems if mistake.message in p.message]
    assert found, [str(p) for p in refused.value.problems]
    assert found[0].line == mistake.expected_line()
    assert f"{path}:{mistake.expected_line()}: " in str(refused.value)


def test_every_mistake_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace("prefecture: 沖縄県", "prefecture: 沖縄剣").replace("kind: internal", "kind: staff")
    text = text.replace("type: 金融機関", "type: 銀行")
    with pytest.raises(DirectoryFileError) as refused:
        load_directory_text(text, ".yaml", tmp_path)
    assert [p.line for p in refused.value.problems] == [12, 25, 32]
    assert str(refused.value).startswith("directory file refused (3 problems); nothing was changed")


def database_state(db: Database) -> dict[str, list[Any]]:
    """Every row of every table, to compare before and after."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(tuple(map(str, row)) for row in connection.execute(sa.select(table)))
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_a_refused_file_leaves_the_database_unchanged(
    mistake: Mistake,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with db.unit_of_work() as session:
        import_directory(session, directory=base_directory(), actor="test")
    before = database_state(db)
    path = write(mistake, tmp_path)
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    assert main(["directory", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nothing was changed" in err and f"{path}:{mistake.expected_line()}: " in err
    assert database_state(db) == before
