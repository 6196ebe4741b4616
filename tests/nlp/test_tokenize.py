"""Tokenisation: content-word lemmas and readings from fugashi + unidic-lite."""

from __future__ import annotations

import ctypes
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from madoguchi.settings import REPO_ROOT
from nlp.mecab import _next_field, parser
from nlp.normalize import normalize
from nlp.tokenize import lemmas, lemmas_and_reading, tagger, term_reading

UNSEEN = REPO_ROOT / "data" / "eval" / "unseen_2.jsonl"


def test_particles_auxiliaries_and_symbols_are_dropped() -> None:
    words = lemmas("後継者がいなくて困っています。")
    assert words == ["後継", "者", "居る", "困る", "居る"]
    assert not {"が", "て", "ます", "。"} & set(words)


def test_conjugations_become_dictionary_forms() -> None:
    assert "落ちる" in lemmas("売上が落ちとって")
    assert "困る" in lemmas("困りました")


def test_loanword_gloss_is_stripped() -> None:
    assert "システム" in lemmas("システムを導入")
    assert not any("-" in word for word in lemmas("システムのクラウドをセキュリティ"))


def test_numerals_are_dropped_but_counters_kept() -> None:
    words = lemmas("従業員5人")
    assert "5" not in words
    assert words[:2] == ["従業", "員"]


def test_unknown_words_survive_even_at_the_end() -> None:
    # an unknown word is its own lemma, also as the last token
    assert lemmas("これはxyzzy")[-1] == "xyzzy"
    assert lemmas("xyzzy") == ["xyzzy"]


def test_reading_bridges_kana_and_kanji() -> None:
    _, kanji = lemmas_and_reading("後継者")
    _, kana = lemmas_and_reading("こうけいしゃ")
    assert kanji == "コウケイシャ"
    assert kana == kanji


def test_half_width_input_after_normalisation() -> None:
    assert "システム" in lemmas(normalize("ｼｽﾃﾑ導入"))


def test_empty_text() -> None:
    assert lemmas("") == []
    assert lemmas_and_reading("") == ([], "")


def test_one_tagger_per_thread() -> None:
    seen: list[object] = []

    def work() -> None:
        seen.append(tagger())
        seen.append(tagger())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen[0] is seen[1]
    assert seen[0] is not tagger()


@pytest.mark.parametrize(
    ("term", "reading"),
    [
        ("後継者", "コウケイシャ"),
        ("あとつぎ", "アトツギ"),
        ("資金繰り", "シキンクリ"),
        ("眠れない", None),  # the negation would be lost: it would read like 眠る
        ("AIと話して", None),  # a particle, and ASCII without a reading
        ("ITツール", None),
    ],
)
def test_term_reading_only_when_it_says_all_the_term_says(term: str, reading: str | None) -> None:
    assert term_reading(term) == reading


def _oracle(text: str) -> tuple[list[str], str]:
    """Lemmas and reading read the slow way, from fugashi's node objects."""
    words: list[str] = []
    reading: list[str] = []
    for node in tagger()(text):  # the plain fugashi tagger of this thread
        pos1, pos2 = node.feature.pos1, node.feature.pos2
        if pos1 in {"助詞", "助動詞", "補助記号", "記号", "空白"} or (pos1 == "名詞" and pos2.startswith("数詞")):
            continue
        unknown = node.is_unk
        lemma = (node.surface if unknown else node.feature.lemma).split("-")[0]
        if not lemma:
            continue
        words.append(lemma)
        reading.append("" if unknown else node.feature.lForm)
    return words, "".join(reading)


def test_compiled_node_walk_reads_what_fugashi_reads() -> None:
    # The held-out messages and awkward inputs: quotes and commas, loanword glosses, unknown
    # words, numerals, long text. (UniDic quotes fields only of symbols, which are skipped:
    # the quoted-field branch of the CSV reader is tested on its own below.)
    texts = [json.loads(line)["text"] for line in UNSEEN.read_text("utf-8").splitlines() if line]
    texts += ['"引用"と,カンマ', "1,000円の-system", "ｼｽﾃﾑ導入-abc", "後継者" * 400, "xyzzy plugh"]
    for text in map(normalize, texts):
        assert lemmas_and_reading(text) == _oracle(text), text


def test_feature_csv_is_split_as_mecab_splits_it() -> None:
    """Leading blanks skipped, quoted fields with doubled quotes, text after a closing quote
    dropped, and no field after a trailing comma."""

    def split(csv: bytes) -> list[bytes]:
        raw = ctypes.create_string_buffer(csv)
        address = np.uint64(ctypes.addressof(raw))
        fields, position = [], address
        while position != 0:
            start, end, position = _next_field(position)
            fields.append(raw.raw[int(start - address) : int(end - address)])
        return fields

    # a quoted field's range keeps its doubled quote (no field we read is ever quoted)
    assert split(b' a, "b""c"x,,d,e') == [b"a", b'b""c', b"", b"d", b"e"]
    assert split(b"a,") == [b"a"]
    assert split(b"  ") == [b""]


def test_one_mecab_parser_per_thread() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        elsewhere = pool.submit(parser).result()
    assert parser() is parser()
    assert elsewhere is not parser()
