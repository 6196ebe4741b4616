"""The promotion guard's arithmetic and the reloading understander's cadence."""

from __future__ import annotations

from pathlib import Path

from nlp.corpus import Example
from nlp.evaluation import evaluate
from nlp.promotion import PromotionCheck, PromotionRefusedError, Scored
from nlp.registry import ModelRegistry
from nlp.reloading import ReloadingUnderstander
from nlp.training import train

LABELS = ["a", "b", "c"]
TRUTH = ["a"] * 10 + ["b"] * 10 + ["c"] * 10


def _scored(version: str, wrong_b: int, wrong_c: int = 0) -> Scored:
    predicted = ["a"] * 10 + ["a"] * wrong_b + ["b"] * (10 - wrong_b) + ["a"] * wrong_c + ["c"] * (10 - wrong_c)
    return Scored(version, evaluate(LABELS, TRUTH, predicted), tuple(predicted))


def test_a_version_worse_beyond_the_tolerance_is_refused_with_the_numbers() -> None:
    check = PromotionCheck(current=_scored("v1", 0), candidate=_scored("v2", 3), tolerance=0.01)
    assert not check.acceptable
    assert set(check.drops) == {"a", "b"}  # b loses recall, a loses precision
    text = str(PromotionRefusedError(check))
    assert "v2 is worse than the current v1" in text and "macro-F1 1.0000 ->" in text
    assert "b: F1 1.0000 -> 0.8235" in text and "use --force" in text


def test_a_version_within_the_tolerance_or_better_is_accepted() -> None:
    slightly = PromotionCheck(current=_scored("v1", 1), candidate=_scored("v2", 1, 1), tolerance=0.05)
    assert slightly.acceptable and "not worse" in slightly.explain()
    better = PromotionCheck(current=_scored("v1", 3), candidate=_scored("v2", 0), tolerance=0.0)
    assert better.acceptable and better.drops == {}
    first = PromotionCheck(current=None, candidate=_scored("v1", 5), tolerance=0.0)
    assert first.acceptable


def test_the_understander_swaps_in_a_promotion_at_the_next_check(tmp_path: Path) -> None:
    words = {"financing": ["融資", "資金繰り", "借入"], "hr": ["採用", "人手不足", "求人"],
             "other": ["天気", "テスト", "ありがとう"]}
    examples = [Example(f"{w[i % 3]}の件で{w[(i + 1) % 3]}も相談", label)
                for label, w in words.items() for i in range(12)]
    result = train(examples, folds=2)
    registry = ModelRegistry(tmp_path)
    registry.register(result)
    registry.register(result)
    registry.promote("v1")
    now = [0.0]
    understander = ReloadingUnderstander(registry, registry.load(), check_every=5.0, clock=lambda: now[0])
    registry.promote("v2")
    now[0] = 4.9
    assert understander.understand("融資を受けたい").classification.model_version == "v1"
    now[0] = 5.0
    assert understander.understand("融資を受けたい").classification.model_version == "v2"
    registry.rollback()
    assert understander.understand("融資を受けたい").classification.model_version == "v2"  # not yet due
    now[0] = 10.0
    assert understander.understand("融資を受けたい").classification.model_version == "v1"
