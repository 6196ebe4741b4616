"""`madoguchi route` through `main()`, with a scripted understander and the test directory.

The real classifier and the sample directory in a real database are exercised in
test_route_end_to_end.py; here every branch of the command runs in milliseconds.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from routing_world import world

from madoguchi.cli import main
from madoguchi.commands import route_commands
from madoguchi.context import AppContext
from nlp.classifier import Classification
from nlp.entities import Entities
from nlp.understand import EmptyTextError, Understanding

# text -> (label, secondary, prefecture, municipality) as the stub understands it
SCRIPT: dict[str, tuple[str, tuple[str, ...], str | None, str | None]] = {
    "松本市で町工場、後継ぎがいない": ("succession", ("financing",), "長野県", "松本市"),
    "松本市で売上が落ちた": ("management", (), "長野県", "松本市"),
    "後継ぎがいない": ("succession", (), None, None),
    "こんにちは": ("other", (), None, None),
    "採用が難しい": ("hr", (), "山梨県", None),
}


@dataclass
class ScriptedUnderstander:
    def understand(self, text: str, explain: bool = True) -> Understanding:
        if not text.strip():
            raise EmptyTextError("empty")
        label, secondary, prefecture, municipality = SCRIPT[text]
        classification = Classification(
            label=label,
            confidence=0.9,
            uncertain=False,
            secondary=secondary,
            labels=(label,),
            probabilities=(0.9,),
            explanation=(),
            model_version="v-test",
        )
        entities = Entities(
            prefecture=prefecture,
            municipality=municipality,
            prefecture_source="municipality" if municipality else None,
            prefecture_candidates=(),
            employees=None,
            industry=None,
        )
        return Understanding(text, classification, entities)


@pytest.fixture(autouse=True)
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path))
    monkeypatch.setattr(AppContext, "understander", property(lambda self: ScriptedUnderstander()))
    monkeypatch.setattr(route_commands, "load_directory", lambda app_ctx: world())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(["route", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_one_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, [out], _ = run(capsys, "松本市で町工場、後継ぎがいない")
    assert code == 0
    assert out == {
        "label": "succession",
        "secondary": ["financing"],
        "prefecture": "長野県",
        "hub": {
            "id": "nag-scc",
            "name": "【サンプル】長野県事業承継支援センター",
            "type": "都道府県支援センター",
            "prefecture": "長野県",
            "succession_center": True,
        },
        "coordinator": {
            "id": "nag-scc-tax",
            "name": "サンプル担当 nag-scc-tax",
            "qualifications": ["税理士"],
        },
        "reasons": [
            "長野県内の事業承継支援センター",
            "税理士・事業承継の専門",
            "あわせて資金調達にも対応（税理士）",
            "担当件数 2/8",
        ],
        "needs": [],
        "escalation": None,
    }


def test_the_municipality_in_the_text_is_preferred(capsys: pytest.CaptureFixture[str]) -> None:
    _, [out], _ = run(capsys, "松本市で売上が落ちた")
    assert out["hub"]["id"] == "nag-matsumoto"  # type: ignore[index]
    assert out["reasons"][0] == "松本市の拠点"  # type: ignore[index]


def test_the_prefecture_option_overrides_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, [out], _ = run(capsys, "松本市で売上が落ちた", "--prefecture", "東京")
    assert out["prefecture"] == "東京都"
    assert out["hub"]["id"] == "tok-cci"  # type: ignore[index]
    _, [same], _ = run(capsys, "松本市で売上が落ちた", "-p", "長野県")
    assert same["hub"]["id"] == "nag-matsumoto"  # type: ignore[index]


def test_an_unknown_prefecture_is_needed(capsys: pytest.CaptureFixture[str]) -> None:
    code, [out], _ = run(capsys, "後継ぎがいない")
    assert code == 0
    assert out["needs"] == ["prefecture"] and out["prefecture"] is None
    assert out["hub"] is None and out["coordinator"] is None
    _, [given], _ = run(capsys, "後継ぎがいない", "--prefecture", "沖縄県")
    assert given["hub"]["id"] == "oki-scc" and given["needs"] == []  # type: ignore[index]


def test_other_is_not_routed(capsys: pytest.CaptureFixture[str]) -> None:
    _, [out], _ = run(capsys, "こんにちは", "--prefecture", "長野県")
    assert out["label"] == "other" and out["hub"] is None and out["coordinator"] is None
    assert out["needs"] == [] and out["reasons"]


def test_an_escalation_is_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from routing_world import with_coordinators

    full = with_coordinators(world(), "", open_cases=8)
    monkeypatch.setattr(route_commands, "load_directory", lambda app_ctx: full)
    _, [out], _ = run(capsys, "採用が難しい")
    assert out["hub"] is None and out["coordinator"] is None
    assert out["escalation"] == {
        "scope": "region",
        "hub_id": None,
        "region": "関東",
        "reason": out["reasons"][0],  # type: ignore[index]
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["後継ぎがいない", "--prefecture", "ナガノ"], "unknown prefecture 'ナガノ'"),
        (["   "], "the text is empty"),
        (["--prefecture", "長野県"], "--prefecture goes with TEXT"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == []
    assert err.startswith("error: ") and message in err


def test_a_broken_capability_table_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    table = tmp_path / "caps.yaml"
    table.write_text("version: 2\n", "utf-8")
    monkeypatch.setenv("MADOGUCHI_CAPABILITIES_FILE", str(table))
    code, _, err = run(capsys, "後継ぎがいない")
    assert code == 2 and f"error: {table}: " in err


def test_json_lines(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        {"text": "松本市で町工場、後継ぎがいない"},
        {"text": "後継ぎがいない", "prefecture": "福岡"},
        {"text": "後継ぎがいない", "prefecture": None},
        {"text": "こんにちは"},
    ]
    stdin(monkeypatch, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode())
    code, out, _ = run(capsys)
    assert code == 0
    assert [o["hub"] and o["hub"]["id"] for o in out] == ["nag-scc", "fuk-scc", None, None]  # type: ignore[index]
    assert out[2]["needs"] == ["prefecture"]


def test_json_lines_report_bad_lines_and_keep_going(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (
        "not json\n"
        '{"txt": "x"}\n'
        '{"text": ""}\n'
        '{"text": "後継ぎがいない", "prefecture": "ナガノ"}\n'
        '{"text": "後継ぎがいない", "prefecture": 7}\n'
        '{"text": "採用が難しい"}\n'
    ).encode() + b"\xff\xfe\n"
    stdin(monkeypatch, data)
    code, out, err = run(capsys)
    assert code == 1
    assert len(out) == 7
    assert [o.get("line") for o in out] == [1, 2, 3, 4, 5, None, 7]
    assert out[5]["label"] == "hr"
    assert "error: stdin line 4: unknown prefecture 'ナガノ'" in err
