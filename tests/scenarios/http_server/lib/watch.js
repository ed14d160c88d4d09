'use strict';
// Event tracing for the http_server scenarios that follow a connection through its end:
// log named events of a req/res/socket as they happen, and the server's 'clientError'
// without adding a listener (a listener would change what Node does with the socket).

const { log } = require('../../lib/log.js');

// Log ['server', `${label} ${event}`] for each event; an error also logs its message.
function watch(emitter, label, events) {
  for (const event of events) {
    emitter.on(event, (arg) => {
      if (arg instanceof Error) log('server', `${label} ${event}`, arg, arg.message);
      else log('server', `${label} ${event}`);
    });
  }
}

// Log every 'clientError' the server emits (code and message), leaving Node's default handling.
function spyClientError(server) {
  const emit = server.emit;
  server.emit = function(event, ...args) {
    if (event === 'clientError') log('server', 'clientError', args[0], args[0].message);
    return emit.call(this, event, ...args);
  };
}

module.exports = { watch, spyClientError };
