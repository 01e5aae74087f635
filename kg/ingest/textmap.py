"""Edit text while keeping a map from every output character back to the input.

A clean-up pass finds the places to change (usually with :mod:`re`, which runs in C),
then hands a sorted list of edits to :func:`apply_edits`. Passes compose with
:func:`compose`, so the final map points into the raw text however many passes ran.

A map is a :class:`SegMap`: segment ``k`` starts at output offset ``o[k]``; a *copy*
segment maps ``o[k] + d`` to ``i[k] + d``; an *inserted* segment maps all its
characters to the single input offset ``i[k]`` (the nearest input character).

>>> text, m = apply_edits("ab<x>cd", [(2, 5, "", 0)])
>>> text, [m.to_src(p) for p in range(len(text))]
('abcd', [0, 1, 5, 6])
>>> text2, m2 = apply_edits(text, [(2, 2, "\\n", 2)])
>>> text2, [compose(m2, m).to_src(p) for p in range(len(text2))]
('ab\\ncd', [0, 1, 5, 5, 6])
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable


@dataclass
class SegMap:
    o: list[int]  # output start of each segment (o[0] == 0)
    i: list[int]  # input start (copy) or anchor (inserted)
    c: list[bool]  # True = inserted segment
    n: int  # output length

    @classmethod
    def identity(cls, n: int) -> "SegMap":
        return cls([0], [0], [False], n)

    def to_src(self, pos: int) -> int:
        k = max(bisect_right(self.o, pos) - 1, 0)
        return self.i[k] if self.c[k] else self.i[k] + (pos - self.o[k])

    def inserted_ranges(self) -> list[tuple[int, int]]:
        """Output ranges ``[s, e)`` made of inserted (not copied) characters."""
        out = []
        for k, ins in enumerate(self.c):
            if ins:
                end = self.o[k + 1] if k + 1 < len(self.o) else self.n
                if end > self.o[k]:
                    out.append((self.o[k], end))
        return out

    def to_offsets(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(norm_starts, raw_starts)`` for :class:`kg.types.OffsetMap` (inserted runs split per char)."""
        ns: list[int] = []
        rs: list[int] = []
        for k in range(len(self.o)):
            start = self.o[k]
            end = self.o[k + 1] if k + 1 < len(self.o) else self.n
            if self.c[k]:
                for p in range(start, end):
                    _push(ns, rs, p, self.i[k])
            elif end > start or not ns:
                _push(ns, rs, start, self.i[k])
        if not ns:
            ns, rs = [0], [0]
        return tuple(ns), tuple(rs)


def _push(ns: list[int], rs: list[int], p: int, r: int) -> None:
    if ns and ns[-1] == p:
        rs[-1] = r
        return
    if ns and rs[-1] + (p - ns[-1]) == r:  # continues the previous segment linearly
        return
    ns.append(p)
    rs.append(r)


class _Builder:
    __slots__ = ("src", "parts", "o", "i", "c", "pos")

    def __init__(self, src: str):
        self.src = src
        self.parts: list[str] = []
        self.o: list[int] = []
        self.i: list[int] = []
        self.c: list[bool] = []
        self.pos = 0

    def copy(self, a: int, b: int) -> None:
        if b <= a:
            return
        if not (self.o and not self.c[-1] and self.i[-1] + (self.pos - self.o[-1]) == a):
            self.o.append(self.pos)
            self.i.append(a)
            self.c.append(False)
        self.parts.append(self.src[a:b])
        self.pos += b - a

    def insert(self, s: str, anchor: int) -> None:
        if not s:
            return
        self.o.append(self.pos)
        self.i.append(anchor)
        self.c.append(True)
        self.parts.append(s)
        self.pos += len(s)

    def result(self) -> tuple[str, SegMap]:
        if not self.o:
            return "", SegMap([0], [0], [False], 0)
        return "".join(self.parts), SegMap(self.o, self.i, self.c, self.pos)


def apply_edits(text: str, edits: Iterable[tuple[int, int, str, int]]) -> tuple[str, SegMap]:
    """Replace each ``text[start:end]`` by ``repl`` (whose characters map to ``anchor``).

    Edits must be sorted and must not overlap. Returns the new text and its map.
    """
    b = _Builder(text)
    pos = 0
    any_edit = False
    for start, end, repl, anchor in edits:
        if start < pos:  # overlapping edit: skip it rather than corrupt the map
            continue
        any_edit = True
        b.copy(pos, start)
        b.insert(repl, anchor)
        pos = end
    if not any_edit:
        return text, SegMap.identity(len(text))
    b.copy(pos, len(text))
    return b.result()


def compose(outer: SegMap, inner: SegMap) -> SegMap:
    """The map ``outer`` then ``inner`` (outer: out→mid, inner: mid→raw)."""
    o: list[int] = []
    i: list[int] = []
    c: list[bool] = []

    def add(op: int, ip: int, ins: bool) -> None:
        if o and o[-1] == op:
            o.pop(), i.pop(), c.pop()
        if o and c[-1] == ins and (
            (ins and i[-1] == ip) or (not ins and i[-1] + (op - o[-1]) == ip)
        ):
            return
        o.append(op)
        i.append(ip)
        c.append(ins)

    n_in = len(inner.o)
    for k in range(len(outer.o)):
        start = outer.o[k]
        end = outer.o[k + 1] if k + 1 < len(outer.o) else outer.n
        if end <= start and k + 1 < len(outer.o):
            continue
        if outer.c[k]:
            add(start, inner.to_src(outer.i[k]), True)
            continue
        mid = outer.i[k]
        mid_end = mid + (end - start)
        j = max(bisect_right(inner.o, mid) - 1, 0)
        while True:
            seg_end = inner.o[j + 1] if j + 1 < n_in else None
            op = start + (mid - outer.i[k])
            if inner.c[j]:
                add(op, inner.i[j], True)
            else:
                add(op, inner.i[j] + (mid - inner.o[j]), False)
            if seg_end is None or seg_end >= mid_end:
                break
            mid = seg_end
            j += 1
    if not o:
        return SegMap([0], [0], [False], outer.n)
    return SegMap(o, i, c, outer.n)
