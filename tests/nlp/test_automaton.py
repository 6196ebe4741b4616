"""The compiled Aho-Corasick automaton that reports which groups of patterns occur."""

from __future__ import annotations

import random

import pytest

from nlp.automaton import MaskAutomaton


def _naive(patterns: list[str], groups: list[int], texts: tuple[str, ...]) -> int:
    return sum({g for p, g in zip(patterns, groups, strict=True) if any(p in t for t in texts)})


def test_masks_equal_a_plain_substring_search() -> None:
    # Small alphabets make patterns overlap, nest and share suffixes: the failure links
    # and the masks inherited through them are what is being checked.
    rng = random.Random(7)
    alphabet = "あいうかきab"
    for _ in range(200):
        patterns = sorted({"".join(rng.choices(alphabet, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 25))})
        groups = [1 << rng.randrange(6) for _ in patterns]
        automaton = MaskAutomaton.build(patterns, groups)
        for _ in range(15):
            texts = tuple("".join(rng.choices(alphabet, k=rng.randint(0, 25))) for _ in range(2))
            assert automaton.mask(*texts) == _naive(patterns, groups, texts), (patterns, texts)


def test_no_match_spans_two_texts() -> None:
    automaton = MaskAutomaton.build(["あと", "つぎ"], [1, 2])
    assert automaton.mask("あ", "と") == 0
    assert automaton.mask("xあと", "つぎx") == 3


def test_any_code_point() -> None:
    automaton = MaskAutomaton.build(["\U0010fffd資金", "😀"], [1, 2])
    assert automaton.mask("x\U0010fffd資金") == 1
    assert automaton.mask("\U0010fffd資") == 0


def test_an_empty_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        MaskAutomaton.build(["a", ""], [1, 1])
