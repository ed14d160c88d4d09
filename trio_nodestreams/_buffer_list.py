"""The readable buffer: a deque of chunks with O(1) push, shift and partial reads.

(node: lib/internal/streams/buffer_list.js) A partial read of the head chunk
moves an offset instead of re-slicing the rest, so reading a large chunk a
few bytes at a time stays linear.
"""

from __future__ import annotations

from collections import deque
from typing import Any


class BufferList:
    """Chunks waiting to be read: ``bytes``, ``str`` (decoded) or objects (object mode)."""

    __slots__ = ("_chunks", "_offset")

    def __init__(self) -> None:
        self._chunks: deque[Any] = deque()
        self._offset = 0  # bytes/characters already consumed from the head chunk

    def __len__(self) -> int:
        return len(self._chunks)

    def __bool__(self) -> bool:
        return bool(self._chunks)

    def __iter__(self) -> Any:
        if self._offset and self._chunks:
            first = True
            for c in self._chunks:
                yield c[self._offset :] if first else c
                first = False
        else:
            yield from self._chunks

    def push(self, chunk: Any) -> None:
        """Append ``chunk``."""
        self._chunks.append(chunk)

    def unshift(self, chunk: Any) -> None:
        """Put ``chunk`` in front."""
        if self._offset:
            self._chunks[0] = self._chunks[0][self._offset :]
            self._offset = 0
        self._chunks.appendleft(chunk)

    def shift(self) -> Any:
        """Remove and return the first chunk."""
        chunk = self._chunks.popleft()
        if self._offset:
            chunk = chunk[self._offset :]
            self._offset = 0
        return chunk

    def first(self) -> Any:
        """The first chunk, not removed."""
        chunk = self._chunks[0]
        return chunk[self._offset :] if self._offset else chunk

    def first_length(self) -> int:
        """Length of the first chunk (what is left of it)."""
        return len(self._chunks[0]) - self._offset

    def clear(self) -> None:
        """Drop everything."""
        self._chunks.clear()
        self._offset = 0

    def join_all(self) -> Any:
        """Remove and return everything as one ``bytes`` or ``str``."""
        chunks = self._chunks
        if len(chunks) == 1 and not self._offset:
            out = chunks[0]
        else:
            parts = list(self)
            out = "".join(parts) if isinstance(parts[0], str) else b"".join(parts)
        self.clear()
        return out

    def consume(self, n: int) -> Any:
        """Remove and return exactly ``n`` bytes (or characters) from the front."""
        chunks = self._chunks
        head = chunks[0]
        off = self._offset
        avail = len(head) - off
        if n < avail:
            self._offset = off + n
            return head[off : off + n]
        if n == avail:
            chunks.popleft()
            self._offset = 0
            return head[off:] if off else head
        parts = []
        while n > 0:
            head = chunks[0]
            off = self._offset
            avail = len(head) - off
            if n >= avail:
                parts.append(head[off:] if off else head)
                chunks.popleft()
                self._offset = 0
                n -= avail
            else:
                parts.append(head[off : off + n])
                self._offset = off + n
                n = 0
        return "".join(parts) if isinstance(parts[0], str) else b"".join(parts)

    def consume_text(self, units: int) -> str:
        """Remove and return ``units`` UTF-16 code units of text (Node's string length)."""
        parts: list[str] = []
        while units > 0 and self._chunks:
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
                    self._offset += i
                    units = 0
                    break
                taken += step
        return "".join(parts)
