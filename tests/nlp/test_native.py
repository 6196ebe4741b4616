"""The low-level helpers of the kernels that have behaviour of their own."""

from __future__ import annotations

import numpy as np

from nlp.native import lookup, new_table, on_huge_pages


def test_huge_page_copies_equal_their_originals() -> None:
    originals = [
        np.arange(12, dtype=np.int64).reshape(6, 2),
        np.array([0.5, -1.25, 3.0]),
        np.zeros(0, dtype=np.uint32),
        np.frombuffer("後継者".encode(), dtype=np.uint8),
        np.arange(7, dtype=np.uint32),
    ]
    copies = on_huge_pages(originals)
    for original, copy in zip(originals, copies, strict=True):
        assert copy.dtype == original.dtype and copy.shape == original.shape
        assert np.array_equal(copy, original)
        assert copy.flags.c_contiguous
    addresses = [copy.ctypes.data for copy in copies if copy.size]  # an empty one has none
    assert all(address % 64 == 0 for address in addresses)  # each on its own cache line
    assert addresses == sorted(addresses) and addresses[-1] - addresses[0] < 1024  # side by side


def test_a_table_holds_a_row_per_key() -> None:
    keys = np.array([5, 9, 1 << 40], dtype=np.int64)
    table, shift = new_table(keys, np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int64))
    assert table.shape[1] == 3
    assert [lookup(table, shift, key) for key in keys] == [1, 3, 5]
    assert lookup(table, shift, np.int64(7)) == -1
