"""Node's https module on Trio: the http server and client over TLS (``trio.SSLStream``)."""

from ._client import Agent as Agent
from ._client import get as get
from ._client import global_agent as global_agent
from ._client import request as request
from ._server import Server as Server
from ._server import create_server as create_server
from ._tls import TLSSocket as TLSSocket

__all__ = [
    "Agent",
    "Server",
    "TLSSocket",
    "create_server",
    "get",
    "global_agent",
    "request",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(__name__ + "._"):
        _obj.__module__ = __name__
del _name, _obj
