"""Node's http module on Trio: a streaming HTTP/1.1 server and client."""

from ._agent import Agent as Agent
from ._agent import global_agent as global_agent
from ._client_request import ClientRequest as ClientRequest
from ._client_request import get as get
from ._client_request import request as request
from ._incoming import IncomingMessage as IncomingMessage
from ._outgoing import OutgoingMessage as OutgoingMessage
from ._rules import MAX_HEADER_SIZE as _MAX_HEADER_SIZE
from ._rules import METHODS as METHODS
from ._rules import STATUS_CODES as STATUS_CODES
from ._rules import validate_header_name as validate_header_name
from ._rules import validate_header_value as validate_header_value
from ._server import ClientError as ClientError
from ._server import Server as Server
from ._server import create_server as create_server
from ._server_response import ServerResponse as ServerResponse
from ._socket import Socket as Socket

#: Node's ``http.maxHeaderSize``: the default request head budget in bytes.
max_header_size = _MAX_HEADER_SIZE

__all__ = [
    "METHODS",
    "STATUS_CODES",
    "Agent",
    "ClientError",
    "ClientRequest",
    "IncomingMessage",
    "OutgoingMessage",
    "Server",
    "ServerResponse",
    "Socket",
    "create_server",
    "get",
    "global_agent",
    "max_header_size",
    "request",
    "validate_header_name",
    "validate_header_value",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(__name__ + "._"):
        _obj.__module__ = __name__
del _name, _obj
