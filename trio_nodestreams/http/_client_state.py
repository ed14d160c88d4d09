"""The lifecycle of one client connection and its exchanges, as data (no I/O).

A pooled connection carries one request/response exchange at a time. The Trio
task that keeps it (``_client_connection``) reports what happened as an
:class:`Event`; :class:`ExchangeState` answers with the new :class:`Phase`, and
an event the phase does not expect raises. The request may still be uploading
while the response arrives (a server may answer early, 413 say), so the two
directions are tracked apart: ``request_done`` and the phase of the response.

Phases:

- ``CONNECTING``: the connection is being opened.
- ``IDLE``: connected and free (in the pool); its end is watched.
- ``AWAITING``: a request was assigned; no response head yet (1xx heads may come).
- ``RECEIVING``: the response body is arriving.
- ``COMPLETE``: the response was received; the connection is released once the
  request finished and the response was consumed.
- ``UPGRADED``: the connection left HTTP; a listener owns it.
- ``CLOSED``: gone.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["Event", "ExchangeState", "Phase", "TRANSITIONS"]


class Phase(enum.Enum):
    """Where a client connection is."""

    # Members are singletons: identity hashing is exact, and done in C.
    __hash__ = object.__hash__

    CONNECTING = "connecting"
    IDLE = "idle"
    AWAITING = "awaiting"
    RECEIVING = "receiving"
    COMPLETE = "complete"
    UPGRADED = "upgraded"
    CLOSED = "closed"


class Event(enum.Enum):
    """What the keeping task reports."""

    # Members are singletons: identity hashing is exact, and done in C.
    __hash__ = object.__hash__

    CONNECTED = "connected"
    ASSIGNED = "assigned"
    INFORMATION = "information"
    HEAD_WITH_BODY = "head with body"
    HEAD_COMPLETE = "head complete"
    BODY_COMPLETE = "body complete"
    REQUEST_FINISHED = "request finished"
    RELEASED = "released"
    UPGRADED = "upgraded"
    FAILED = "failed"
    CLOSED = "closed"


P, E = Phase, Event
_LIVE: Final = (P.CONNECTING, P.IDLE, P.AWAITING, P.RECEIVING, P.COMPLETE)

TRANSITIONS: Final[dict[tuple[Phase, Event], Phase]] = {
    (P.CONNECTING, E.CONNECTED): P.AWAITING,
    (P.IDLE, E.ASSIGNED): P.AWAITING,
    (P.AWAITING, E.INFORMATION): P.AWAITING,
    (P.AWAITING, E.HEAD_WITH_BODY): P.RECEIVING,
    (P.AWAITING, E.HEAD_COMPLETE): P.COMPLETE,
    (P.RECEIVING, E.BODY_COMPLETE): P.COMPLETE,
    (P.COMPLETE, E.RELEASED): P.IDLE,
    (P.AWAITING, E.UPGRADED): P.UPGRADED,
    **{(p, E.REQUEST_FINISHED): p for p in (P.CONNECTING, P.AWAITING, P.RECEIVING, P.COMPLETE)},
    **{(p, E.FAILED): P.CLOSED for p in (*_LIVE, P.CLOSED)},
    **{(p, E.CLOSED): P.CLOSED for p in (*_LIVE, P.UPGRADED, P.CLOSED)},
}


class LocalProtocolError(RuntimeError):
    """An event the current phase does not expect (a bug in the keeping task)."""


class ExchangeState:
    """One client connection's phase, and whether the current request was sent whole."""

    __slots__ = ("exchanges", "phase", "request_done")

    def __init__(self) -> None:
        self.phase = Phase.CONNECTING
        self.request_done = False
        #: Exchanges carried so far (a reused connection has carried one or more).
        self.exchanges = 0

    def handle(self, event: Event) -> Phase:
        """Apply ``event``; return the new phase.

        Raises:
          LocalProtocolError: ``event`` is not expected in the current phase.
        """
        phase = TRANSITIONS.get((self.phase, event))
        if phase is None:
            raise LocalProtocolError(f"{event.value!r} is not expected while {self.phase.value}")
        if event is Event.ASSIGNED or event is Event.CONNECTED:
            self.request_done = False
            self.exchanges += 1
        elif event is Event.REQUEST_FINISHED:
            self.request_done = True
        self.phase = phase
        return phase

    @property
    def reusable(self) -> bool:
        """Whether the exchange is over and the connection may carry another."""
        return self.phase is Phase.COMPLETE and self.request_done

    @property
    def busy(self) -> bool:
        """Whether an exchange is in progress."""
        return self.phase in (Phase.AWAITING, Phase.RECEIVING, Phase.COMPLETE)
