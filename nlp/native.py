"""Low-level pieces of the numba kernels: raw memory access, cache prefetches, and the
open-addressing hash table that the lean scorer and the cue automaton share.

`nlp.mecab` reads MeCab's node structs, which live outside any numpy array, and the lean
scorer prefetches the hash-table slots and weight rows of a message's terms a few reads
ahead: after MeCab has run most of those reads miss the cache, and asking for them early
lets the memory system overlap the misses instead of waiting for each in turn.

The memory functions are numba intrinsics: callable only from compiled code, with an
integer address. `call_c3` lets a kernel call MeCab itself: through ctypes, the call
costs more than a third of a microsecond before MeCab starts.

A hash table is an int64 array (slots, 1 + k): a non-zero key and its k values side by
side, so a probe reads one cache line; key 0 marks an empty slot. Its size is a power of
two, at most half full, and a key's first slot is its Fibonacci hash (the top bits of
key * 2^64/phi).

`Packed` holds a model's tables in one region on huge pages, which a kernel takes as one
address and views with `part_u8` ... `table_f64`.
"""

from __future__ import annotations

import contextlib
import mmap
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.numpy_support import carray

_I32 = ir.IntType(32)
_BYTE_POINTER = ir.IntType(8).as_pointer()


def _loader(width: int) -> Any:
    """An intrinsic that reads the unsigned ``width``-bit integer at an address."""
    result = getattr(types, f"uint{width}")

    @intrinsic
    def load(typingctx: Any, address: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.load(builder.inttoptr(args[0], ir.IntType(width).as_pointer()))

        return result(types.uint64), codegen

    return load


def _prefetcher() -> Any:
    """An intrinsic that hints the cache line at an address will be read soon."""

    @intrinsic
    def prefetch(typingctx: Any, address: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            function_type = ir.FunctionType(ir.VoidType(), [_BYTE_POINTER, _I32, _I32, _I32])
            function = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
                builder.module, function_type, "llvm.prefetch.p0"
            )
            pointer = builder.inttoptr(args[0], _BYTE_POINTER)
            # a read, to be kept in every cache level, of data (not instructions)
            hints = [ir.Constant(_I32, 0), ir.Constant(_I32, 3), ir.Constant(_I32, 1)]
            builder.call(function, [pointer, *hints])
            return context.get_dummy_value()

        return types.none(types.uint64), codegen

    return prefetch


def _addresser() -> Any:
    """An intrinsic that gives the address of an array's or a ``bytes`` object's data."""

    @intrinsic
    def address(typingctx: Any, buffer: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            data = context.make_array(signature.args[0])(context, builder, args[0]).data
            return builder.ptrtoint(data, ir.IntType(64))

        return types.uint64(buffer), codegen

    return address


def _caller() -> Any:
    """An intrinsic that calls the C function at an address with three 64-bit integer or
    pointer arguments and a 64-bit integer or pointer result (the same registers on
    x86-64 and AArch64), without leaving compiled code."""

    @intrinsic
    def call(typingctx: Any, function: Any, first: Any, second: Any, third: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            i64 = ir.IntType(64)
            pointer = builder.inttoptr(args[0], ir.FunctionType(i64, [i64, i64, i64]).as_pointer())
            return builder.call(pointer, list(args[1:]))

        return types.uint64(types.uint64, types.uint64, types.uint64, types.uint64), codegen

    return call


def _pointer() -> Any:
    """An intrinsic that makes an address a ``void*``, for ``numba.carray``."""

    @intrinsic
    def pointer(typingctx: Any, address: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.inttoptr(args[0], _BYTE_POINTER)

        return types.voidptr(types.uint64), codegen

    return pointer


load_u8 = _loader(8)
load_u16 = _loader(16)
load_u64 = _loader(64)
prefetch = _prefetcher()
buffer_address = _addresser()
call_c3 = _caller()
_as_pointer = _pointer()


CODE_POINT_BITS = 21  # every Unicode code point fits in 21 bits


def split_utf8(data: np.ndarray, ends: np.ndarray) -> list[str]:
    """Strings stored back to back as UTF-8 bytes (uint8 ``data``), string i ending at
    ``ends[i]``: the layout of lemmas in `nlp.mecab.Tokens` and `nlp.vectors.WordVectors`."""
    raw = data.tobytes()
    return [raw[start:end].decode("utf-8") for start, end in pairwise([0, *ends.tolist()])]


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as the uint32 array the kernels read."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@njit(cache=True, nogil=True)
def decode_utf8(start: np.uint64, end: np.uint64, out: np.ndarray, count: int) -> int:
    """Write the code points of the UTF-8 bytes at addresses [start, end) into ``out`` from
    index ``count``; returns the index after the last one written."""
    position = start
    while position < end:
        byte = np.uint32(load_u8(position))
        if byte < 0x80:
            code, extra = byte, 0
        elif byte < 0xE0:
            code, extra = byte & np.uint32(0x1F), 1
        elif byte < 0xF0:
            code, extra = byte & np.uint32(0x0F), 2
        else:
            code, extra = byte & np.uint32(0x07), 3
        for k in range(extra):
            following = np.uint32(load_u8(position + np.uint64(k + 1)))
            code = (code << np.uint32(6)) | (following & np.uint32(0x3F))
        out[count] = code
        count += 1
        position += np.uint64(extra + 1)
    return count


_GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio


def new_table(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, int]:
    """A hash table holding ``values[i]`` under ``keys[i]`` (non-zero, distinct), and its
    shift (64 - log2 of its size). ``values`` may be a matrix: a slot then holds the key
    and the whole row ``values[i]``."""
    keys = np.asarray(keys, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    if values.ndim == 1:
        values = values[:, None]
    bits = max(4, int(len(keys) * 2).bit_length())  # at most half full
    table = np.zeros((1 << bits, 1 + values.shape[1]), dtype=np.int64)
    _fill(keys, values, table, 64 - bits)
    return table, 64 - bits


@njit(cache=True, nogil=True)
def slot_of(key: np.int64, shift: int) -> np.int64:
    """The first slot to probe for ``key``."""
    return np.int64((np.uint64(key) * np.uint64(_GOLDEN)) >> np.uint64(shift))


@njit(cache=True, nogil=True)
def probe_from(table: np.ndarray, key: np.int64, slot: np.int64) -> np.int64:
    """The first slot from ``slot`` on that holds ``key``, or -1 once an empty slot is
    reached (a table may hold one key in several slots: `find_slot` finds the first)."""
    mask = np.int64(table.shape[0] - 1)
    while table[slot, 0] != 0:
        if table[slot, 0] == key:
            return slot
        slot = (slot + np.int64(1)) & mask
    return np.int64(-1)


@njit(cache=True, nogil=True)
def find_slot(table: np.ndarray, shift: int, key: np.int64) -> np.int64:
    """The slot that holds ``key``, or -1."""
    return probe_from(table, key, slot_of(key, shift))


@njit(cache=True, nogil=True)
def prefetch_slot(table: np.ndarray, shift: int, key: np.int64) -> None:
    """Ask for the cache line of ``key``'s first slot, to be read soon."""
    prefetch(np.uint64(table.ctypes.data) + np.uint64(slot_of(key, shift)) * np.uint64(table.strides[0]))


@njit(cache=True, nogil=True)
def lookup(table: np.ndarray, shift: int, key: np.int64) -> np.int64:
    """The (first) value stored under ``key``, or -1."""
    slot = find_slot(table, shift, key)
    return np.int64(table[slot, 1]) if slot >= 0 else np.int64(-1)


@njit(cache=True, nogil=True)
def _fill(keys: np.ndarray, values: np.ndarray, table: np.ndarray, shift: int) -> None:
    mask = np.int64(table.shape[0] - 1)
    for k in range(keys.shape[0]):
        slot = slot_of(keys[k], shift)
        while table[slot, 0] != 0:
            slot = (slot + np.int64(1)) & mask
        table[slot, 0] = keys[k]
        table[slot, 1:] = values[k]


_HUGE_PAGE = 2 << 20


@dataclass(frozen=True, slots=True)
class Packed:
    """Arrays copied side by side into one memory region, which a kernel takes as one
    integer, its address, and reads back with `part_u8` ... `table_f64`.

    An address, not arrays: a numba call pays ~65 ns to dispatch each array argument, and
    inside compiled code every view of an NRT array and every call that takes one
    increments and decrements its reference count atomically (a few hundred atomic
    operations per message for twenty arrays). Views made with ``carray`` from a raw
    pointer have no reference count. The owner of a `Packed` (`nlp.lean.LeanScorer`) keeps
    it alive for as long as a kernel may read it.

    The region opens with the layout: per array its byte offset, byte length and columns
    (0 if 1-D), as int64; then the arrays, each on its own cache line. Linux is asked to
    back the region with 2 MB pages (transparent huge pages; where it declines, plain pages
    do). The kernels read these tables at scattered places right after MeCab has run and
    evicted the page-table entries: with 4 KB pages nearly every read would also wait for a
    page walk. numpy asks for huge pages only from 4 MB. The region is rounded up to whole
    2 MB pages (only whole ones are granted), so a model keeps up to 2 MB more resident
    than its tables need."""

    region: np.ndarray  # uint8, layout then arrays
    layout: np.ndarray  # int64 (arrays, 3), a view of the region's start

    @classmethod
    def of(cls, arrays: Sequence[tuple[np.ndarray, type[np.generic]]]) -> Packed:
        """Pack each array, checked to have the dtype its reader (`part_u32`, ...) expects."""
        for array, dtype in arrays:
            if array.dtype != dtype or array.ndim > 2:
                raise ValueError(f"cannot pack a {array.ndim}-D {array.dtype} array as {dtype.__name__}")
        contiguous = [np.ascontiguousarray(array) for array, _ in arrays]
        layout_bytes = len(contiguous) * _LAYOUT_COLUMNS * 8
        # The layout and each array on cache lines of their own.
        sizes = [_round_up(array.nbytes, _CACHE_LINE) for array in contiguous]
        header = _round_up(layout_bytes, _CACHE_LINE)
        total = _round_up(max(header + sum(sizes), 1), _HUGE_PAGE)
        # Private: shared anonymous memory is shmem, which gets no huge pages by default.
        region = mmap.mmap(-1, total + _HUGE_PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        raw = np.frombuffer(region, dtype=np.uint8)  # the array keeps the region alive
        start = -raw.ctypes.data % _HUGE_PAGE
        advice = getattr(mmap, "MADV_HUGEPAGE", None)
        if advice is not None:
            with contextlib.suppress(OSError):  # no transparent huge pages: plain pages do
                region.madvise(advice, start, total)
        raw = raw[start : start + total]
        layout = raw[:layout_bytes].view(np.int64).reshape(-1, _LAYOUT_COLUMNS)
        offset = header
        for k, (array, size) in enumerate(zip(contiguous, sizes, strict=True)):
            raw[offset : offset + array.nbytes] = array.reshape(-1).view(np.uint8)
            layout[k] = offset, array.nbytes, array.shape[1] if array.ndim == 2 else 0
            offset += size
        return cls(raw, layout)

    @property
    def address(self) -> int:
        """What a kernel takes: the region's address."""
        return int(self.region.ctypes.data)

    def part(self, k: int, dtype: type[np.generic]) -> np.ndarray:
        """Array ``k`` as Python sees it (the kernels use the functions below)."""
        offset, size, columns = self.layout[k].tolist()
        flat = self.region[offset : offset + size].view(dtype)
        return flat.reshape(-1, columns) if columns else flat


_LAYOUT_COLUMNS = 3
_CACHE_LINE = 64


def _round_up(size: int, unit: int) -> int:
    """``size`` bytes rounded up to whole ``unit``s."""
    return -(-size // unit) * unit


@njit(cache=True, nogil=True)
def _entry(region: int, k: int) -> tuple[np.uint64, int, int]:
    """The address, byte length and columns of array ``k`` of the `Packed` region at ``region``."""
    row = np.uint64(region) + np.uint64(k * _LAYOUT_COLUMNS * 8)
    offset, size = load_u64(row), load_u64(row + np.uint64(8))
    return np.uint64(region) + offset, int(size), int(load_u64(row + np.uint64(16)))


@njit(cache=True, nogil=True)
def part_u8(region: int, k: int) -> np.ndarray:
    """The bytes of array ``k`` of the `Packed` region at address ``region``."""
    start, size, _ = _entry(region, k)
    return carray(_as_pointer(start), (size,), np.uint8)


@njit(cache=True, nogil=True)
def part_u32(region: int, k: int) -> np.ndarray:
    start, size, _ = _entry(region, k)
    return carray(_as_pointer(start), (size // 4,), np.uint32)


@njit(cache=True, nogil=True)
def part_i64(region: int, k: int) -> np.ndarray:
    start, size, _ = _entry(region, k)
    return carray(_as_pointer(start), (size // 8,), np.int64)


@njit(cache=True, nogil=True)
def part_f64(region: int, k: int) -> np.ndarray:
    start, size, _ = _entry(region, k)
    return carray(_as_pointer(start), (size // 8,), np.float64)


@njit(cache=True, nogil=True)
def table_i8(region: int, k: int) -> np.ndarray:
    """Array ``k`` as an int8 matrix."""
    start, size, columns = _entry(region, k)
    return carray(_as_pointer(start), (size // columns, columns), np.int8)


@njit(cache=True, nogil=True)
def table_i64(region: int, k: int) -> np.ndarray:
    """Array ``k`` as an int64 matrix."""
    start, size, columns = _entry(region, k)
    return carray(_as_pointer(start), (size // 8 // columns, columns), np.int64)


@njit(cache=True, nogil=True)
def table_f64(region: int, k: int) -> np.ndarray:
    """Array ``k`` as a float64 matrix."""
    start, size, columns = _entry(region, k)
    return carray(_as_pointer(start), (size // 8 // columns, columns), np.float64)
