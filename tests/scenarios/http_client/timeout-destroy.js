'use strict';
// set_timeout: 'timeout' is only a notice; destroy() in it gives 'error'
// ECONNRESET ("socket hang up") and 'close'.
// Port of test/parallel/test-http-client-timeout-event.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

(async () => {
  const s = rawServer({ onRequest: () => {} });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, agent: false });
  trace(req, s.clog, { done: () => s.finish() });
  req.setTimeout(50, () => { s.clog('timeout cb'); req.destroy(); });
  req.on('timeout', () => s.clog('timeout event'));
  req.end();
})();
