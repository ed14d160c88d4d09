"""Node.js streams and Node's http module, rebuilt on Trio's structured concurrency."""

from ._compose import compose as compose
from ._compose import pipeline as pipeline
from ._compose import pipeline_cb as pipeline_cb
from ._duplex import Duplex as Duplex
from ._duplex import PassThrough as PassThrough
from ._duplex import Transform as Transform
from ._encoding import StringDecoder as StringDecoder
from ._errors import AbortError as AbortError
from ._errors import NodeError as NodeError
from ._errors import NodeRangeError as NodeRangeError
from ._errors import NodeSystemError as NodeSystemError
from ._errors import NodeTypeError as NodeTypeError
from ._events import EventEmitter as EventEmitter
from ._events import MaxListenersExceededWarning as MaxListenersExceededWarning
from ._events import on as on
from ._events import once as once
from ._finished import eos as eos
from ._finished import finished as finished
from ._readable import Readable as Readable
from ._readable import ReadableIterator as ReadableIterator
from ._scope import Scope as Scope
from ._scope import current_scope as current_scope
from ._scope import next_tick as next_tick
from ._scope import open_scope as open_scope
from ._state import get_default_high_water_mark as get_default_high_water_mark
from ._trio_adapters import duplex_from_trio as duplex_from_trio
from ._trio_adapters import readable_from_channel as readable_from_channel
from ._trio_adapters import readable_from_trio as readable_from_trio
from ._trio_adapters import writable_from_channel as writable_from_channel
from ._trio_adapters import writable_from_trio as writable_from_trio
from ._writable import Writable as Writable

__all__ = [
    "AbortError",
    "Duplex",
    "EventEmitter",
    "MaxListenersExceededWarning",
    "NodeError",
    "NodeRangeError",
    "NodeSystemError",
    "NodeTypeError",
    "PassThrough",
    "Readable",
    "ReadableIterator",
    "Scope",
    "StringDecoder",
    "Transform",
    "Writable",
    "compose",
    "current_scope",
    "duplex_from_trio",
    "eos",
    "finished",
    "get_default_high_water_mark",
    "next_tick",
    "on",
    "once",
    "open_scope",
    "pipeline",
    "pipeline_cb",
    "readable_from_channel",
    "readable_from_trio",
    "writable_from_channel",
    "writable_from_trio",
]

__version__ = "0.1.0"


def _fix_module_names() -> None:
    # Reprs and tracebacks say trio_nodestreams.Readable, not trio_nodestreams._readable.Readable.
    for name in __all__:
        obj = globals()[name]
        if getattr(obj, "__module__", "").startswith("trio_nodestreams._"):
            try:
                obj.__module__ = __name__
            except (AttributeError, TypeError):  # pragma: no cover
                pass


_fix_module_names()
del _fix_module_names
