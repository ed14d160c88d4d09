'use strict';
// Helpers for the http_server scenarios: a Node http server and a raw `net`
// client on 127.0.0.1, so the logged response bytes are exactly what Node sent.
//
// Log shape: server-side events are logged as ['server', ...] while they happen;
// the client's received bytes are logged once, as ['client', 'bytes', text],
// after the server side has finished (so the order never depends on the network).
// The value of every Date header is replaced by <DATE>.

const http = require('http');
const net = require('net');
const { log } = require('../../lib/log.js');

const maskDate = (s) => s.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <DATE>\r\n');

function listen(handler, options = {}) {
  const server = http.createServer(options, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Connect a raw client. `done()` half-closes it on a later turn (after the
// server's nextTicks), then the promise `closed` gives the bytes it received.
function connect(server) {
  const socket = net.connect(server.address().port, '127.0.0.1');
  const chunks = [];
  const waiters = [];
  socket.on('data', (d) => {
    chunks.push(d);
    const text = Buffer.concat(chunks).toString('latin1');
    for (const w of waiters.splice(0)) {
      if (text.includes(w.needle)) w.resolve(); else waiters.push(w);
    }
  });
  const closed = new Promise((resolve) => {
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
  return {
    socket,
    write: (data) => socket.write(Buffer.from(data, 'latin1')),
    // Resolve once the received bytes contain `needle`.
    waitFor: (needle) => new Promise((resolve) => {
      if (Buffer.concat(chunks).toString('latin1').includes(needle)) resolve();
      else waiters.push({ needle, resolve });
    }),
    done: () => setImmediate(() => socket.end()),
    closed,
  };
}

// Run one scenario: `handler(req, res, n)` serves the n-th request; `talk(client)`
// writes the requests; the client half-closes after `expected` responses finished.
async function run({ handler, talk, expected = 1, options }) {
  let finished = 0;
  let seen = 0;
  let client;
  const server = await listen((req, res) => {
    const n = seen++;
    res.on('finish', () => {
      finished++;
      if (finished === expected) client.done();
    });
    handler(req, res, n);
  }, options);
  client = connect(server);
  await talk(client);
  const bytes = await client.closed;
  await new Promise((r) => setImmediate(r));
  log('client', 'bytes', maskDate(bytes));
  server.close();
}

module.exports = { run, listen, connect, maskDate, log };
