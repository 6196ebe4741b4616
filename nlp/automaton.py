"""An Aho-Corasick automaton over code points, compiled with numba, that reports which
groups of patterns occur in a text as a bitmask.

The cue lexicon (`nlp.cues`) only needs to know which categories' terms a message uses,
not where: every state carries the groups of all patterns that end there (including, via
its failure links, those that end in a suffix), so matching is one pass with no match list.
The same compiled matcher runs in training (through `MaskAutomaton.mask`) and inside the
lean scorer's kernel, so both see the same tags.

Matching runs after MeCab, when little of the automaton is still in the cache, and each
character's probe needs the state the previous one reached, so every miss is waited for.
Hence the layout: a transition's slot also holds the target's mask and failure link (one
cache line per character instead of three), and the root's transitions, where most
characters are read, have a small table of their own that stays cached. Most probes from
the other states find no transition (two in three, over the corpus): a bit per hash
(`MaskAutomaton.filter`, 32 KB, which stays cached where the 1 MB table does not) answers most
of those without reading the table.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from nlp.native import CODE_POINT_BITS, code_points, find_slot, new_table, slot_of

# A transition's key is (state << CODE_POINT_BITS | char) + 1, or char + 1 from the root:
# never 0, the empty slot. Its slot holds the key, then the columns below.
_TARGET, _MASK, _FAIL = 1, 2, 3
MAX_GROUPS = 63
_FILTER_BITS_PER_KEY = 16  # a probe for an absent transition passes the filter ~1 time in 16


@dataclass(frozen=True, slots=True)
class MaskAutomaton:
    """Transitions in two hash tables (from the root; from the other states), each slot
    with the target state's mask and failure link; and every state's failure link."""

    table: np.ndarray  # int64 (slots, 4): key, target, target's mask, target's failure link
    shift: int
    root: np.ndarray  # the same, for the root's transitions
    root_shift: int
    fail: np.ndarray  # int64 per state
    # int64 words: bit `slot_of(key, filter_shift)` is set for every key of ``table``
    filter: np.ndarray
    filter_shift: int

    @classmethod
    def build(cls, patterns: Sequence[str], groups: Sequence[int]) -> MaskAutomaton:
        """``groups[i]`` is the bitmask of the groups of ``patterns[i]`` (non-empty)."""
        children: list[dict[int, int]] = [{}]
        masks = [0]
        for pattern, group in zip(patterns, groups, strict=True):
            if not pattern:
                raise ValueError("an automaton pattern must not be empty")
            state = 0
            for char in map(ord, pattern):
                following = children[state].get(char)
                if following is None:
                    following = len(children)
                    children[state][char] = following
                    children.append({})
                    masks.append(0)
                state = following
            masks[state] |= group
        fail = [0] * len(children)
        queue = deque(children[0].values())
        while queue:  # breadth first: a state's failure target is settled before its children
            state = queue.popleft()
            masks[state] |= masks[fail[state]]
            for char, child in children[state].items():
                target = fail[state]
                while target and char not in children[target]:
                    target = fail[target]
                fail[child] = children[target].get(char, 0)
                queue.append(child)

        def table_of(edges: list[tuple[int, int]]) -> tuple[np.ndarray, int]:
            """The hash table of (key, target) transitions."""
            rows = [(child, masks[child], fail[child]) for _, child in edges]
            keys = np.array([key for key, _ in edges], dtype=np.int64)
            return new_table(keys, np.array(rows, dtype=np.int64).reshape(-1, 3))

        table, shift = table_of(
            [
                ((state << CODE_POINT_BITS | char) + 1, child)
                for state in range(1, len(children))
                for char, child in children[state].items()
            ]
        )
        root, root_shift = table_of([(char + 1, child) for char, child in children[0].items()])
        keys = table[:, 0][table[:, 0] != 0]
        bits = max(6, int(len(keys) * _FILTER_BITS_PER_KEY - 1).bit_length())  # whole words
        words = np.zeros(1 << (bits - 6), dtype=np.int64)
        _set_bits(keys, words, 64 - bits)
        return cls(table, shift, root, root_shift, np.array(fail, dtype=np.int64), words, 64 - bits)

    def mask(self, *texts: str) -> int:
        """The groups whose patterns occur in any of ``texts`` (no match spans two texts)."""
        tables = (
            self.table, self.shift, self.root, self.root_shift, self.fail, self.filter, self.filter_shift,
        )  # fmt: skip
        found = 0
        for text in texts:
            found |= int(match_mask(code_points(text), *tables))
        return found


@njit(cache=True, nogil=True)
def _set_bits(keys: np.ndarray, words: np.ndarray, shift: int) -> None:
    """Set the filter bit of each key."""
    for key in keys:
        bit = slot_of(key, shift)
        words[bit >> 6] |= np.int64(1) << (bit & 63)


@njit(cache=True, nogil=True)
def _may_hold(words: np.ndarray, shift: int, key: np.int64) -> bool:
    """False if ``key`` is surely not a transition (`MaskAutomaton.filter`)."""
    bit = slot_of(key, shift)
    return bool((words[bit >> 6] >> (bit & 63)) & 1)


@njit(cache=True, nogil=True)
def match_mask(
    codes: np.ndarray,
    table: np.ndarray,
    shift: int,
    root: np.ndarray,
    root_shift: int,
    fail: np.ndarray,
    words: np.ndarray,
    filter_shift: int,
) -> np.int64:
    """The groups of the patterns that occur in ``codes`` (the arguments after it are a
    `MaskAutomaton`'s arrays and shifts, in field order)."""
    state = np.int64(0)
    state_fail = np.int64(0)  # the failure link of ``state``, read with the transition into it
    found = np.int64(0)
    for char in codes:
        while True:
            if state == 0:
                slot = find_slot(root, root_shift, np.int64(char) + np.int64(1))
                if slot >= 0:
                    state, state_fail = root[slot, _TARGET], root[slot, _FAIL]
                    found |= root[slot, _MASK]
                break  # no transition from the root: stay there
            key = ((state << CODE_POINT_BITS) | np.int64(char)) + np.int64(1)
            slot = find_slot(table, shift, key) if _may_hold(words, filter_shift, key) else np.int64(-1)
            if slot >= 0:
                state, state_fail = table[slot, _TARGET], table[slot, _FAIL]
                found |= table[slot, _MASK]
                break
            # The state after a failure link has a mask within the one already found.
            state = state_fail
            state_fail = fail[state]
    return found
