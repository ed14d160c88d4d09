"""The header store shared by ServerResponse and ClientRequest (node: lib/_http_outgoing.js)."""

from __future__ import annotations

from typing import Any

from .._errors import NodeError, err_invalid_arg_type
from ._common import (
    HeaderValue,
    HeadFlags,
    OutHeaders,
    validate_header_name,
    validate_header_value,
)


def err_headers_sent(action: str) -> NodeError:
    """``ERR_HTTP_HEADERS_SENT``."""
    return NodeError(
        "ERR_HTTP_HEADERS_SENT", f"Cannot {action} headers after they are sent to the client"
    )


class HeaderStore:
    """Node's ``setHeader`` family over an ordered ``kOutHeaders`` map.

    Mixed into the message classes; they provide ``headers_sent`` and ``_flags``.
    """

    _out_headers: OutHeaders
    _flags: HeadFlags

    @property
    def headers_sent(self) -> bool:  # pragma: no cover - overridden
        """Whether the head was sent."""
        raise NotImplementedError

    def set_header(self, name: str, value: HeaderValue) -> Any:
        """Set a header to send (replacing any of the same name, case-insensitively).

        Raises:
          NodeError: ``ERR_HTTP_HEADERS_SENT``, ``ERR_INVALID_HTTP_TOKEN``,
            ``ERR_HTTP_INVALID_HEADER_VALUE``, ``ERR_INVALID_CHAR``.
        """
        if self.headers_sent:
            raise err_headers_sent("set")
        validate_header_name(name)
        validate_header_value(name, value)
        self._out_headers[name.lower()] = (name, value)
        return self

    def set_headers(self, headers: dict[str, HeaderValue]) -> Any:
        """Set several headers at once."""
        for name, value in headers.items():
            self.set_header(name, value)
        return self

    def append_header(self, name: str, value: HeaderValue) -> Any:
        """Add a value to a header, keeping the earlier ones."""
        if self.headers_sent:
            raise err_headers_sent("append")
        validate_header_name(name)
        validate_header_value(name, value)
        key = name.lower()
        existing = self._out_headers.get(key)
        if existing is None:
            self._out_headers[key] = (name, value)
        else:
            old = existing[1]
            olds: list[Any] = list(old) if isinstance(old, list | tuple) else [old]
            news: list[Any] = list(value) if isinstance(value, list | tuple) else [value]
            self._out_headers[key] = (existing[0], olds + news)
        return self

    def get_header(self, name: str) -> HeaderValue | None:
        """The value set for ``name``, or None."""
        if not isinstance(name, str):
            raise err_invalid_arg_type("name", "of type string", name)
        entry = self._out_headers.get(name.lower())
        return None if entry is None else entry[1]

    def get_headers(self) -> dict[str, HeaderValue]:
        """A copy of the headers set, keyed by lower-case name."""
        return {key: value for key, (_name, value) in self._out_headers.items()}

    def get_header_names(self) -> list[str]:
        """The lower-case names of the headers set."""
        return list(self._out_headers)

    def get_raw_header_names(self) -> list[str]:
        """The names of the headers set, as given."""
        return [name for name, _value in self._out_headers.values()]

    def has_header(self, name: str) -> bool:
        """Whether ``name`` is set."""
        return name.lower() in self._out_headers

    def remove_header(self, name: str) -> None:
        """Unset ``name``; removing a framing header stops Node from adding its own."""
        if self.headers_sent:
            raise err_headers_sent("remove")
        self._flags.note_removed(name)
        self._out_headers.pop(name.lower(), None)
