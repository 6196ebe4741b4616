"""Every form of the understanding commands, including their errors, through `main()`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from madoguchi.cli import main

LABELS = (
    "succession",
    "it",
    "agri_commerce",
    "management",
    "new_business",
    "financing",
    "technology",
    "startup",
    "hr",
    "other",
)


@pytest.fixture
def home(shared_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MADOGUCHI_HOME", str(shared_home))
    return shared_home


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_classify_one_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "後継者がいない。長野県松本市の町工場です"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label"] == "succession"
    assert result["prefecture"] == "長野県"
    assert set(result["scores"]) == set(LABELS)
    assert isinstance(result["uncertain"], bool)
    assert result["model_version"].startswith("v")
    assert isinstance(result["explanation"], list) and isinstance(result["secondary"], list)


def test_classify_json_lines(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"text": "融資の相談をしたい"}, ensure_ascii=False),
        json.dumps({"text": "こんにちは", "id": 7}, ensure_ascii=False),
    ]
    _stdin(monkeypatch, ("\n".join(lines) + "\n").encode())
    assert main(["classify"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["label"] for o in out] == ["financing", "other"]


def test_classify_json_lines_reports_bad_lines_and_keeps_going(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (
        b'{"text": "\xe8\x9e\x8d\xe8\xb3\x87"}\n'  # 融資
        b"not json\n"
        b'{"txt": "x"}\n'
        b'{"text": ""}\n'
        b"\xff\xfe broken\n"
        b'{"text": "\xe6\x8e\xa1\xe7\x94\xa8\xe3\x81\x8c\xe9\x9b\xa3\xe3\x81\x97\xe3\x81\x84"}\n'  # 採用が難しい
    )
    _stdin(monkeypatch, data)
    assert main(["classify"]) == 1
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert len(out) == 6  # one output line per input line, in order
    assert out[0]["label"] == "financing" and out[5]["label"] == "hr"
    assert [o.get("line") for o in out[1:5]] == [2, 3, 4, 5]
    assert "stdin line 2: not valid JSON" in captured.err
    assert "stdin line 5: not UTF-8" in captured.err


def test_classify_empty_text_is_a_clear_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "  😀  "]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "empty" in err
    assert "Traceback" not in err


def test_evaluate_text_json_and_plot(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "eval.jsonl"
    rows = [
        {"text": "後継者がいない", "label": "succession", "extra": 1},
        {"text": "人が集まらない", "label": "hr"},
        {"text": "こんにちは", "label": "other"},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", "utf-8")
    plot = tmp_path / "cm.png"
    assert main(["evaluate", "--data", str(data), "--json", "--plot", str(plot)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_label", "confusion"} <= set(report)
    assert report["per_label"]["succession"]["support"] == 1
    assert sum(map(sum, report["confusion"])) == 3
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["evaluate", "--data", str(data)]) == 0
    assert "macro-F1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"text": "a", "label": "succession"}\n{"text": "b", "label": "nope"}\n',
            ":2: unknown label 'nope'",
        ),
        ('{"text": "a", "label": "hr"}\n{broken\n', ":2: not valid JSON"),
        ("[1, 2]\n", ":1: expected a JSON object"),
        ('{"label": "hr"}\n', ":1: 'text' must be a non-empty string"),
    ],
)
def test_evaluate_bad_files(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(content, "utf-8")
    assert main(["evaluate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(data) in err
    assert "Traceback" not in err


def test_evaluate_missing_and_binary_files(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--data", str(tmp_path / "nope.jsonl")]) == 2
    assert "file not found" in capsys.readouterr().err
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xff")
    assert main(["evaluate", "--data", str(binary)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_models_list_promote_rollback(
    home_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MADOGUCHI_HOME", str(home_copy))
    assert main(["models", "list"]) == 0
    assert capsys.readouterr().out.startswith("* v1")
    assert main(["models", "promote", "v7"]) == 2
    assert "no model version 'v7'" in capsys.readouterr().err
    assert main(["models", "rollback"]) == 2
    assert "no earlier promoted version" in capsys.readouterr().err


def test_train_reports_and_registers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    words = {
        "financing": "融資 資金繰り 返済 借入 補助金",
        "hr": "採用 人手不足 育成 研修 求人",
        "other": "こんにちは テスト 天気 ありがとう 趣味",
    }
    for label, vocabulary in words.items():
        items = vocabulary.split()
        lines = [
            json.dumps(
                {"text": f"{items[i % 5]}の件で{items[(i + 1) % 5]}も", "label": label}, ensure_ascii=False
            )
            for i in range(15)
        ]
        (corpus / f"{label}.jsonl").write_text("\n".join(lines), "utf-8")
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MADOGUCHI_CORPUS_DIR", str(corpus))
    assert main(["train"]) == 0
    out = capsys.readouterr().out
    assert "registered v1" in out and "macro-F1" in out and "promoted v1" in out
    assert main(["train"]) == 0
    assert "registered v2" in capsys.readouterr().out
    assert main(["models", "promote", "v2"]) == 0
    assert main(["models", "rollback"]) == 0
    assert "rolled back to v1" in capsys.readouterr().out


def test_console_script_runs(shared_home: Path) -> None:
    """The installed `madoguchi` entry point itself, as a user runs it."""
    madoguchi = Path(sys.executable).parent / "madoguchi"
    env = {"MADOGUCHI_HOME": str(shared_home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(madoguchi), "classify", "融資を受けたい"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] == "financing"
    bad = subprocess.run(
        [str(madoguchi), "evaluate", "--data", "/nonexistent"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
