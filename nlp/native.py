"""Raw memory access for numba kernels: loads from C addresses and cache prefetches.

`nlp.mecab` reads MeCab's node structs, which live outside any numpy array, and the lean
scorer prefetches the hash-table slots and weight rows of a message's terms before reading
them: after MeCab has run most of those reads miss the cache, and asking for all of them
at once lets the memory system overlap the misses instead of waiting for each in turn.

Each is a numba intrinsic: callable only from compiled code, with an integer address.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

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


load_u8 = _loader(8)
load_u16 = _loader(16)
load_u64 = _loader(64)
prefetch = _prefetcher()
