"""Build nlp/word_vectors.npz: pretrained word vectors for every UniDic lemma that has one.

The classifier's fourth view (nlp/vectors.py) averages word vectors so that a message in
words the corpus never used still lands near messages that mean the same. The vectors come
from the registry package ja-ginza (MIT): chiVe v1.1 mc90 (Apache-2.0, Works Applications;
480,443 words, pruned by spaCy to 20,000 vectors, each other word mapped to its nearest
kept one). ja-ginza is far too heavy to depend on (spaCy, SudachiPy, a 60 MB wheel), so
this script derives a small table from it once (licences: nlp/word_vectors.NOTICE). Run
it again only to change the table, then retrain:

    pip download ja-ginza==5.3.0 --no-deps -d /tmp/ginza
    unzip -q /tmp/ginza/ja_ginza-5.3.0-py3-none-any.whl -d /tmp/ginza
    .venv/bin/python scripts/build_word_vectors.py /tmp/ginza/ja_ginza/ja_ginza-5.3.0/vocab

What it does:
- ja-ginza keys its 20,000 vectors by spaCy's string hash (MurmurHash64A, seed 1, of the
  UTF-8 bytes), not by string; so the candidate strings are every lemma unidic-lite can
  produce, read from the feature strings of its compiled dictionary (sys.dic), each cut at
  the loanword gloss as nlp/mecab.py cuts it;
- the vectors of the lemmas found are centred and projected on their first DIMENSIONS
  principal components, then stored as int8 with one scale per dimension (value = code *
  scale): a quarter of float32, so a message's vector, summed in compiled code on every
  message, reads a quarter of the memory; and the file stays small.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

import numpy as np
import unidic_lite

DIMENSIONS = 64
OUTPUT = Path(__file__).resolve().parent.parent / "nlp" / "word_vectors.npz"
_MASK = (1 << 64) - 1
_LEMMA_FIELD = 7  # UniDic's lemma, as in unidic-lite's dicrc


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy's StringStore gives a string's UTF-8 bytes."""
    m, r = 0xC6A4A7935BD1E995, 47
    value = (seed ^ (len(data) * m)) & _MASK
    whole = len(data) // 8
    for i in range(whole):
        k = (int.from_bytes(data[8 * i : 8 * i + 8], "little") * m) & _MASK
        k ^= k >> r
        value = ((value ^ ((k * m) & _MASK)) * m) & _MASK
    tail = data[8 * whole :]
    if tail:
        value = ((value ^ int.from_bytes(tail, "little")) * m) & _MASK
    value ^= value >> r
    value = (value * m) & _MASK
    return value ^ (value >> r)


def _msgpack_uint(data: bytes, at: int) -> tuple[int, int]:
    """An unsigned integer in msgpack at ``at``, and where the next value starts."""
    kind = data[at]
    if kind < 0x80:
        return kind, at + 1
    width = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}[kind]
    return int.from_bytes(data[at + 1 : at + 1 + width], "big"), at + 1 + width


def read_key2row(path: Path) -> dict[int, int]:
    """spaCy's key2row file: a msgpack map (map32) from string hash to vector row."""
    data = path.read_bytes()
    if data[0] != 0xDF:
        raise SystemExit(f"{path}: not a msgpack map32")
    (count,) = struct.unpack(">I", data[1:5])
    at, mapping = 5, {}
    for _ in range(count):
        key, at = _msgpack_uint(data, at)
        mapping[key], at = _msgpack_uint(data, at)
    return mapping


def unidic_lemmas() -> set[str]:
    """Every lemma in unidic-lite's dictionary, cut at the loanword gloss.

    sys.dic is MeCab's binary dictionary: a 72-byte header (ten uint32 then a 32-byte
    charset), the double array, the token table, then the feature strings, NUL-separated.
    """
    data = (Path(unidic_lite.DICDIR) / "sys.dic").read_bytes()
    *_, array_size, token_size, feature_size, _dummy = struct.unpack("<10I", data[:40])
    start = 72 + array_size + token_size
    lemmas: set[str] = set()
    for feature in data[start : start + feature_size].split(b"\0"):
        fields = feature.decode("utf-8").split(",")
        if len(fields) > _LEMMA_FIELD:
            lemma = fields[_LEMMA_FIELD].split("-")[0]
            if lemma:
                lemmas.add(lemma)
    return lemmas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("vocab", type=Path, help="ja-ginza's vocab directory (vectors, key2row)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    vectors = np.load(args.vocab / "vectors", allow_pickle=False)
    key2row = read_key2row(args.vocab / "key2row")
    found = sorted(
        (lemma, key2row[key])
        for lemma in unidic_lemmas()
        if (key := murmurhash64a(lemma.encode("utf-8"))) in key2row
    )
    used = sorted({row for _, row in found})
    renumber = {row: index for index, row in enumerate(used)}
    table = vectors[used].astype(np.float64)
    centred = table - table.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ components[:DIMENSIONS].T
    scales = (np.abs(projected).max(axis=0) / 127).astype(np.float32)
    codes = np.rint(projected / scales.astype(np.float64)).astype(np.int8)
    encoded = [lemma.encode("utf-8") for lemma, _ in found]
    np.savez_compressed(
        args.output,
        lemma_utf8=np.frombuffer(b"".join(encoded), dtype=np.uint8),
        lemma_ends=np.cumsum([len(e) for e in encoded]).astype(np.int64),
        lemma_rows=np.array([renumber[row] for _, row in found], dtype=np.uint16),
        vectors=codes,
        scales=scales,
    )
    print(
        f"{len(found)} lemmas, {len(used)} vectors of {DIMENSIONS} dimensions -> {args.output} "
        f"({args.output.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
