"""A lean single-message scorer that reuses the fitted pipeline's own weights.

Calling ``Pipeline.predict_proba`` on one document costs about twenty fugashi
tokenisations (input validation, sparse matrices, several transformers). This module reads
the vocabularies, idf weights, SVM coefficients and calibration temperature out of the
fitted pipeline once. Because every tf-idf view is binary with l2 norm, a view adds
``sum(idf_j * W_j) / sqrt(sum(idf_j ** 2))`` over its distinct terms to the SVM decision.
We keep ``idf_j * W_j`` for all views in one matrix. The word-vector view (when the model
has one) adds ``W @ (scale * v / |v|)`` with ``v`` the weighted sum of the distinct vector
rows of the lemmas (`nlp.vectors.SifEmbedding`); the word view's table holds each
vocabulary lemma's vector row, and only lemmas outside the vocabulary ask the vector table.

No term becomes a Python string. A compiled kernel (numba) finds lemmas by a hash of their
UTF-8 bytes (as `nlp.mecab` hands them over, compared byte for byte on a hit) and packs
each character n-gram's code points into one integer (21 bits per character, at most three
characters); both kinds of key live in open-addressing hash tables (one or two memory
reads: after MeCab has run, a binary search's scattered reads mostly miss the cache). The
same kernel sums the rows, applies the temperature-scaled softmax and ranks the explaining
terms. `LeanScorer.score_text` does all of it in one call from normalised text: the kernel
also walks MeCab's nodes and runs the cue automaton (`LeanScorer.score`, for a `Prepared`
message, looks its few cue tags up in a dictionary). Tests check the whole against
``predict_proba`` and the two entry points against each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numba import njit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from nlp.automaton import match_mask
from nlp.cues import TAG_PREFIX, CueLexicon
from nlp.features import CHARS, READING, VECTORS, WORDS, Prepared, word_vector_view
from nlp.mecab import MecabUnavailableError, parse, parser, walk
from nlp.native import (
    CODE_POINT_BITS,
    Packed,
    buffer_address,
    code_points,
    decode_utf8,
    find_slot,
    lookup,
    new_table,
    part_f64,
    part_i64,
    part_u8,
    part_u32,
    prefetch,
    prefetch_slot,
    probe_from,
    table_f64,
    table_i8,
    table_i64,
)
from nlp.vectors import SifEmbedding, WordVectors, WordVectorsError

EXPLANATION_TERMS = 6
# The arrays of a scorer's `Packed` model, in order.
(
    _WORD_TABLE, _WORD_UTF8, _WORD_ENDS, _CHAR_TABLE, _CHAR_SIZES, _READING_TABLE, _READING_SIZES,
    _WEIGHTED, _BIAS, _SHOWN_CODES, _SHOWN_ENDS, _CUE_TABLE, _CUE_ROOT, _CUE_FAIL, _CUE_FILTER,
    _GROUP_ROWS, _VECTOR_TABLE, _VECTOR_ROWS, _VECTORS, _VECTOR_SCALES,
) = range(20)  # fmt: skip
# The word-vector view ("vectors", nlp/vectors.py) is optional: models trained before it
# have only the three tf-idf views.
_EXPECTED_VIEWS = {"words": WORDS, "chars": CHARS, "reading": READING, VECTORS: WORDS}
_LOOKAHEAD = 12  # probes in flight ahead of the one being read
_NOT_IN_VOCABULARY = -2  # a lemma's vector row before the vector table is asked
_MAX_NGRAM = 3  # 3 code points of CODE_POINT_BITS fit in a signed 64-bit code


class Scores(NamedTuple):
    """Calibrated probabilities (in label order) and the terms that pushed the top label.

    Like the other values built once per message (`Classification`, `Entities`,
    `Understanding`), a NamedTuple: as immutable as a frozen dataclass, and a third of its
    cost to build (a frozen dataclass sets each field through ``object.__setattr__``)."""

    probabilities: tuple[float, ...]
    decision: tuple[float, ...]  # the SVM's one-vs-rest scores, before calibration
    explanation: tuple[str, ...]
    order: tuple[int, ...]  # label indices, most probable first (ties: label order)


@dataclass(frozen=True, slots=True)
class _WordView:
    """The word view: a hash table from a term's UTF-8 hash to its index and its word-vector
    row, and the terms' bytes to confirm a hit."""

    # int64 (slots, 2): hash, then the term index in the low 32 bits and its vector row + 1
    # (0: none) above them (`_term_of`, `_vector_of`), so a slot stays 16 bytes and never
    # straddles two cache lines; hash 0 marks an empty slot. A lemma in the vocabulary
    # finds its vector here, in the line the probe reads.
    table: np.ndarray
    shift: int
    utf8: np.ndarray  # uint8, every term's bytes back to back
    ends: np.ndarray  # int64, where term i ends in utf8
    offset: int  # the weight row of term 0

    @classmethod
    def build(cls, terms: list[str], offset: int, vector_rows: dict[str, int]) -> _WordView:
        encoded = [t.encode("utf-8") for t in terms]
        utf8 = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
        packed = [_word_value(index, vector_rows.get(term, -1)) for index, term in enumerate(terms)]
        table, shift = new_table(_lemma_codes(utf8, ends), np.array(packed, dtype=np.int64))
        return cls(table, shift, utf8, ends, offset)


@dataclass(frozen=True, slots=True)
class _NgramView:
    """A character n-gram view: a hash table from packed code to weight row."""

    # int64 (slots, 2): packed code and its weight row side by side, so a probe reads one
    # cache line; code 0 marks an empty slot (no n-gram packs to 0)
    table: np.ndarray
    shift: int  # 64 - log2(table size)
    sizes: np.ndarray  # int64, the n-gram sizes

    @classmethod
    def build(cls, codes: np.ndarray, rows: np.ndarray, sizes: np.ndarray) -> _NgramView:
        table, shift = new_table(codes, rows)
        return cls(table, shift, sizes)


@dataclass(frozen=True, slots=True)
class _VectorView:
    """The word-vector view: a hash table from a lemma's UTF-8 hash to its vector row, the
    vectors, each row's weight and the SVM coefficients of the view times its scale.

    Unlike the word view, a hit is not confirmed byte for byte: the table's 120,000 hashes
    are distinct (`_vector_table` checks), and a lemma outside it shares a 64-bit hash with one of
    them about once in 10^14 lemmas. That saves two dependent cache misses per lemma."""

    table: np.ndarray  # int64 (slots, 2): hash and vector row
    shift: int
    # float64 (rows, a multiple of 8 columns), per vector row: its weight times its push on
    # each label (the view's coefficients, times its scale, applied to the row's vector),
    # then its weight. A message's pushes are then a sum of rows (two cache lines each at
    # ten labels) instead of a product with all the coefficients (80 lines).
    pushes: np.ndarray
    vectors: np.ndarray  # int8 (rows, dimensions): codes (the length still needs the vectors)
    scales: np.ndarray  # float64 (dimensions): a code's step
    rows: dict[str, int]  # lemma to vector row, for the word view's table

    @classmethod
    def build(cls, embedding: SifEmbedding, coef: np.ndarray) -> _VectorView:
        table = embedding.table()
        slots, shift = _vector_table(table)
        weights = np.asarray(embedding.weights_, dtype=np.float64)
        labels = coef.shape[0]
        pushes = np.zeros((len(weights), _push_columns(labels)))
        pushes[:, :labels] = (table.vectors * table.scales) @ (coef.T * embedding.scale) * weights[:, None]
        pushes[:, labels] = weights
        return cls(slots, shift, pushes, table.vectors, table.scales, table.rows)

    @classmethod
    def empty(cls, labels: int) -> _VectorView:
        """No word-vector view: a table that finds nothing (one zero vector keeps the arrays 2-D)."""
        table, shift = new_table(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        pushes = np.zeros((1, _push_columns(labels)))
        return cls(table, shift, pushes, np.zeros((1, 1), dtype=np.int8), np.zeros(1), {})


def _push_columns(labels: int) -> int:
    """Columns of a pushes row: one per label and the weight, rounded up to whole cache lines."""
    return -(-(labels + 1) // 8) * 8


def _word_value(index: int, vector_row: int) -> int:
    """A word-table value: the term index and, above bit 32, its vector row + 1 (0: none),
    read back by `_term_of` and `_vector_of`."""
    return index | (vector_row + 1) << 32


_vector_tables: dict[str, tuple[np.ndarray, int]] = {}


def _vector_table(table: WordVectors) -> tuple[np.ndarray, int]:
    """The hash table of a word-vector table's lemmas, built once per process (a reload
    builds a new scorer from the same table)."""
    if table.digest not in _vector_tables:
        codes = _lemma_codes(table.lemma_utf8, table.lemma_ends)
        if len(np.unique(codes)) != len(codes):
            raise WordVectorsError(
                "two word-vector lemmas share a hash: the lean scorer cannot tell them apart"
            )
        _vector_tables[table.digest] = new_table(codes, table.lemma_rows)
    return _vector_tables[table.digest]


def ngram_code(term: str) -> int:
    """The packed code of a character n-gram (the kernel computes the same)."""
    code = 0
    for char in term:
        code = (code << CODE_POINT_BITS) | ord(char)
    return code


class LeanScorer:
    """Scores one message (prepared, or normalised text) exactly as the fitted pipeline would."""

    def __init__(self, pipeline: Pipeline, cues: CueLexicon) -> None:
        features = pipeline.named_steps["features"]
        calibrated = pipeline.named_steps["classifier"]
        inner = calibrated.calibrated_classifiers_[0]
        svm = inner.estimator
        self.labels: tuple[str, ...] = tuple(str(c) for c in calibrated.classes_)
        beta = float(inner.calibrators[0].beta_)
        bias = np.ascontiguousarray(svm.intercept_, dtype=np.float64)
        coef = np.asarray(svm.coef_, dtype=np.float64)
        names: list[str] = []
        blocks: list[np.ndarray] = []
        idf_squared: list[np.ndarray] = []
        ngram_views: dict[str, _NgramView] = {}
        # Built first: the word view's table holds each lemma's vector row.
        embedding = word_vector_view(pipeline)
        vector_view = (
            _VectorView.build(embedding, coef[:, features.output_indices_[VECTORS]])
            if embedding is not None
            else _VectorView.empty(len(self.labels))
        )
        for name, vectorizer, column in features.transformers_:
            if _EXPECTED_VIEWS.get(name) != column:
                raise ValueError(f"the lean scorer cannot reproduce feature view {name!r}")
            if name == VECTORS:
                continue
            tfidf = isinstance(vectorizer, TfidfVectorizer)
            if not tfidf or not vectorizer.binary or vectorizer.norm != "l2":
                raise ValueError(f"the lean scorer cannot reproduce feature view {name!r}")
            # Rows in order of document frequency, most frequent first: the rows that most
            # messages read share cache lines and stay cached from one message to the next.
            frequent_first = np.argsort(vectorizer.idf_, kind="stable")
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)[frequent_first]
            offset = len(names)
            terms = [""] * len(vectorizer.vocabulary_)
            for term, index in vectorizer.vocabulary_.items():
                terms[index] = str(term)
            terms = [terms[index] for index in frequent_first]
            names.extend(terms)
            idf_squared.append(idf * idf)
            blocks.append(coef[:, features.output_indices_[name]][:, frequent_first].T * idf[:, None])
            if vectorizer.analyzer == "word":
                # Cue tags are few per message and already strings: a dictionary suffices.
                self._tags = {t: offset + i for i, t in enumerate(terms) if t.startswith(TAG_PREFIX)}
                lemmas = _WordView.build(terms, offset, vector_view.rows)
            elif vectorizer.analyzer == "char":
                low, high = vectorizer.ngram_range
                if high > _MAX_NGRAM:
                    raise ValueError(f"the lean scorer packs n-grams of at most {_MAX_NGRAM} characters")
                codes = np.array([ngram_code(t) for t in terms], dtype=np.int64)
                ngram_views[name] = _NgramView.build(
                    codes,
                    np.arange(offset, offset + len(terms), dtype=np.int64),
                    np.arange(low, high + 1, dtype=np.int64),
                )
            else:
                raise ValueError(f"unsupported analyzer in view {name!r}")
        self._local = threading.local()  # per-thread result buffers: `_buffers`
        # One row per term: its idf-weighted coefficients, then its idf squared (for the
        # view's norm), so a term costs one memory fetch.
        weighted = np.ascontiguousarray(
            np.hstack([np.vstack(blocks), np.concatenate(idf_squared)[:, None]])
        )
        # What an explanation may show of each term: stripped n-grams, nothing for cue tags
        # (the terms behind a tag are lemmas themselves), as code points for the kernel.
        # Fresh copies, made in row order: the strings of the frequent terms then lie side
        # by side, where an explanation finds them cached (it touches each one it shows).
        self._shown = [
            name.strip().encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
            if not name.startswith(TAG_PREFIX)
            else ""
            for name in names
        ]
        per_term = [code_points(term) for term in self._shown]
        shown_codes = np.concatenate(per_term) if per_term else np.zeros(0, dtype=np.uint32)
        shown_ends = np.cumsum([len(c) for c in per_term], dtype=np.int64)
        # What the kernels read: the address of the tables packed into one region (in the
        # order of the _WORD_TABLE ... constants), then the scalars `_score` unpacks;
        # `_score_text` also takes the cue automaton's shifts. The automaton's group g stands for the tag in
        # row group_rows[g].
        chars, reading, automaton = ngram_views["chars"], ngram_views["reading"], cues.automaton
        group_rows = np.array([self._tags.get(t, -1) for t in cues.group_tags], dtype=np.int64)
        packed = Packed.of(
            [  # with the dtype each is read as in the kernels
                (lemmas.table, np.int64),
                (lemmas.utf8, np.uint8),
                (lemmas.ends, np.int64),
                (chars.table, np.int64),
                (chars.sizes, np.int64),
                (reading.table, np.int64),
                (reading.sizes, np.int64),
                (weighted, np.float64),
                (bias, np.float64),
                (shown_codes, np.uint32),
                (shown_ends, np.int64),
                (automaton.table, np.int64),
                (automaton.root, np.int64),
                (automaton.fail, np.int64),
                (automaton.filter, np.int64),
                (group_rows, np.int64),
                (vector_view.table, np.int64),
                (vector_view.pushes, np.float64),
                (vector_view.vectors, np.int8),
                (vector_view.scales, np.float64),
            ]
        )
        self._packed = packed  # the kernels read it by address: alive as long as the scorer
        self._model = (
            packed.address,
            lemmas.shift,
            lemmas.offset,
            chars.shift,
            reading.shift,
            vector_view.shift,
            beta,
        )
        self._text_model: tuple[Any, ...] = (
            automaton.shift,
            automaton.root_shift,
            automaton.filter_shift,
            *self._model,
        )

    def score(self, prepared: Prepared, explain: bool = True) -> Scores:
        """Calibrated probabilities per label for one message."""
        # Lemmas and cue tags share the word view; tags never look like lemmas ("#...").
        tags = self._tags
        tag_rows = np.array([tags[t] for t in prepared.cues if t in tags], dtype=np.int64)
        tokens = prepared.tokens
        values, ranks = self._buffers()
        shown = _score(
            tokens.lemma_bytes,
            tokens.lemma_ends,
            tag_rows,
            code_points(prepared.normalized),
            tokens.reading,
            EXPLANATION_TERMS if explain else 0,
            values,
            ranks,
            *self._model,
        )
        return self._scores(values, ranks, shown)

    def score_text(self, normalized: str, explain: bool = True) -> Scores:
        """Score already normalised text in one compiled call: MeCab's nodes are walked,
        the cue tags found and the views scored without a Python object per token. The
        same as ``score(prepare(text))`` (tests hold them equal)."""
        data = normalized.encode("utf-8")  # alive until the kernel is done with MeCab's nodes
        values, ranks = self._buffers()
        shown = _score_text(
            *parser().tagger, data, EXPLANATION_TERMS if explain else 0, values, ranks, *self._text_model
        )
        if shown < 0:
            raise MecabUnavailableError("MeCab failed to parse a message")
        return self._scores(values, ranks, shown)

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """This thread's arrays for a kernel's results (the kernels run without the GIL):
        probabilities then decision values; the label order then the explaining rows.
        Handing back fresh arrays from compiled code costs more than filling these."""
        buffers: tuple[np.ndarray, np.ndarray] | None = getattr(self._local, "buffers", None)
        if buffers is None:
            count = len(self.labels)
            buffers = (np.empty(2 * count), np.empty(count + EXPLANATION_TERMS, dtype=np.int64))
            self._local.buffers = buffers
        return buffers

    def _scores(self, values: np.ndarray, ranks: np.ndarray, shown: int) -> Scores:
        """``Scores`` from a kernel's results, ``shown`` of them explaining rows."""
        count = len(self.labels)
        floats, ints, terms = values.tolist(), ranks.tolist(), self._shown  # one conversion each
        return Scores(
            tuple(floats[:count]),
            tuple(floats[count:]),
            tuple([terms[row] for row in ints[count : count + shown]]),
            tuple(ints[:count]),
        )


@njit(cache=True, nogil=True)
def _utf8_hash(data: np.ndarray, start: int, end: int) -> np.int64:
    """FNV-1a of ``data[start:end]``, never 0 (0 marks an empty slot)."""
    value = np.uint64(0xCBF29CE484222325)
    for k in range(start, end):
        value = (value ^ np.uint64(data[k])) * np.uint64(0x100000001B3)
    return np.int64(value) if value != 0 else np.int64(1)


@njit(cache=True, nogil=True)
def _distinct(found: np.ndarray, count: int) -> np.ndarray:
    """The distinct values of ``found[:count]``, sorted (binary tf: each term counts once)."""
    found = found[:count]
    found.sort()  # in place: np.sort would copy
    distinct = 0
    for k in range(count):
        if k == 0 or found[k] != found[k - 1]:
            found[distinct] = found[k]
            distinct += 1
    return found[:distinct]


@njit(cache=True, nogil=True)
def _term_span(ends: np.ndarray, term: int) -> tuple[int, int]:
    """Where term ``term`` lies in an array of terms stored back to back that end at ``ends``."""
    return (ends[term - 1] if term > 0 else 0), ends[term]


@njit(cache=True, nogil=True)
def _is_term(
    lemma_bytes: np.ndarray, start: int, end: int, utf8: np.ndarray, ends: np.ndarray, term: int
) -> bool:
    """Whether ``lemma_bytes[start:end]`` are the bytes of vocabulary term ``term``."""
    term_start, term_end = _term_span(ends, term)
    if term_end - term_start != end - start:
        return False
    k = 0
    while k < end - start and utf8[term_start + k] == lemma_bytes[start + k]:
        k += 1
    return k == end - start


@njit(cache=True, nogil=True)
def _term_of(value: np.int64) -> int:
    """The term index in a word-table value."""
    return int(value & np.int64(0xFFFFFFFF))


@njit(cache=True, nogil=True)
def _vector_of(value: np.int64) -> np.int64:
    """The vector row in a word-table value (-1: none)."""
    return (value >> np.int64(32)) - np.int64(1)


@njit(cache=True, nogil=True)
def _lemma_codes(lemma_bytes: np.ndarray, lemma_ends: np.ndarray) -> np.ndarray:
    """The hash (`_utf8_hash`) of each lemma: the key of both the word view and the word
    vectors."""
    codes = np.empty(lemma_ends.shape[0], dtype=np.int64)
    start = 0
    for k in range(lemma_ends.shape[0]):
        codes[k] = _utf8_hash(lemma_bytes, start, lemma_ends[k])
        start = lemma_ends[k]
    return codes


@njit(cache=True, nogil=True)
def _word_rows(
    lemma_bytes: np.ndarray,
    lemma_ends: np.ndarray,
    codes: np.ndarray,
    tag_rows: np.ndarray,
    table: np.ndarray,
    shift: int,
    utf8: np.ndarray,
    ends: np.ndarray,
    offset: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct weight rows of the lemmas in the vocabulary, and of the cue tags; and per
    lemma its word-vector row as the vocabulary knows it (-1: none, _NOT_IN_VOCABULARY:
    ask the vector table).

    A lemma costs three reads that mostly miss the cache (its slot, the term's span, the
    term's bytes), each needing the one before; so each step is asked for for every lemma
    before any is read, and the misses of all lemmas overlap."""
    count = lemma_ends.shape[0]
    found = np.empty(count + tag_rows.shape[0], dtype=np.int64)
    vector_rows = np.full(count, _NOT_IN_VOCABULARY, dtype=np.int64)
    slots = np.empty(count, dtype=np.int64)
    mask = np.int64(table.shape[0] - 1)
    for k in range(count):
        prefetch_slot(table, shift, codes[k])
    ends_base = np.uint64(ends.ctypes.data)
    for k in range(count):  # the first term with the lemma's hash (usually the only one)
        slots[k] = find_slot(table, shift, codes[k])
        if slots[k] >= 0 and _term_of(table[slots[k], 1]) > 0:
            prefetch(ends_base + np.uint64(_term_of(table[slots[k], 1]) - 1) * np.uint64(8))
    utf8_base = np.uint64(utf8.ctypes.data)
    for k in range(count):
        if slots[k] >= 0:
            prefetch(utf8_base + np.uint64(_term_span(ends, _term_of(table[slots[k], 1]))[0]))
    rows = 0
    start = 0
    for k in range(count):
        end = lemma_ends[k]
        slot = slots[k]
        # Another term with the same 64-bit hash: walk on through the probe sequence.
        while slot >= 0 and not _is_term(lemma_bytes, start, end, utf8, ends, _term_of(table[slot, 1])):
            slot = probe_from(table, codes[k], (slot + np.int64(1)) & mask)
        if slot >= 0:
            found[rows] = offset + _term_of(table[slot, 1])
            vector_rows[k] = _vector_of(table[slot, 1])
            rows += 1
        start = end
    for row in tag_rows:
        found[rows] = row
        rows += 1
    return _distinct(found, rows), vector_rows


@njit(cache=True, nogil=True)
def _ngram_rows(
    text: np.ndarray, sizes: np.ndarray, table: np.ndarray, shift: int
) -> np.ndarray:
    """Distinct weight rows of the n-grams of ``text`` that are in the vocabulary."""
    length = text.shape[0]
    capacity = max(length, 1) * sizes.shape[0]
    codes = np.empty(capacity, dtype=np.int64)
    count = 0
    for size in sizes:
        for start in range(length - size + 1):
            code = np.int64(0)
            for k in range(size):
                code = (code << CODE_POINT_BITS) | np.int64(text[start + k])
            if code != 0:
                codes[count] = code
                count += 1
    found = 0
    # The slots a few probes ahead are asked for while this one is read: the misses
    # overlap, and no more of them are in flight than the core can track.
    for k in range(min(count, _LOOKAHEAD)):
        prefetch_slot(table, shift, codes[k])
    for k in range(count):
        if k + _LOOKAHEAD < count:
            prefetch_slot(table, shift, codes[k + _LOOKAHEAD])
        row = lookup(table, shift, codes[k])
        if row >= 0:
            codes[found] = row
            found += 1
    return _distinct(codes, found)


@njit(cache=True, nogil=True)
def _prefetch_row(weighted: np.ndarray, row: np.int64) -> None:
    start = np.uint64(weighted.ctypes.data) + np.uint64(row) * np.uint64(weighted.strides[0])
    prefetch(start)
    prefetch(start + np.uint64(weighted.strides[0] - 1))  # a row may straddle two cache lines


@njit(cache=True, nogil=True)
def _add_view(rows: np.ndarray, weighted: np.ndarray, decision: np.ndarray, total: np.ndarray) -> None:
    """Add one l2-normalised view (its distinct weight rows) to ``decision``; ``total`` is
    scratch of one value per label (one array for every view: each costs an allocation)."""
    count = rows.shape[0]
    if count == 0:
        return
    labels = decision.shape[0]
    total[:] = 0.0
    norm = 0.0
    for k in range(min(count, _LOOKAHEAD)):
        _prefetch_row(weighted, rows[k])
    for k in range(count):
        if k + _LOOKAHEAD < count:
            _prefetch_row(weighted, rows[k + _LOOKAHEAD])
        row = rows[k]
        norm += weighted[row, labels]
        for label in range(labels):
            total[label] += weighted[row, label]
    norm = np.sqrt(norm)
    for label in range(labels):
        decision[label] += total[label] / norm


@njit(cache=True, nogil=True)
def _vector_rows(codes: np.ndarray, known: np.ndarray, table: np.ndarray, shift: int) -> np.ndarray:
    """Distinct word-vector rows of the lemmas that have a vector: ``known`` from the word
    view, the vector table asked (by hash) only for lemmas outside the vocabulary."""
    found = np.empty(codes.shape[0], dtype=np.int64)
    for k in range(codes.shape[0]):
        if known[k] == _NOT_IN_VOCABULARY:
            prefetch_slot(table, shift, codes[k])
    count = 0
    for k in range(codes.shape[0]):
        row = lookup(table, shift, codes[k]) if known[k] == _NOT_IN_VOCABULARY else known[k]
        if row >= 0:
            found[count] = row
            count += 1
    return _distinct(found, count)


@njit(cache=True, nogil=True)
def _add_vectors(
    rows: np.ndarray,
    pushes: np.ndarray,
    vectors: np.ndarray,
    scales: np.ndarray,
    decision: np.ndarray,
    total: np.ndarray,
) -> None:
    """Add the word-vector view to ``decision``: the rows' weighted pushes, divided by the
    length of the weighted sum of their vectors (int8 codes, then times each dimension's
    scale): the view's coefficients applied to ``scale * v / |v|`` (`nlp.vectors.SifEmbedding`)."""
    if rows.shape[0] == 0:
        return
    for row in rows:  # ask for every row's lines before reading any
        _prefetch_lines(pushes, row)
        _prefetch_lines(vectors, row)
    labels = decision.shape[0]
    total[:] = 0.0
    summed = np.zeros(vectors.shape[1])
    for row in rows:
        weight = pushes[row, labels]
        for label in range(labels):
            total[label] += pushes[row, label]
        for k in range(vectors.shape[1]):
            summed[k] += weight * vectors[row, k]
    length = 0.0
    for k in range(vectors.shape[1]):
        length += (summed[k] * scales[k]) ** 2
    length = np.sqrt(length)
    if length > 0:
        for label in range(labels):
            decision[label] += total[label] / length


@njit(cache=True, nogil=True)
def _prefetch_lines(matrix: np.ndarray, row: np.int64) -> None:
    """Ask for every cache line of ``matrix[row]``."""
    start = np.uint64(matrix.ctypes.data) + np.uint64(row) * np.uint64(matrix.strides[0])
    for line in range(0, matrix.strides[0], 64):
        prefetch(start + np.uint64(line))


@njit(cache=True, nogil=True)
def _ranked(rows: np.ndarray, weighted: np.ndarray, label: int) -> np.ndarray:
    """``rows`` that push towards ``label``, strongest first (ties keep the order of ``rows``)."""
    pushes = weighted[:, label]
    ranked = np.empty(rows.shape[0], dtype=np.int64)
    kept = 0
    for row in rows:
        if pushes[row] > 0:
            ranked[kept] = row
            kept += 1
    ranked = ranked[:kept]
    _order_by(pushes, ranked)
    return ranked


@njit(cache=True, nogil=True)
def _contains(codes: np.ndarray, start: int, end: int, part_start: int, part_end: int) -> bool:
    """Whether codes[part_start:part_end] occurs in codes[start:end]."""
    size = part_end - part_start
    for at in range(start, end - size + 1):
        same = True
        for k in range(size):
            if codes[at + k] != codes[part_start + k]:
                same = False
                break
        if same:
            return True
    return False


@njit(cache=True, nogil=True)
def _shown_terms(ranked: np.ndarray, codes: np.ndarray, ends: np.ndarray, limit: int) -> np.ndarray:
    """Up to ``limit`` of the ``ranked`` rows whose terms can be shown, skipping a term
    that contains or is contained in one already chosen (「後継」 after 「後継者」)."""
    chosen = np.empty(limit, dtype=np.int64)
    count = 0
    for row in ranked:
        if count == limit:
            break
        start, end = _term_span(ends, row)
        if end == start:
            continue
        overlaps = False
        for k in range(count):
            other_start, other_end = _term_span(ends, chosen[k])
            if _contains(codes, start, end, other_start, other_end) or _contains(
                codes, other_start, other_end, start, end
            ):
                overlaps = True
                break
        if not overlaps:
            chosen[count] = row
            count += 1
    return chosen[:count]


@njit(cache=True, nogil=True)
def _calibrate(decision: np.ndarray, beta: float, values: np.ndarray) -> None:
    """Write the temperature-scaled softmax of ``decision`` then ``decision`` itself into
    ``values`` (loops: numpy's whole-array forms allocate a temporary at each step)."""
    labels = decision.shape[0]
    top = decision.max()
    total = 0.0
    for label in range(labels):
        values[label] = np.exp(beta * (decision[label] - top))
        total += values[label]
    for label in range(labels):
        values[label] /= total
        values[labels + label] = decision[label]


@njit(cache=True, nogil=True)
def _order_by(keys: np.ndarray, items: np.ndarray) -> None:
    """Sort ``items``, indices into ``keys``, in place by descending key; ties keep their
    order. An insertion sort: a message has few labels and terms, and argsort allocates."""
    for k in range(1, items.shape[0]):
        item = items[k]
        at = k
        while at > 0 and keys[items[at - 1]] < keys[item]:
            items[at] = items[at - 1]
            at -= 1
        items[at] = item


@njit(cache=True, nogil=True)
def _score(
    lemma_bytes: np.ndarray,
    lemma_ends: np.ndarray,
    tag_rows: np.ndarray,
    text: np.ndarray,
    reading: np.ndarray,
    explanation_terms: int,
    values: np.ndarray,
    ranks: np.ndarray,
    *model: Any,  # LeanScorer._model
) -> int:
    """Write probabilities then decision values into ``values``, and the label order (most
    probable first) then the rows of the explaining terms into ``ranks``; returns how many
    terms explain. Lemmas come first, surface n-grams only when no lemma pushed towards the
    top label (readings mean nothing to a person)."""
    region, word_shift, word_offset, char_shift, reading_shift, vector_shift, beta = model
    word_table = table_i64(region, _WORD_TABLE)
    word_utf8 = part_u8(region, _WORD_UTF8)
    word_ends = part_i64(region, _WORD_ENDS)
    char_table = table_i64(region, _CHAR_TABLE)
    char_sizes = part_i64(region, _CHAR_SIZES)
    reading_table = table_i64(region, _READING_TABLE)
    reading_sizes = part_i64(region, _READING_SIZES)
    weighted = table_f64(region, _WEIGHTED)
    shown_codes = part_u32(region, _SHOWN_CODES)
    shown_ends = part_i64(region, _SHOWN_ENDS)
    decision = part_f64(region, _BIAS).copy()
    codes = _lemma_codes(lemma_bytes, lemma_ends)
    words, known_vectors = _word_rows(
        lemma_bytes, lemma_ends, codes, tag_rows, word_table, word_shift, word_utf8, word_ends, word_offset
    )
    chars = _ngram_rows(text, char_sizes, char_table, char_shift)
    readings = _ngram_rows(reading, reading_sizes, reading_table, reading_shift)
    total = np.empty(decision.shape[0])  # scratch of the views
    _add_view(words, weighted, decision, total)
    _add_view(chars, weighted, decision, total)
    _add_view(readings, weighted, decision, total)
    _add_vectors(
        _vector_rows(codes, known_vectors, table_i64(region, _VECTOR_TABLE), vector_shift),
        table_f64(region, _VECTOR_ROWS),
        table_i8(region, _VECTORS),
        part_f64(region, _VECTOR_SCALES),
        decision,
        total,
    )
    labels = decision.shape[0]
    _calibrate(decision, beta, values)
    for k in range(labels):
        ranks[k] = k
    _order_by(values[:labels], ranks[:labels])  # most probable first, ties in label order
    if explanation_terms == 0:
        return 0
    label = int(np.argmax(decision))
    shown = _shown_terms(_ranked(words, weighted, label), shown_codes, shown_ends, explanation_terms)
    if shown.shape[0] == 0:
        shown = _shown_terms(_ranked(chars, weighted, label), shown_codes, shown_ends, explanation_terms)
    count: int = shown.shape[0]
    ranks[labels : labels + count] = shown
    return count


@njit(cache=True, nogil=True)
def _score_text(
    tonode: int,
    handle: int,
    utf8: bytes,
    explanation_terms: int,
    values: np.ndarray,
    ranks: np.ndarray,
    cue_shift: int,
    cue_root_shift: int,
    cue_filter_shift: int,
    *model: Any,  # LeanScorer._model (LeanScorer._text_model holds all from cue_shift on)
) -> int:
    """`_score` of the message ``utf8``, parsed by MeCab (`nlp.mecab.parse`) here; -1 if
    MeCab failed."""
    region = model[0]
    cue_table = table_i64(region, _CUE_TABLE)
    cue_root = table_i64(region, _CUE_ROOT)
    cue_fail = part_i64(region, _CUE_FAIL)
    cue_filter = part_i64(region, _CUE_FILTER)
    group_rows = part_i64(region, _GROUP_ROWS)
    bos = parse(tonode, handle, utf8)
    if bos == 0:
        return -1
    size = len(utf8)
    start = buffer_address(utf8)
    text = np.empty(size, dtype=np.uint32)  # a bound: bytes >= code points
    text = text[: decode_utf8(start, start + np.uint64(size), text, 0)]
    lemma_bytes, lemma_ends, reading, _ = walk(bos, size)
    automaton = (cue_table, cue_shift, cue_root, cue_root_shift, cue_fail, cue_filter, cue_filter_shift)
    mask = match_mask(text, *automaton) | match_mask(reading, *automaton)
    tag_rows = np.empty(group_rows.shape[0], dtype=np.int64)
    tags = 0
    for group in range(group_rows.shape[0]):
        if (mask >> group) & 1 and group_rows[group] >= 0:
            tag_rows[tags] = group_rows[group]
            tags += 1
    return _score(
        lemma_bytes, lemma_ends, tag_rows[:tags], text, reading, explanation_terms, values, ranks, *model
    )
