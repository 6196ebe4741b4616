"""`madoguchi report`: the page and the JSON on both databases, escaping, bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from madoguchi.cli import main
from nlp.registry import ModelRegistry
from storage.database import Database
from tests.reports.report_world import HOSTILE_COMMENT, HOSTILE_HUB, seed

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[[Path], Cli]:
    """``cli(home)(*args)`` runs ``madoguchi ARGS`` on the test database with MADOGUCHI_HOME=home."""
    monkeypatch.setenv("MADOGUCHI_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("MADOGUCHI_REPORT_MIN_RESPONSES", raising=False)

    def with_home(home: Path) -> Cli:
        monkeypatch.setenv("MADOGUCHI_HOME", str(home))

        def run(*args: str) -> tuple[int, str, str]:
            code = main(list(args))
            captured = capsys.readouterr()
            return code, captured.out, captured.err

        return run

    return with_home


def test_report_writes_one_self_contained_page_and_the_same_figures_as_json(
    db: Database, cli: Callable[[Path], Cli], shared_home: Path, tmp_path: Path
) -> None:
    seed(db)
    run = cli(shared_home)
    code, out, err = run("report", "--out", str(tmp_path / "site"), "--json")
    assert code == 0, err
    figures = json.loads(out)
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["index.html"]
    assert (tmp_path / "site" / "index.html").stat().st_mode & 0o777 == 0o644  # a web server may read it
    assert f"wrote {tmp_path / 'site' / 'index.html'}" in err
    # self-contained: no scripts, no stylesheets or images from anywhere else
    assert not re.search(r"<script|<link[^>]+stylesheet|src=\"http|href=\"http|@import", page)
    assert page.count('<svg class="chart"') == 10
    # the JSON carries the page's figures
    assert figures["total_leads"] == 18 and figures["min_responses"] == 5
    assert [(h["hub_id"], h["rank"], h["median_hours"]) for h in figures["hubs"]] == [
        ("h1", 1, 3.5), ("h2", 2, 5.0), ("h3", None, 0.5)]
    current = ModelRegistry(shared_home / "models").current_version()
    assert figures["model"]["version"] == current and figures["model"]["macro_f1"] > 0.5
    assert len(figures["model"]["confusion"]) == len(figures["model"]["labels"]) == 10
    assert figures["comments"] is None and "<img" not in out  # comments only on request
    # Japanese text, names from the taxonomy and the directory, the fairness rule visible
    assert "分野別の相談件数" in page and "事業承継・M&amp;A" in page and "長野中央拠点" in page
    assert "回答数が少ないため参考値" in page and "最優秀" in page
    assert "利用者満足度が最も高い拠点：長野中央拠点（平均4.60点・回答5件）" in page
    assert "利用者満足度が最も高いコーディネーター：山田 一郎さん（長野中央拠点、平均4.60点・回答5件）" in page
    assert "バージョン " + str(current) in page


def test_names_and_comments_from_the_database_are_inert(
    db: Database, cli: Callable[[Path], Cli], tmp_path: Path
) -> None:
    seed(db)
    code, _, err = cli(tmp_path / "home")("report", "--out", str(tmp_path / "site"), "--comments")
    assert code == 0, err
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;那覇拠点" in page
    assert "&lt;img src=x onerror=alert(1)&gt;とても助かりました。" in page
    assert "090-1234-5678" not in page and "[電話]" in page  # comments are redacted
    assert HOSTILE_HUB not in page and HOSTILE_COMMENT not in page


def test_an_empty_database_still_renders_with_no_data_messages(
    cli: Callable[[Path], Cli], tmp_path: Path
) -> None:
    code, out, err = cli(tmp_path / "home")("report", "--out", str(tmp_path / "site"))
    assert code == 0, err
    assert out.strip() == f"wrote {tmp_path / 'site' / 'index.html'}"
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert page.count("データがありません") >= 6
    assert "現在使われている分類モデルの記録がありません" in page  # no model: nothing is trained
    assert not (tmp_path / "home" / "models").exists()
    assert '<svg class="chart"' not in page


def test_the_threshold_comes_from_the_setting_or_the_option(
    db: Database, cli: Callable[[Path], Cli], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    run = cli(tmp_path / "home")
    monkeypatch.setenv("MADOGUCHI_REPORT_MIN_RESPONSES", "2")
    code, out, _ = run("report", "--json")
    assert code == 0
    assert [(s["id"], s["rank"]) for s in json.loads(out)["hub_satisfaction"]] == [("h3", 1), ("h1", 2), ("h2", 3)]
    code, out, _ = run("report", "--json", "--min-responses", "6")
    assert code == 0
    figures = json.loads(out)
    assert figures["min_responses"] == 6 and all(s["rank"] is None for s in figures["hub_satisfaction"])
    assert [(h["hub_id"], h["rank"]) for h in figures["hubs"]] == [("h1", 1), ("h2", 2), ("h3", None)]


def test_a_period_of_months(db: Database, cli: Callable[[Path], Cli], tmp_path: Path) -> None:
    seed(db)
    code, out, err = cli(tmp_path / "home")("report", "--json", "--from", "2026-04", "--to", "2026-04")
    assert code == 0, err
    figures = json.loads(out)
    assert figures["total_leads"] == 14 and [m["key"] for m in figures["months"]] == ["2026-04"]
    code, out, err = cli(tmp_path / "home")("report", "--out", str(tmp_path / "site"), "--from", "2027-04")
    assert code == 0, err
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "対象期間：2027年4月〜2027年4月" in page and "相談件数：0件" in page


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-13"], "'2026-13' is not a month; write it as YYYY-MM, e.g. 2026-04"),
    (["--from", "2026-05", "--to", "2026-04"], "the period starts (2026-05) after it ends (2026-04)"),
])
def test_a_bad_period_is_refused(cli: Callable[[Path], Cli], tmp_path: Path, args: list[str], message: str) -> None:
    code, out, err = cli(tmp_path / "home")("report", "--json", *args)
    assert (code, out) == (2, "") and err.strip() == f"error: {message}"


@pytest.mark.parametrize("problem", ["a file", "inside a file", "no target"])
def test_bad_output_gives_one_clear_error_and_a_non_zero_exit(
    cli: Callable[[Path], Cli], tmp_path: Path, problem: str
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    args = {"a file": ["--out", str(blocker)], "inside a file": ["--out", str(blocker / "site")], "no target": []}
    code, out, err = cli(tmp_path / "home")("report", *args[problem])
    assert code == 2 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert ("--out DIR" in err) if problem == "no target" else (f"cannot write the report to {args[problem][1]}" in err)
