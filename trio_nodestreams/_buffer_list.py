"""The readable buffer: a deque of chunks with O(1) push, shift and partial reads.

(node: lib/internal/streams/buffer_list.js) A partial read of the head chunk
moves an offset instead of re-slicing the rest, so reading a large chunk a
few bytes at a time stays linear.

It *is* a ``collections.deque``: the per-chunk paths of ``push()`` and
``read()`` call ``append`` and ``popleft`` directly, C methods with no Python
frame, and look at ``offset`` only when a partial read left one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

#: A chunk: ``bytes`` (or ``str`` once decoding, or when ``decode_strings`` is off) in byte
#: mode, any object but None in object mode. The mode is known at run time only, so a chunk
#: is typed ``Any``, as Node's own typings type it ``any``.
Chunk = Any


class BufferList(deque[Chunk]):
    """Chunks waiting to be read: ``bytes``, ``str`` (decoded) or objects (object mode).

    ``offset`` is how much of the head chunk was already consumed; iteration,
    :meth:`first` and :meth:`shift` hide it.
    """

    __slots__ = ("offset",)

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0  # bytes/characters already consumed from the head chunk

    def __iter__(self) -> Iterator[Chunk]:
        it = deque.__iter__(self)
        if self.offset and len(self):
            yield next(it)[self.offset :]
        yield from it

    def push(self, chunk: Chunk) -> None:
        """Append ``chunk``."""
        self.append(chunk)

    def unshift(self, chunk: Chunk) -> None:
        """Put ``chunk`` in front."""
        if self.offset:
            self[0] = self[0][self.offset :]
            self.offset = 0
        self.appendleft(chunk)

    def shift(self) -> Chunk:
        """Remove and return the first chunk."""
        chunk = self.popleft()
        if self.offset:
            chunk = chunk[self.offset :]
            self.offset = 0
        return chunk

    def first(self) -> Chunk:
        """The first chunk, not removed."""
        chunk = self[0]
        return chunk[self.offset :] if self.offset else chunk

    def first_length(self) -> int:
        """Length of the first chunk (what is left of it)."""
        return len(self[0]) - self.offset

    def clear(self) -> None:
        """Drop everything."""
        deque.clear(self)
        self.offset = 0

    def join_all(self) -> Chunk:
        """Remove and return everything as one ``bytes`` or ``str``."""
        if len(self) == 1 and not self.offset:
            out = self.popleft()
        else:
            parts = list(self)
            out = "".join(parts) if isinstance(parts[0], str) else b"".join(parts)
            self.clear()
        return out

    def consume(self, n: int) -> Chunk:
        """Remove and return exactly ``n`` bytes (or characters) from the front."""
        head = self[0]
        off = self.offset
        avail = len(head) - off
        if n < avail:
            self.offset = off + n
            return head[off : off + n]
        if n == avail:
            self.popleft()
            self.offset = 0
            return head[off:] if off else head
        parts = []
        while n > 0:
            head = self[0]
            off = self.offset
            avail = len(head) - off
            if n >= avail:
                parts.append(head[off:] if off else head)
                self.popleft()
                self.offset = 0
                n -= avail
            else:
                parts.append(head[off : off + n])
                self.offset = off + n
                n = 0
        return "".join(parts) if isinstance(parts[0], str) else b"".join(parts)

    def consume_text(self, units: int) -> str:
        """Remove and return ``units`` UTF-16 code units of text (Node's string length)."""
        parts: list[str] = []
        while units > 0 and len(self):
            head = self.first()
            if head.isascii():
                size = len(head)
            else:
                size = len(head) + sum(1 for c in head if ord(c) > 0xFFFF)
            if size <= units:
                parts.append(self.shift())
                units -= size
                continue
            taken = 0
            for i, c in enumerate(head):
                step = 2 if ord(c) > 0xFFFF else 1
                if taken + step > units:
                    parts.append(head[:i])
                    self.offset += i
                    units = 0
                    break
                taken += step
        return "".join(parts)
