"""The low-level helpers of the kernels that have behaviour of their own."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from nlp.native import (
    Packed,
    lookup,
    new_table,
    part_f64,
    part_i64,
    part_u8,
    part_u32,
    table_f64,
    table_i8,
    table_i64,
)


@njit
def _as_kernels_read(region: int) -> tuple[np.ndarray, ...]:
    """Every array of the region below as a kernel views it, copied out (the views
    themselves only borrow the region's memory)."""
    return (
        table_i64(region, 0).copy(),
        part_f64(region, 1).copy(),
        part_u32(region, 2).copy(),
        part_u8(region, 3).copy(),
        table_f64(region, 4).copy(),
        part_u32(region, 5).copy(),
        part_i64(region, 0).copy(),
        table_i8(region, 6).copy(),
    )


def test_packed_arrays_read_back_as_they_were() -> None:
    originals = [
        np.arange(12, dtype=np.int64).reshape(6, 2),
        np.array([0.5, -1.25, 3.0]),
        np.zeros(0, dtype=np.uint32),
        np.frombuffer("後継者".encode(), dtype=np.uint8),
        np.arange(8, dtype=np.float64).reshape(2, 4),
        np.arange(7, dtype=np.uint32),
        np.array([[-3, 4, 5], [6, -7, 8]], dtype=np.int8),
    ]
    packed = Packed.of([(array, array.dtype.type) for array in originals])
    offsets, sizes = packed.layout[:, 0].tolist(), packed.layout[:, 1].tolist()
    assert all(offset % 64 == 0 for offset in offsets)  # each on its own cache line
    ends = [offset + size for offset, size in zip(offsets, sizes, strict=True)]
    assert all(end <= start for end, start in zip(ends, offsets[1:], strict=False))  # no overlap
    assert packed.region.ctypes.data % (2 << 20) == 0 and packed.region.size % (2 << 20) == 0  # whole huge pages
    for k, original in enumerate(originals):
        assert np.array_equal(packed.part(k, original.dtype.type), original)
    # ... and as the kernels read them, from the region's address alone.
    assert packed.address == packed.region.ctypes.data
    read = _as_kernels_read(packed.address)
    expected = [*originals[:6], originals[0].reshape(-1), originals[6]]
    assert [a.dtype for a in read] == [a.dtype for a in expected]
    for got, original in zip(read, expected, strict=True):
        assert np.array_equal(got, original)


def test_a_table_holds_a_row_per_key() -> None:
    keys = np.array([5, 9, 1 << 40], dtype=np.int64)
    table, shift = new_table(keys, np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int64))
    assert table.shape[1] == 3
    assert [lookup(table, shift, key) for key in keys] == [1, 3, 5]
    assert lookup(table, shift, np.int64(7)) == -1


def test_an_array_is_packed_only_as_the_dtype_it_will_be_read_as() -> None:
    with pytest.raises(ValueError, match="as float64"):
        Packed.of([(np.arange(3, dtype=np.int64), np.float64)])
    with pytest.raises(ValueError, match="3-D"):
        Packed.of([(np.zeros((2, 2, 2)), np.float64)])
