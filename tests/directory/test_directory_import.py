"""Importing the directory: idempotent, updates in place, deactivates what disappeared and
keeps the history of leads (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from madoguchi.cli import main
from models import AuditLog, Coordinator, Hub, LeadBase, LeadStatus, Partner
from nlp.taxonomy import load_taxonomy
from storage.database import Database
from storage.directory import Directory, directory_stats, dump_yaml, import_directory, load_directory
from storage.repositories import assignments, directory, leads

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_YAML = ROOT / "data" / "directory" / "example.yaml"
EXAMPLE_CSV = ROOT / "data" / "directory" / "example.csv"
CATEGORIES = [c.id for c in load_taxonomy().categories if c.routable]


def example() -> Directory:
    return load_directory(EXAMPLE_YAML, categories=CATEGORIES)


def load(db: Database, value: Directory) -> dict[str, dict[str, int]]:
    with db.unit_of_work() as session:
        return import_directory(session, directory=value, actor="test").as_dict()


def audit_count(db: Database) -> int:
    with db.session() as session:
        return len(list(session.exec(select(AuditLog.id))))


def test_the_documented_examples_agree() -> None:
    assert load_directory(EXAMPLE_CSV, categories=CATEGORIES) == example()
    docs = (ROOT / "docs" / "directory-format.md").read_text("utf-8")
    assert "record,id,hub,name,type,kind,prefecture" in docs and EXAMPLE_CSV.read_text("utf-8").startswith(
        "record,id,hub,name,type,kind,prefecture,municipality,succession_center,slack_channel,slack_user,"
    )


def test_reimporting_the_same_file_changes_nothing(db: Database) -> None:
    first = load(db, example())
    assert first["created"] == {"hubs": 6, "coordinators": 7, "partners": 7}
    with db.session() as session:
        stamps = {h.id: h.updated_at for h in session.exec(select(Hub))}
        hub = session.get(Hub, "hub-okinawa-01")
        assert hub is not None and (hub.prefecture, hub.region) == ("沖縄県", "沖縄")  # 「沖縄」 in the file
    audited = audit_count(db)
    again = load(db, load_directory(EXAMPLE_CSV, categories=CATEGORIES))
    assert again["unchanged"] == {"hubs": 6, "coordinators": 7, "partners": 7}
    assert sum(sum(again[k].values()) for k in ("created", "updated", "deactivated")) == 0
    assert audit_count(db) == audited
    with db.session() as session:
        assert {h.id: h.updated_at for h in session.exec(select(Hub))} == stamps


def test_an_edited_file_updates_in_place_and_deactivates_what_disappeared(db: Database) -> None:
    load(db, example())
    with db.session() as session:
        created = {c.id: c.created_at for c in session.exec(select(Coordinator))}
    text = dump_yaml(example())
    text = text.replace("【サンプル】松本みらい商工会議所", "【サンプル】松本みらい商工会議所 本所")
    text = text.replace("capacity: 8", "capacity: 12")
    edited = load_directory_from(text)
    edited = Directory(
        hubs=edited.hubs,
        coordinators=tuple(c for c in edited.coordinators if c.id != "co-nagano-03"),
        partners=tuple(p for p in edited.partners if p.id != "pa-okinawa-02"),
    )
    summary = load(db, edited)
    assert summary["updated"] == {"hubs": 1, "coordinators": 1, "partners": 0}
    assert summary["deactivated"] == {"hubs": 0, "coordinators": 1, "partners": 1}
    with db.session() as session:
        person = session.get(Coordinator, "co-nagano-01")
        assert person is not None and person.capacity == 12 and person.created_at == created["co-nagano-01"]
        gone = session.get(Coordinator, "co-nagano-03")
        assert gone is not None and not gone.active
        partner = session.get(Partner, "pa-okinawa-02")
        assert partner is not None and not partner.active
        rows = session.exec(select(AuditLog).where(AuditLog.action != "created").order_by(col(AuditLog.id)))
        changes = {(row.entity, row.entity_id, row.action): row.changes for row in rows}
    assert changes[("hub", "hub-nagano-01", "updated")] == {
        "name": ["【サンプル】松本みらい商工会議所", "【サンプル】松本みらい商工会議所 本所"]
    }
    assert changes[("coordinator", "co-nagano-01", "updated")] == {"capacity": [8, 12]}
    assert changes[("coordinator", "co-nagano-03", "deactivated")] == {"active": [True, False]}


def load_directory_from(text: str) -> Directory:
    path = Path(__import__("tempfile").mkdtemp()) / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    return load_directory(path, categories=CATEGORIES)


def test_leads_keep_their_hub_and_coordinator_when_they_leave(db: Database) -> None:
    load(db, example())
    with db.unit_of_work() as session:
        data = LeadBase(
            channel="console", chat_id="c1", text="事業承継の相談", label="succession", prefecture="長野県"
        )
        lead = leads.create_lead(session, data=data, actor="test")
        assignments.record_assignment(session, lead=lead, hub_id="hub-nagano-01", coordinator_id="co-nagano-01",
                                      reasons=["長野県内の事業承継支援センター"])  # fmt: skip
    without_nagano = Directory(
        hubs=tuple(h for h in example().hubs if h.id != "hub-nagano-01"),
        coordinators=tuple(c for c in example().coordinators if c.hub != "hub-nagano-01"),
        partners=tuple(p for p in example().partners if p.hub != "hub-nagano-01"),
    )
    summary = load(db, without_nagano)
    assert summary["deactivated"] == {"hubs": 1, "coordinators": 2, "partners": 1}
    with db.session() as session:
        kept = leads.get_lead(session, lead_id=lead.id or 0)
        assert kept is not None and (kept.hub_id, kept.coordinator_id) == ("hub-nagano-01", "co-nagano-01")
        assert kept.status == LeadStatus.ASSIGNED
        assert [a.hub_id for a in assignments.assignments_for_lead(session, lead_id=lead.id or 0)] == [
            "hub-nagano-01"
        ]
        assert "hub-nagano-01" not in {h.id for h in directory.list_hubs(session)}
        assert directory_stats(session)["hubs"]["total"] == 4  # 6 minus the closed one and nagano-01
    again = load(db, example())  # it comes back: reactivated in place
    assert again["updated"] == {"hubs": 1, "coordinators": 2, "partners": 1}


def test_dry_run_writes_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    assert main(["directory", "import", "--dry-run", "--json", str(EXAMPLE_YAML)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and report["created"] == {"hubs": 6, "coordinators": 7, "partners": 7}
    with db.session() as session:
        assert directory.is_empty(session)
    assert audit_count(db) == 0
    assert main(["directory", "import", str(EXAMPLE_CSV)]) == 0
    assert "6 new" in capsys.readouterr().out
    assert main(["directory", "import", str(EXAMPLE_YAML)]) == 0
    assert "no changes" in capsys.readouterr().out
