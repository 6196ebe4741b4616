"""An Aho-Corasick automaton over code points, compiled with numba, that reports which
groups of patterns occur in a text as a bitmask.

The cue lexicon (`nlp.cues`) only needs to know which categories' terms a message uses,
not where: every state carries the groups of all patterns that end there (including, via
its failure links, those that end in a suffix), so matching is one pass with one table
probe per character and no match list. The same compiled matcher runs in training (through
`MaskAutomaton.mask`) and inside the lean scorer's kernel, so both see the same tags.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from nlp.native import CODE_POINT_BITS, code_points, lookup, new_table

# A transition's key is (state << CODE_POINT_BITS | char) + 1: never 0, the empty slot.
MAX_GROUPS = 63


@dataclass(frozen=True, slots=True)
class MaskAutomaton:
    """Transitions in a hash table, failure links and group masks per state."""

    table: np.ndarray  # int64 (slots, 2): transition key and target state
    shift: int
    fail: np.ndarray  # int64 per state
    masks: np.ndarray  # int64 per state: bit g set when a pattern of group g ends here

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
        edges = [(state, char, child) for state, out in enumerate(children) for char, child in out.items()]
        keys = [(state << CODE_POINT_BITS | char) + 1 for state, char, _ in edges]
        targets = [child for _, _, child in edges]
        table, shift = new_table(np.array(keys, dtype=np.int64), np.array(targets, dtype=np.int64))
        return cls(table, shift, np.array(fail, dtype=np.int64), np.array(masks, dtype=np.int64))

    def mask(self, *texts: str) -> int:
        """The groups whose patterns occur in any of ``texts`` (no match spans two texts)."""
        found = 0
        for text in texts:
            found |= int(match_mask(code_points(text), self.table, self.shift, self.fail, self.masks))
        return found


@njit(cache=True, nogil=True)
def match_mask(
    codes: np.ndarray, table: np.ndarray, shift: int, fail: np.ndarray, masks: np.ndarray
) -> np.int64:
    """The groups of the patterns that occur in ``codes``."""
    state = np.int64(0)
    found = np.int64(0)
    for char in codes:
        while True:
            following = lookup(table, shift, ((state << CODE_POINT_BITS) | np.int64(char)) + np.int64(1))
            if following >= 0:
                state = following
                break
            if state == 0:
                break
            state = fail[state]
        found |= masks[state]
    return found
