"""`madoguchi route` for real: the trained classifier, a fresh SQLite database that gets the
sample directory on first use, and both the one-text and the JSON-lines forms."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from madoguchi.cli import main


@pytest.fixture
def fresh(shared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))  # the model trained for the suite
    database = tmp_path / "route.db"
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", f"sqlite:///{database}")
    return database


def test_route_on_a_fresh_checkout(
    fresh: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "後継者がいなくて、事業承継をどうするか悩んでいます。長野県松本市の製造業です。"
    assert main(["route", text]) == 0
    captured = capsys.readouterr()
    assert "サンプルの名簿を作成しています" in captured.err and fresh.exists()
    out = json.loads(captured.out)
    assert out["label"] == "succession" and out["prefecture"] == "長野県"
    assert out["hub"]["prefecture"] == "長野県" and out["hub"]["succession_center"] is True
    assert out["hub"]["name"].startswith("【サンプル】")
    assert set(out["coordinator"]) == {"id", "name", "qualifications"}
    assert out["reasons"][0] in {"長野県内の事業承継支援センター", "松本市の事業承継支援センター"}
    assert out["reasons"][-1].startswith("担当件数 ")
    assert out["needs"] == [] and out["escalation"] is None

    lines = [{"text": "融資の返済が苦しい", "prefecture": "沖縄"}, {"text": "資金繰りが厳しいです"}]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["route"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # the directory is there now
    first, second = (json.loads(line) for line in captured.out.splitlines())
    assert first["label"] == "financing" and first["hub"]["prefecture"] == "沖縄県"
    assert second["prefecture"] is None and second["needs"] == ["prefecture"] and second["hub"] is None
