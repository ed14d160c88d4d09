"""The lifecycle of one server connection, as data: phases, events and a transition table.

No I/O here (h11's ``_state.py`` is the model). The Trio task that serves a
connection (``_server``) reports what happened as an :class:`Event`;
:class:`ConnectionState` answers with the new :class:`Phase` and tells the task
what follows from it: whether to read, which timeout runs, whether the
connection is over. An event a phase does not expect is a bug, and raises.

Phases (requests on one connection may be pipelined, so the read side can be
in the middle of the next request while earlier responses are still owed):

- ``IDLE``: between requests, nothing owed; the keep-alive timer runs.
- ``HEAD``: a request head is arriving; the headers timer runs.
- ``BODY``: a request body is arriving; the request timer runs.
- ``RESPONDING``: every request received is complete; responses are owed.
- ``DRAINING``: no further request will be served (the last one asked to
  close, or the server is closing); the owed responses finish, then it closes.
- ``UPGRADED``: the connection left HTTP; a listener owns it.
- ``CLOSING``: the output is flushed, then the connection closes.
- ``CLOSED``: gone.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["ConnectionState", "Event", "Phase", "TRANSITIONS", "Timer"]


class Phase(enum.Enum):
    """Where a server connection is in its life."""

    # Members are singletons: identity hashing is exact, and done in C.
    __hash__ = object.__hash__

    IDLE = "idle"
    HEAD = "head"
    BODY = "body"
    RESPONDING = "responding"
    DRAINING = "draining"
    UPGRADED = "upgraded"
    CLOSING = "closing"
    CLOSED = "closed"


class Event(enum.Enum):
    """What the serving task reports."""

    # Members are singletons: identity hashing is exact, and done in C.
    __hash__ = object.__hash__

    #: The first byte of a request head arrived.
    HEAD_STARTED = "head started"
    #: A head was parsed and its body follows.
    HEAD_WITH_BODY = "head with body"
    #: A head was parsed and the request is complete (no body).
    HEAD_COMPLETE = "head complete"
    #: The request body (and its trailers) ended.
    BODY_COMPLETE = "body complete"
    #: A response finished and the connection may carry more.
    RESPONSE_FINISHED = "response finished"
    #: A response finished that was the last one (``Connection: close``).
    LAST_RESPONSE_FINISHED = "last response finished"
    #: No further request will be served (the request asked to close, the server closes).
    STOP_READING = "stop reading"
    #: The peer ended its side (FIN).
    PEER_ENDED = "peer ended"
    #: The connection failed: reset by the peer, destroyed, a parse error or a timeout.
    FAILED = "failed"
    #: The connection left HTTP (upgrade or CONNECT).
    UPGRADED = "upgraded"
    #: The output was flushed and the stream closed.
    CLOSED = "closed"


class Timer(enum.Enum):
    """Which deadline applies while the serving task waits for the peer."""

    # Members are singletons: identity hashing is exact, and done in C.
    __hash__ = object.__hash__

    NONE = "none"
    KEEP_ALIVE = "keep-alive"
    HEADERS = "headers"
    REQUEST = "request"


P, E = Phase, Event
_ANY_OPEN: Final = (P.IDLE, P.HEAD, P.BODY, P.RESPONDING, P.DRAINING)

#: (phase, event) -> phase. Events that depend on whether responses are still
#: owed name two outcomes: (when owed, when not) — see :meth:`ConnectionState.handle`.
TRANSITIONS: Final[dict[tuple[Phase, Event], Phase | tuple[Phase, Phase]]] = {
    (P.IDLE, E.HEAD_STARTED): P.HEAD,
    (P.RESPONDING, E.HEAD_STARTED): P.HEAD,
    (P.HEAD, E.HEAD_WITH_BODY): P.BODY,
    (P.HEAD, E.HEAD_COMPLETE): P.RESPONDING,
    # The response may have finished before its request's body ended: nothing owed then.
    (P.BODY, E.BODY_COMPLETE): (P.RESPONDING, P.IDLE),
    # A response may finish before its request body ended, or while the next head arrives.
    (P.HEAD, E.RESPONSE_FINISHED): P.HEAD,
    (P.BODY, E.RESPONSE_FINISHED): P.BODY,
    (P.RESPONDING, E.RESPONSE_FINISHED): (P.RESPONDING, P.IDLE),
    (P.DRAINING, E.RESPONSE_FINISHED): (P.DRAINING, P.CLOSING),
    **{(p, E.LAST_RESPONSE_FINISHED): P.CLOSING for p in _ANY_OPEN},
    (P.IDLE, E.STOP_READING): P.CLOSING,
    (P.HEAD, E.STOP_READING): (P.DRAINING, P.CLOSING),
    (P.BODY, E.STOP_READING): P.DRAINING,
    (P.RESPONDING, E.STOP_READING): (P.DRAINING, P.CLOSING),
    (P.DRAINING, E.STOP_READING): P.DRAINING,
    # Node's server ends its side when the client ends its own (httpAllowHalfOpen off).
    **{(p, E.PEER_ENDED): P.CLOSING for p in _ANY_OPEN},
    **{(p, E.FAILED): P.CLOSED for p in (*_ANY_OPEN, P.CLOSING, P.UPGRADED)},
    (P.HEAD, E.UPGRADED): P.UPGRADED,
    (P.BODY, E.UPGRADED): P.UPGRADED,
    (P.RESPONDING, E.UPGRADED): P.UPGRADED,
    **{(p, E.CLOSED): P.CLOSED for p in (*_ANY_OPEN, P.CLOSING, P.UPGRADED, P.CLOSED)},
    (P.CLOSED, E.FAILED): P.CLOSED,
    (P.CLOSING, E.PEER_ENDED): P.CLOSING,
    (P.CLOSING, E.RESPONSE_FINISHED): P.CLOSING,
    (P.CLOSING, E.LAST_RESPONSE_FINISHED): P.CLOSING,
    (P.CLOSING, E.STOP_READING): P.CLOSING,
    (P.CLOSED, E.RESPONSE_FINISHED): P.CLOSED,
    (P.CLOSED, E.LAST_RESPONSE_FINISHED): P.CLOSED,
    (P.CLOSED, E.STOP_READING): P.CLOSED,
    (P.CLOSED, E.PEER_ENDED): P.CLOSED,
}

_TIMERS: Final = {
    P.IDLE: Timer.KEEP_ALIVE,
    P.HEAD: Timer.HEADERS,
    P.BODY: Timer.REQUEST,
}


class LocalProtocolError(RuntimeError):
    """An event the current phase does not expect (a bug in the serving task)."""


class ConnectionState:
    """One server connection's phase and the number of responses it still owes."""

    __slots__ = ("owed", "phase", "served")

    def __init__(self) -> None:
        self.phase = Phase.IDLE
        #: Requests dispatched whose responses have not finished.
        self.owed = 0
        #: Requests dispatched on this connection so far.
        self.served = 0

    def handle(self, event: Event) -> Phase:
        """Apply ``event``; return the new phase.

        Raises:
          LocalProtocolError: ``event`` is not expected in the current phase.
        """
        if event is Event.HEAD_WITH_BODY or event is Event.HEAD_COMPLETE:
            self.owed += 1
            self.served += 1
        elif event is Event.RESPONSE_FINISHED or event is Event.LAST_RESPONSE_FINISHED:
            if self.owed:
                self.owed -= 1
        outcome = TRANSITIONS.get((self.phase, event))
        if outcome is None:
            raise LocalProtocolError(f"{event.value!r} is not expected while {self.phase.value}")
        if isinstance(outcome, tuple):
            outcome = outcome[0] if self.owed else outcome[1]
        self.phase = outcome
        return outcome

    @property
    def timer(self) -> Timer:
        """The deadline that applies while waiting for the peer in this phase."""
        return _TIMERS.get(self.phase, Timer.NONE)

    @property
    def open(self) -> bool:
        """Whether the connection still speaks HTTP (not upgraded, closing or closed)."""
        return self.phase in _ANY_OPEN

    @property
    def accepts_requests(self) -> bool:
        """Whether a new request head may start here."""
        return self.phase is Phase.IDLE or self.phase is Phase.RESPONDING or self.phase is Phase.HEAD

    @property
    def idle(self) -> bool:
        """Between requests with nothing owed (``close_idle_connections()`` closes these)."""
        return self.phase is Phase.IDLE
