"""MeCab's lattice read in compiled code: content-word lemmas and readings without Python
objects per token.

fugashi wraps every token in a Python node object, and MeCab's own text output formats
each field by splitting the feature CSV again; either costs about as much as the
morphological analysis itself. Here MeCab (the copy bundled with fugashi, with the
unidic-lite dictionary: the same analysis as ``fugashi.Tagger()``) parses into its node
list through its C API (``mecab_sparse_tonode2`` via ctypes), and a numba function walks
the nodes and reads each feature CSV once. Both the training path (`nlp.tokenize`) and the
single-message scorer (`nlp.lean`) use `walk`, so they see the same tokens.

What counts as a content word, and how lemma and reading are read, is the contract of
`nlp.tokenize`: particles, auxiliaries, symbols, whitespace and numerals are skipped; the
lemma is UniDic's lemma field up to the loanword gloss (「システム-system」 -> システム);
the reading is the lemma-form reading (lForm); an unknown word is its own lemma and has no
reading.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import fugashi
import numpy as np
import unidic_lite
from numba import njit

from nlp.native import (
    buffer_address,
    call_c3,
    decode_utf8,
    load_u8,
    load_u16,
    load_u64,
    prefetch,
    split_utf8,
)

# Offsets in MeCab 0.996's ``struct mecab_node_t`` (mecab.h) on a 64-bit platform: six
# pointers (prev, next, enext, bnext, rpath, lpath), then surface, feature, an unsigned
# id, then the unsigned shorts length, rlength, rcAttr, lcAttr, posid and the unsigned
# chars char_type, stat. `Parser` checks them against a known parse when it starts.
_NEXT = 8
_SURFACE = 48
_FEATURE = 56
_LENGTH = 68
_STAT = 79
_NORMAL, _UNKNOWN, _BOS = 0, 1, 2  # stat values; EOS is 3

# UniDic feature fields (0-based) that we read.
_POS1, _POS2, _READING, _LEMMA = 0, 1, 6, 7
_COMMA, _QUOTE, _SPACE, _TAB, _DASH = 44, 34, 32, 9, 45


class MecabUnavailableError(RuntimeError):
    """MeCab's C library or the dictionary could not be loaded."""


@functools.cache
def _library() -> ctypes.CDLL:
    """MeCab's C library: the copy fugashi ships (fugashi.libs/) or a system one."""
    bundled = sorted((Path(fugashi.__file__).parent.parent / "fugashi.libs").glob("libmecab*.so*"))
    path = str(bundled[0]) if bundled else ctypes.util.find_library("mecab")
    if path is None:
        raise MecabUnavailableError("MeCab's C library was not found next to fugashi")
    library = ctypes.CDLL(path)
    library.mecab_new.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    library.mecab_new.restype = ctypes.c_void_p
    library.mecab_destroy.argtypes = [ctypes.c_void_p]
    library.mecab_destroy.restype = None
    library.mecab_strerror.argtypes = [ctypes.c_void_p]
    library.mecab_strerror.restype = ctypes.c_char_p
    return library


class Parser:
    """One MeCab tagger with unidic-lite (not thread-safe: see `parser`)."""

    def __init__(self) -> None:
        library = _library()
        dicdir = unidic_lite.DICDIR
        # argv, not a command line: mecab_new2 would split a path that contains a space.
        argv = [b"mecab", b"-d", dicdir.encode(), b"-r", str(Path(dicdir) / "mecabrc").encode()]
        handle = library.mecab_new(len(argv), (ctypes.c_char_p * len(argv))(*argv))
        if not handle:
            raise MecabUnavailableError(f"MeCab could not start: {library.mecab_strerror(None)!r}")
        self._handle = handle
        self._destroy = library.mecab_destroy
        # What `parse` needs to call MeCab from compiled code: the function and the tagger.
        tonode = ctypes.cast(library.mecab_sparse_tonode2, ctypes.c_void_p).value
        if not tonode:
            raise MecabUnavailableError("MeCab's library has no mecab_sparse_tonode2")
        self.tagger: tuple[int, int] = (int(tonode), int(handle))
        self._check_layout()

    def nodes(self, data: bytes) -> int:
        """The address of the BOS node of ``data`` (UTF-8) parsed; valid until the next call,
        and only while ``data`` is alive (unknown words point into it)."""
        address = int(parse(*self.tagger, data))
        if not address:
            raise MecabUnavailableError("MeCab failed to parse a message")
        return address

    def _check_layout(self) -> None:
        """Fail loudly if this MeCab's node struct differs from the offsets above."""
        data = "後継者".encode()
        bos = self.nodes(data)
        node = _read(ctypes.c_uint64, bos + _NEXT)  # first token after BOS
        length = _read(ctypes.c_uint16, node + _LENGTH)
        surface = ctypes.string_at(_read(ctypes.c_uint64, node + _SURFACE), length)
        feature = ctypes.string_at(_read(ctypes.c_uint64, node + _FEATURE)).decode()
        stats = (_read(ctypes.c_uint8, bos + _STAT), _read(ctypes.c_uint8, node + _STAT))
        if surface != "後継".encode() or feature.split(",")[_LEMMA] != "後継" or stats != (_BOS, _NORMAL):
            raise MecabUnavailableError("MeCab's node layout is not the one madoguchi reads")

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._destroy(handle)


def _read(kind: type[ctypes.c_uint8 | ctypes.c_uint16 | ctypes.c_uint64], address: int) -> int:
    """The unsigned integer of ctypes type ``kind`` at ``address`` (from Python, for the
    layout check; the kernels use `nlp.native`'s loads)."""
    return int(kind.from_address(address).value)


_local = threading.local()


def parser() -> Parser:
    """The MeCab parser of this thread (created on first use)."""
    instance: Parser | None = getattr(_local, "parser", None)
    if instance is None:
        instance = Parser()
        _local.parser = instance
    return instance


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """The content words of one message, as arrays (not a value: arrays do not compare)."""

    lemma_bytes: np.ndarray  # uint8, the lemmas' UTF-8 bytes back to back
    lemma_ends: np.ndarray  # int64, where each lemma ends in lemma_bytes
    reading: np.ndarray  # uint32 code points: the readings of the content words, joined
    tokens: int  # all tokens, content words or not
    read: int  # content words that have a reading

    def lemmas(self) -> list[str]:
        """The lemmas as strings."""
        return split_utf8(self.lemma_bytes, self.lemma_ends)

    def reading_text(self) -> str:
        """The reading as a string."""
        return self.reading.tobytes().decode("utf-32-le")


def tokens(text: str) -> Tokens:
    """The content words of already normalised ``text``."""
    if not text:
        return _EMPTY
    data = text.encode("utf-8")
    lemma_bytes, lemma_ends, reading, counts = walk(parser().nodes(data), len(data))
    return Tokens(lemma_bytes, lemma_ends, reading, int(counts[0]), int(counts[1]))


_EMPTY = Tokens(
    np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32), 0, 0
)


# --- compiled node walk ---------------------------------------------------------------


@njit(cache=True, nogil=True)
def parse(tonode: int, handle: int, data: bytes) -> int:
    """``mecab_sparse_tonode2`` (at address ``tonode``) of the tagger ``handle`` on the
    UTF-8 ``data``: the BOS node's address, or 0 if MeCab failed (`Parser.tagger` holds
    both addresses). A direct call, so a kernel can parse and walk in one compiled call."""
    bos: int = call_c3(np.uint64(tonode), np.uint64(handle), buffer_address(data), np.uint64(len(data)))
    return bos


@njit(cache=True, nogil=True)
def _next_field(position: np.uint64) -> tuple[np.uint64, np.uint64, np.uint64]:
    """The byte range of the feature CSV field at ``position``, split as MeCab's
    tokenizeCSV splits (leading blanks skipped, quoted fields with doubled quotes), and
    where the next field starts (0: none follows). A quoted field's range still holds its
    doubled quotes; none of the fields we read is ever quoted in UniDic except on symbols,
    which are skipped. Scalars in and out: a kernel that passed arrays per token would pay
    two atomic reference counts per array and call."""
    byte = load_u8(position)
    while byte == _SPACE or byte == _TAB:  # noqa: SIM109 (compiled: no tuple search)
        position += np.uint64(1)
        byte = load_u8(position)
    if byte == _QUOTE:
        position += np.uint64(1)
        start = position
        while True:
            byte = load_u8(position)
            if byte == 0:
                break
            if byte == _QUOTE:
                if load_u8(position + np.uint64(1)) != _QUOTE:
                    break
                position += np.uint64(1)
            position += np.uint64(1)
        end = position
        while load_u8(position) != 0 and load_u8(position) != _COMMA:
            position += np.uint64(1)
    else:
        start = position
        while load_u8(position) != 0 and load_u8(position) != _COMMA:
            position += np.uint64(1)
        end = position
    if load_u8(position) == 0 or load_u8(position + np.uint64(1)) == 0:
        return start, end, np.uint64(0)
    return start, end, position + np.uint64(1)  # past the comma


@njit(cache=True, nogil=True)
def _starts_with(start: np.uint64, end: np.uint64, prefix: np.ndarray) -> bool:
    if end - start < np.uint64(prefix.shape[0]):
        return False
    for k in range(prefix.shape[0]):  # noqa: SIM110 (compiled: no generators)
        if load_u8(start + np.uint64(k)) != prefix[k]:
            return False
    return True


# Parts of speech that are not content words (UTF-8 of 助詞, 助動詞, 補助記号, 記号, 空白),
# and 名詞 whose second level starts with 数詞 (numerals; counters such as 人 stay).
_SKIPPED_POS1 = tuple(
    np.frombuffer(p.encode(), dtype=np.uint8) for p in ("助詞", "助動詞", "補助記号", "記号", "空白")
)
_NOUN = np.frombuffer("名詞".encode(), dtype=np.uint8)
_NUMERAL = np.frombuffer("数詞".encode(), dtype=np.uint8)


@njit(cache=True, nogil=True)
def _is_content(
    pos1_start: np.uint64, pos1_end: np.uint64, pos2_start: np.uint64, pos2_end: np.uint64
) -> bool:
    for prefix in _SKIPPED_POS1:
        if _starts_with(pos1_start, pos1_end, prefix):
            return False
    if pos1_end - pos1_start == np.uint64(_NOUN.shape[0]) and _starts_with(pos1_start, pos1_end, _NOUN):
        return not _starts_with(pos2_start, pos2_end, _NUMERAL)
    return True


@njit(cache=True, nogil=True)
def walk(bos: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lemma bytes, lemma ends, reading code points and (tokens, content words with a
    reading) of the node list that starts at ``bos``, parsed from ``size`` bytes."""
    # Byte ranges of each content word's lemma and reading (a token has at least one byte).
    spans = np.empty((size, 4), dtype=np.uint64)
    count = tokens = read = lemma_size = reading_size = 0
    # The feature strings lie scattered over the dictionary and mostly miss the cache: ask
    # for all of them first (the fields we read sit in their first two lines).
    node = load_u64(np.uint64(bos) + np.uint64(_NEXT))
    while node != 0:
        feature = load_u64(node + np.uint64(_FEATURE))
        prefetch(feature)
        prefetch(feature + np.uint64(64))
        node = load_u64(node + np.uint64(_NEXT))
    node = load_u64(np.uint64(bos) + np.uint64(_NEXT))
    while node != 0:
        here = node
        node = load_u64(here + np.uint64(_NEXT))
        stat = load_u8(here + np.uint64(_STAT))
        if stat != _NORMAL and stat != _UNKNOWN:
            continue  # BOS / EOS
        tokens += 1
        # The byte ranges of the fields we read, up to the lemma.
        zero = np.uint64(0)
        pos1_start = pos1_end = pos2_start = pos2_end = zero
        lemma_start = lemma_end = reading_start = reading_end = zero
        position = load_u64(here + np.uint64(_FEATURE))
        found = 0
        while found <= _LEMMA and position != 0 and load_u8(position) != 0:
            start, end, position = _next_field(position)
            if found == _POS1:
                pos1_start, pos1_end = start, end
            elif found == _POS2:
                pos2_start, pos2_end = start, end
            elif found == _READING:
                reading_start, reading_end = start, end
            elif found == _LEMMA:
                lemma_start, lemma_end = start, end
            found += 1
        if found < 2 or not _is_content(pos1_start, pos1_end, pos2_start, pos2_end):
            continue
        if stat == _UNKNOWN:
            lemma_start = load_u64(here + np.uint64(_SURFACE))
            lemma_end = lemma_start + np.uint64(load_u16(here + np.uint64(_LENGTH)))
            reading_start = reading_end = lemma_start  # unknown words have no reading
        elif found <= _LEMMA:
            continue  # a dictionary entry without a lemma: nothing to read
        # The lemma stops at the loanword gloss; a lemma that starts with it is no word.
        cut = lemma_start
        while cut < lemma_end and load_u8(cut) != _DASH:
            cut += np.uint64(1)
        if cut == lemma_start:
            continue
        if count == size:  # cannot happen (every token has a byte); the arrays are unchecked
            break
        spans[count, 0] = lemma_start
        spans[count, 1] = cut
        spans[count, 2] = reading_start
        spans[count, 3] = reading_end
        lemma_size += int(cut - lemma_start)
        reading_size += int(reading_end - reading_start)
        count += 1
        if reading_end > reading_start:
            read += 1
    lemma_bytes = np.empty(lemma_size, dtype=np.uint8)
    lemma_ends = np.empty(count, dtype=np.int64)
    reading = np.empty(reading_size, dtype=np.uint32)  # a bound: bytes >= code points
    used = decoded = 0
    for k in range(count):
        for position in range(spans[k, 0], spans[k, 1]):
            lemma_bytes[used] = load_u8(np.uint64(position))
            used += 1
        lemma_ends[k] = used
        decoded = decode_utf8(spans[k, 2], spans[k, 3], reading, decoded)
    counts = np.empty(2, dtype=np.int64)
    counts[0] = tokens
    counts[1] = read
    return lemma_bytes, lemma_ends, reading[:decoded], counts
