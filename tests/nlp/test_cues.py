"""The domain cue lexicon: its file and how its terms are matched."""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from nlp.cues import CueLexiconError, cue_lexicon, parse_lexicon
from nlp.features import prepare
from nlp.normalize import normalize
from nlp.registry import ModelRegistry
from nlp.taxonomy import Taxonomy
from nlp.tokenize import lemmas_and_reading
from nlp.understand import Understander

PACKAGED = Path(str(files("nlp") / "cues.yaml"))
SMALL = """
other: [眠れない]
succession: [跡継ぎ, 遺留分, M&A]
financing: [借り換え, 運転資金]
hr: [定年延長, 人手不足]
"""


def _tags(lexicon_text: str, text: str) -> tuple[str, ...]:
    normalized = normalize(text)
    return parse_lexicon(lexicon_text).tags(normalized, lemmas_and_reading(normalized)[1])


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("遺留分のことで相談したい", ("#succession",)),
        ("定年延長と借り換えの両方", ("#financing", "#hr")),
        ("Ｍ＆Ａで会社を売る話", ("#succession",)),  # normalised like the message
        ("あとつぎが いない", ("#succession",)),  # matched through the reading
        ("ジンデブソク", ()),  # a typo of no term
        ("売上が落ちた", ()),
        ("夜はよく眠る", ()),  # 眠れない has no reading pattern: it would read like 眠る
        ("心配で眠れない", ("#other",)),
        ("", ()),
    ],
)
def test_terms_become_category_tags(text: str, tags: tuple[str, ...]) -> None:
    assert _tags(SMALL, text) == tags


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("- just a list", "must map category ids"),
        ("succession: 跡継ぎ", "must list non-empty strings"),
        ("succession: [跡継ぎ, '']", "must list non-empty strings"),
        ("succession: ['😀']", "empty when normalised"),
        ("succession: [跡継ぎ\n  - x", "not valid YAML"),
    ],
)
def test_malformed_lexicon_is_refused_with_a_reason(source: str, problem: str) -> None:
    with pytest.raises(CueLexiconError, match=problem):
        parse_lexicon(source)


def test_packaged_lexicon_covers_every_category(taxonomy: Taxonomy) -> None:
    raw = yaml.safe_load(PACKAGED.read_text("utf-8"))
    assert set(raw) == set(taxonomy.ids)
    for category, terms in raw.items():
        assert len(terms) >= 80, (category, len(terms))
        assert len(set(terms)) == len(terms), f"duplicate terms in {category}"

def test_specialist_terms_point_the_right_way() -> None:
    """Terms rare in owners' messages, each through the packaged lexicon."""
    for text, tag in [
        ("遺留分の対策", "#succession"),
        ("定年延長を考えている", "#hr"),
        ("公設試に相談したい", "#technology"),
        ("六次産業化", "#agri_commerce"),
        ("リスケをお願いしたい", "#financing"),
    ]:
        assert tag in prepare(text).cues, text


def test_cue_tags_reach_the_classifier_but_not_the_explanation(understander: Understander) -> None:
    result = understander.understand("遺留分の対策を早めに考えておきたい").classification
    assert result.label == "succession"
    assert result.explanation
    assert not any(term.startswith("#") for term in result.explanation)


def test_every_version_records_the_lexicon_it_was_trained_with(shared_home: Path) -> None:
    """A model is only as good as the lexicon its features came from: the registry keeps
    the digest of the packaged file beside every version."""
    registry = ModelRegistry(shared_home / "models")
    version = registry.current_version()
    assert version is not None
    digest = hashlib.sha256(PACKAGED.read_text("utf-8").encode("utf-8")).hexdigest()
    assert registry.meta(version).cue_lexicon == digest == cue_lexicon().digest
