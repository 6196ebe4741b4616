"""Messages the benchmarks time: the unseen evaluation set, or the corpus if it is absent."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def messages(corpus_dir: Path) -> list[str]:
    """Texts of the first JSONL file found, in file order."""
    for candidate in (ROOT / "data/eval/unseen.jsonl", *sorted(corpus_dir.glob("*.jsonl"))):
        if candidate.exists():
            lines = candidate.read_text("utf-8").splitlines()
            return [json.loads(line)["text"] for line in lines if line.strip()]
    raise SystemExit("no messages found")
