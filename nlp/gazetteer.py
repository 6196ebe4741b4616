"""Fast longest-match lookup of many fixed names in a text.

A regular expression alternation of hundreds of names tries each one at every position;
here a character class of the names' first characters jumps (in C) to the few positions
where a name can start, and a dictionary check of the possible lengths decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Match(Generic[V]):
    """One name found at ``start``."""

    start: int
    name: str
    value: V

    @property
    def end(self) -> int:
        return self.start + len(self.name)


class Gazetteer(Generic[V]):
    """Names mapped to values; finds non-overlapping longest matches left to right."""

    def __init__(self, names: Mapping[str, V]) -> None:
        if not names:
            raise ValueError("a gazetteer needs at least one name")
        self._names = dict(names)
        lengths: dict[str, set[int]] = {}
        for name in self._names:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths = {first: sorted(ls, reverse=True) for first, ls in lengths.items()}
        self._first_re = re.compile("[" + "".join(re.escape(c) for c in lengths) + "]")

    def find(self, text: str) -> Iterator[Match[V]]:
        """Every match in ``text``, left to right, longest first, never overlapping."""
        position = 0
        names, lengths = self._names, self._lengths
        while True:
            hit = self._first_re.search(text, position)
            if hit is None:
                return
            start = hit.start()
            position = start + 1
            for length in lengths[text[start]]:
                name = text[start : start + length]
                if name in names:
                    yield Match(start, name, names[name])
                    position = start + length
                    break

    def first(self, text: str) -> Match[V] | None:
        """The leftmost match, if any."""
        return next(self.find(text), None)
