"""Normalisation: width folding, invisible and hostile characters, whitespace, the cap."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalize import _DASH_RE, _INVISIBLE_RE, _NOISE_RE, _OTHER_SPACES, _SPACE_RE, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ｺｳｼﾞｮｳ", "コウジョウ"),  # half-width katakana with voiced marks
        ("ＡＢＣ１２３", "ABC123"),  # full-width ASCII
        ("従業員　５名", "従業員 5名"),  # ideographic space, full-width digit
        ("売上が😭😭落ちた", "売上が 落ちた"),  # emoji separate words
        ("👨‍👩‍👧家族経営", "家族経営"),  # ZWJ sequence leaves nothing behind
        ("後継\u200b者", "後継者"),  # zero-width space vanishes (format character)
        ("abc\u202edef", "abcdef"),  # bidi override removed
        ("NUL\x00here", "NUL here"),
        ("lone\ud800surrogate", "lone surrogate"),
        ("㈱山田製作所", "(株)山田製作所"),
        ("〒３９０－０８１１", "〒390-0811"),  # postal mark kept, dashes unified
        ("090ー1234", "090ー1234"),  # the long-vowel mark is not a dash
        ("  改行\n\n\tと  空白  ", "改行 と 空白"),
        ("★☆♪✨", ""),
        ("", ""),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_length_cap_applies_after_folding() -> None:
    text = "あ" * 10_000
    assert normalize(text, max_chars=100) == "あ" * 100


def test_enormous_input_is_cut_before_work() -> None:
    text = "😀" * 1_000_000 + "後継者"
    # The tail lies beyond twice the cap, so it is never reached.
    assert normalize(text, max_chars=50) == ""


def test_output_is_stable() -> None:
    once = normalize("ｶﾞｷﾞ　１２３😀㈱")
    assert normalize(once) == once


# Characters that normalisation must never leave behind: dashes other than "-", invisible
# and noise characters, and whitespace other than the single space.
_NEVER_LEFT = re.compile(
    r"[‐‑‒–—―−﹣－\u200b-\u200f\u202a-\u202e\ufeff\x00-\x1f\x7f-\x9f\U0001f000-\U0001faff]|[^\S ]"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_what_normalisation_leaves_behind(text: str) -> None:
    """Whatever comes in (the fast path skips the rewrites when nothing needs one): no
    double or outer spaces, none of the removed characters, and a fixed point."""
    out = normalize(text)
    assert "  " not in out and out == out.strip()
    assert not _NEVER_LEFT.search(out), out
    assert normalize(out) == out


@pytest.mark.parametrize("space", ["\t", "\n", "\u3000", "\u00a0", "\u2003", "\u1680", "\x1c", "\u0085"])
def test_every_kind_of_whitespace_becomes_one_space(space: str) -> None:
    assert normalize(f"売上{space}資金") == "売上 資金"
    assert normalize(f"売上 {space} 資金") == "売上 資金"


def _always_rewritten(text: str, cap: int) -> str:
    """normalize without its fast path: every rewrite, always."""
    text = unicodedata.normalize("NFKC", text[: cap * 2])
    text = _NOISE_RE.sub(" ", _INVISIBLE_RE.sub("", _DASH_RE.sub("-", text)))
    return _SPACE_RE.sub(" ", text).strip()[:cap].rstrip()


# Characters around the fast path's decision, surrogates included.
_AWKWARD = st.sampled_from(
    [
        *" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u3000\u202f‐－—\u200b\u202e\ufe0f\U000e0041",
        *"\ud800\udfff\ue000\u2190😀\U0010fffd㈱ｶﾞ⑴aあ資",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_AWKWARD, max_size=30), st.sampled_from([1, 3, 4096]))
def test_the_fast_path_changes_nothing(text: str, cap: int) -> None:
    assert normalize(text, max_chars=cap) == _always_rewritten(text, cap)


def test_no_whitespace_lies_outside_the_bmp() -> None:
    # _OTHER_SPACES lists the whitespace of the BMP only.
    assert not [c for c in map(chr, range(0x10000, sys.maxunicode + 1)) if c.isspace()]


def test_the_fast_path_knows_every_whitespace_character() -> None:
    assert "".join(c for c in map(chr, range(0x10000)) if c.isspace() and c != " ") == _OTHER_SPACES
