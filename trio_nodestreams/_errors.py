"""NodeError and Node's error codes (node: lib/internal/errors.js).

Every error this library raises or emits is a :class:`NodeError` whose ``code``
is the string Node uses, so code written against Node's documentation can test
``err.code == "ERR_STREAM_WRITE_AFTER_END"`` unchanged.
"""

from __future__ import annotations

import errno as errno_module
import os
import sys
from types import FrameType, TracebackType
from typing import TypeVar

E = TypeVar("E", bound=BaseException)

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_ours(frame: FrameType) -> bool:
    # This package's frames, and trio's (a scope task runs user code from trio's frames).
    name = frame.f_code.co_filename
    return name.startswith(_HERE) or f"{os.sep}trio{os.sep}" in name


def at_call_site(err: E) -> E:
    """Give ``err`` the traceback of the user's call that caused it.

    For an error reported later (through ``'error'``, a callback or an awaited
    ``pipeline()``) rather than raised on the spot: when it is finally raised, its
    traceback ends at the user's line (``push(123)``), not only inside this package.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_ours(frame):
        frame = frame.f_back
    tb: TracebackType | None = None
    caller = frame
    depth = 0
    frames: list[FrameType] = []
    while caller is not None and not _is_ours(caller) and depth < 8:
        frames.append(caller)
        caller = caller.f_back
        depth += 1
    for f in frames:  # from the innermost outwards: a traceback links outermost to innermost
        tb = TracebackType(tb, f, f.f_lasti, f.f_lineno)
    return err.with_traceback(tb) if tb is not None else err


class NodeError(Exception):
    """An error with Node's ``code`` and ``name``.

    Args:
      code: Node's error code, such as ``"ERR_STREAM_DESTROYED"``.
      message: the human-readable message.
      name: Node's error class name (``"Error"``, ``"TypeError"``, ``"AbortError"`` ...).
    """

    code: str
    name: str

    def __new__(cls, *args: object, **kwargs: object) -> NodeError:
        # Node's TypeError and RangeError are Python's TypeError and ValueError too, however
        # the error was made: NodeError(code, msg, name="TypeError") is a NodeTypeError.
        if cls is NodeError:
            name = kwargs.get("name")
            if name == "TypeError":
                cls = NodeTypeError
            elif name == "RangeError":
                cls = NodeRangeError
        return super().__new__(cls, *args)

    def __init__(self, code: str, message: str, *, name: str = "Error") -> None:
        super().__init__(message)
        self.code = code
        self.name = name

    @property
    def message(self) -> str:
        """The message, as Node's ``err.message``."""
        return str(self.args[0]) if self.args else ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class NodeTypeError(NodeError, TypeError):
    """A :class:`NodeError` that Node raises as a ``TypeError``."""

    def __init__(self, code: str, message: str, *, name: str = "TypeError") -> None:
        super().__init__(code, message, name=name)


class NodeRangeError(NodeError, ValueError):
    """A :class:`NodeError` that Node raises as a ``RangeError``; a Python ``ValueError``."""

    def __init__(self, code: str, message: str, *, name: str = "RangeError") -> None:
        super().__init__(code, message, name=name)


class AbortError(NodeError):
    """The operation was aborted (Node's ``AbortError``, code ``ABORT_ERR``)."""

    def __init__(self, message: str = "The operation was aborted") -> None:
        super().__init__("ABORT_ERR", message, name="AbortError")


class NodeSystemError(NodeError):
    """A system call's error with a POSIX-style code (``ECONNRESET``, ``ENOENT`` ...).

    ``errno`` is negative, as libuv reports it to Node (``-2`` for ``ENOENT``); ``path``
    names the file of a file-system call.
    """

    errno: int | None
    syscall: str | None
    path: str | None

    def __init__(
        self,
        code: str,
        message: str,
        *,
        errno: int | None = None,
        syscall: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.errno = errno
        self.syscall = syscall
        self.path = path


def _type_name(value: object) -> str:
    if value is None:
        return "Received null"
    if isinstance(value, bool | int | float | str):
        return f"Received type {type(value).__name__} ({value!r:.25})"
    return f"Received an instance of {type(value).__name__}"


def err_invalid_arg_type(name: str, expected: str, actual: object) -> NodeTypeError:
    """``ERR_INVALID_ARG_TYPE``."""
    return NodeTypeError(
        "ERR_INVALID_ARG_TYPE",
        f'The "{name}" argument must be {expected}. {_type_name(actual)}',
    )


def err_invalid_arg_value(name: str, value: object, reason: str = "is invalid") -> NodeTypeError:
    """``ERR_INVALID_ARG_VALUE``."""
    return NodeTypeError("ERR_INVALID_ARG_VALUE", f"The argument '{name}' {reason}. Received {value!r}")


def err_out_of_range(name: str, expected: str, actual: object) -> NodeRangeError:
    """``ERR_OUT_OF_RANGE``."""
    return NodeRangeError(
        "ERR_OUT_OF_RANGE",
        f'The value of "{name}" is out of range. It must be {expected}. Received {actual!r}',
    )


def err_unknown_encoding(encoding: object) -> NodeTypeError:
    """``ERR_UNKNOWN_ENCODING``."""
    return NodeTypeError("ERR_UNKNOWN_ENCODING", f"Unknown encoding: {encoding}")


def err_method_not_implemented(method: str) -> NodeError:
    """``ERR_METHOD_NOT_IMPLEMENTED``."""
    return NodeError("ERR_METHOD_NOT_IMPLEMENTED", f"The {method} method is not implemented")


def err_multiple_callback() -> NodeError:
    """``ERR_MULTIPLE_CALLBACK``."""
    return NodeError("ERR_MULTIPLE_CALLBACK", "Callback called multiple times")


def err_stream_destroyed(method: str) -> NodeError:
    """``ERR_STREAM_DESTROYED``."""
    return NodeError(
        "ERR_STREAM_DESTROYED", f"Cannot call {method} after a stream was destroyed"
    )


def err_stream_write_after_end() -> NodeError:
    """``ERR_STREAM_WRITE_AFTER_END``."""
    return NodeError("ERR_STREAM_WRITE_AFTER_END", "write after end")


def err_stream_already_finished(method: str) -> NodeError:
    """``ERR_STREAM_ALREADY_FINISHED``."""
    return NodeError(
        "ERR_STREAM_ALREADY_FINISHED", f"Cannot call {method} after a stream was finished"
    )


def err_stream_null_values() -> NodeTypeError:
    """``ERR_STREAM_NULL_VALUES``."""
    return NodeTypeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream")


def err_stream_push_after_eof() -> NodeError:
    """``ERR_STREAM_PUSH_AFTER_EOF``."""
    return NodeError("ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF")


def err_stream_unshift_after_end_event() -> NodeError:
    """``ERR_STREAM_UNSHIFT_AFTER_END_EVENT``."""
    return NodeError(
        "ERR_STREAM_UNSHIFT_AFTER_END_EVENT", "stream.unshift() after end event"
    )


def err_stream_premature_close() -> NodeError:
    """``ERR_STREAM_PREMATURE_CLOSE``."""
    return NodeError("ERR_STREAM_PREMATURE_CLOSE", "Premature close")


def err_stream_cannot_pipe() -> NodeError:
    """``ERR_STREAM_CANNOT_PIPE``."""
    return NodeError("ERR_STREAM_CANNOT_PIPE", "Cannot pipe, not readable")


def err_missing_args(*names: str) -> NodeTypeError:
    """``ERR_MISSING_ARGS``."""
    return NodeTypeError(
        "ERR_MISSING_ARGS", "The " + " and ".join(f'"{n}"' for n in names) + " argument must be specified"
    )


def err_unhandled_error(value: object) -> NodeError:
    """``ERR_UNHANDLED_ERROR``: ``emit('error', x)`` where ``x`` is not an exception."""
    return NodeError("ERR_UNHANDLED_ERROR", f"Unhandled error. ({value!r})")


def err_scope_closed() -> NodeError:
    """``ERR_SCOPE_CLOSED``: a stream was used after the ``open_scope()`` block it belongs to exited.

    This code is ours: nothing can run a stream's deferred events once its scope is gone.
    """
    return NodeError(
        "ERR_SCOPE_CLOSED",
        "the scope of this stream has exited: a stream works only inside the "
        "`async with trio_nodestreams.open_scope():` block it was made in (or the one passed as scope=)",
    )


def err_no_scope() -> NodeError:
    """``ERR_NO_SCOPE``: a stream was created outside ``open_scope()``.

    This code is ours: Node has one process-wide event loop, Trio has none.
    """
    return NodeError(
        "ERR_NO_SCOPE",
        "streams need a scope to run their deferred events in: create them inside "
        "`async with trio_nodestreams.open_scope():` (or pass scope=...)",
    )


# libuv's messages, which Node's system errors carry (Python's strerror words some differently).
_UV_MESSAGES = {
    "ENOENT": "no such file or directory",
    "EACCES": "permission denied",
    "EISDIR": "illegal operation on a directory",
    "ENOTDIR": "not a directory",
    "EEXIST": "file already exists",
    "EMFILE": "too many open files",
    "EBADF": "bad file descriptor",
    "EPERM": "operation not permitted",
    "ENOSPC": "no space left on device",
    "EROFS": "read-only file system",
    "EINVAL": "invalid argument",
}


def uv_exception(exc: OSError, syscall: str, path: str | None = None) -> NodeSystemError:
    """A :class:`NodeSystemError` for ``exc``, as Node reports a failed ``syscall``.

    The message reads as Node's: ``ENOENT: no such file or directory, open '/x'``.
    """
    number = exc.errno if exc.errno is not None else 0
    code = errno_module.errorcode.get(number, "UNKNOWN")
    text = _UV_MESSAGES.get(code) or (exc.strerror or "unknown error").lower()
    where = f"{syscall} '{path}'" if path is not None else syscall
    return NodeSystemError(code, f"{code}: {text}, {where}", errno=-number, syscall=syscall, path=path)
