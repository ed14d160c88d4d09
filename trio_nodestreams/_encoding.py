"""Node's string encodings: names, str -> bytes, and an incremental decoder.

(node: lib/buffer.js ``Buffer.from(str, enc)``, lib/string_decoder.js)
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

from ._errors import err_unknown_encoding

_ALIASES = {
    "utf8": "utf8",
    "utf-8": "utf8",
    "utf16le": "utf16le",
    "utf-16le": "utf16le",
    "ucs2": "utf16le",
    "ucs-2": "utf16le",
    "latin1": "latin1",
    "binary": "latin1",
    "ascii": "ascii",
    "hex": "hex",
    "base64": "base64",
    "base64url": "base64url",
}


def normalize_encoding(encoding: object) -> str | None:
    """Node's canonical name for ``encoding``, or None when Node does not know it."""
    if not isinstance(encoding, str):
        return None
    return _ALIASES.get(encoding.lower())


def check_encoding(encoding: object) -> str:
    """The canonical name of ``encoding``.

    Raises:
      NodeError: ``ERR_UNKNOWN_ENCODING``.
    """
    if encoding == "utf8":  # the default, checked for every stream made
        return "utf8"
    name = normalize_encoding(encoding)
    if name is None:
        raise err_unknown_encoding(encoding)
    return name


_HEX_PAIRS = re.compile(r"[0-9a-fA-F]{2}")
_B64_JUNK = re.compile(r"[^A-Za-z0-9+/\-_]")


def encode(text: str, encoding: str) -> bytes:
    """``Buffer.from(text, encoding)``, for a canonical encoding name."""
    if encoding == "utf8":
        return text.encode("utf-8", "surrogatepass") if not text.isascii() else text.encode("ascii")
    if encoding == "latin1" or encoding == "ascii":
        # Node keeps the low byte of each UTF-16 unit for both.
        return bytes(ord(c) & 0xFF for c in text) if not text.isascii() else text.encode("ascii")
    if encoding == "utf16le":
        return text.encode("utf-16-le", "surrogatepass")
    if encoding == "hex":
        out = bytearray()
        for i in range(0, len(text) - 1, 2):
            pair = text[i : i + 2]
            if not _HEX_PAIRS.fullmatch(pair):
                break
            out.append(int(pair, 16))
        return bytes(out)
    if encoding in ("base64", "base64url"):
        cleaned = _B64_JUNK.sub("", text.split("=", 1)[0])
        cleaned = cleaned.replace("-", "+").replace("_", "/")
        cleaned = cleaned[: len(cleaned) - (len(cleaned) % 4 == 1)]
        try:
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
        except binascii.Error:  # pragma: no cover - cleaned input always decodes
            return b""
    raise err_unknown_encoding(encoding)


def decode(data: bytes, encoding: str) -> str:
    """``buffer.toString(encoding)`` for complete data."""
    decoder = StringDecoder(encoding)
    return decoder.write(data) + decoder.end()


class StringDecoder:
    """Decodes a byte stream to text, holding back a character split across chunks.

    Invalid UTF-8 becomes U+FFFD, as Node's decoder does.
    """

    __slots__ = ("_codec", "_pending", "encoding")

    def __init__(self, encoding: str = "utf8") -> None:
        self.encoding = check_encoding(encoding)
        self._pending = b""
        if self.encoding == "utf8":
            self._codec: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")(
                "replace"
            )
        elif self.encoding == "utf16le":
            self._codec = codecs.getincrementaldecoder("utf-16-le")("surrogatepass")
        else:
            self._codec = None

    def write(self, data: bytes) -> str:
        """Decode ``data``, keeping any incomplete trailing character for later."""
        enc = self.encoding
        if self._codec is not None:
            return self._codec.decode(data)
        if enc == "latin1":
            return data.decode("latin-1")
        if enc == "ascii":
            if data.isascii():
                return data.decode("ascii")
            return bytes(b & 0x7F for b in data).decode("ascii")
        if enc == "hex":
            return data.hex()
        # base64 / base64url: whole groups of three bytes now, the rest later.
        data = self._pending + data
        cut = len(data) - len(data) % 3
        self._pending = data[cut:]
        return self._b64(data[:cut])

    def _b64(self, data: bytes) -> str:
        if self.encoding == "base64":
            return base64.b64encode(data).decode("ascii")
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")

    def end(self, data: bytes | None = None) -> str:
        """Decode ``data`` if given, then flush whatever is held back."""
        out = self.write(data) if data else ""
        if self._codec is not None:
            out += self._codec.decode(b"", final=True)
            self._codec.reset()
        elif self._pending:
            out += self._b64(self._pending)
            self._pending = b""
        return out


def text_length(text: str) -> int:
    """The length Node reports for ``text``: UTF-16 code units, not code points."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
