'use strict';
// Helpers for the http_client scenarios: a raw `net` server on 127.0.0.1 that
// records the exact bytes each request arrived as, and answers with canned bytes,
// so the log shows exactly what Node's http client sent.
//
// Log shape: the server's lines (['server', ...]) first, then the client's
// (['client', ...]), both collected while the scenario runs and printed at its
// end, so that their relative order never depends on the network. Every
// 127.0.0.1:<port> is masked as 127.0.0.1:<PORT>.

const net = require('net');
const { log } = require('../../lib/log.js');

const mask = (s) => s.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<PORT>');

// Parse what a connection has received: the complete requests and the bytes left over.
function split(buf) {
  const out = [];
  let rest = buf;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end + 4);
    const lower = head.toLowerCase();
    let size = head.length;
    const cl = /\r\ncontent-length: *(\d+)/.exec(lower);
    if (/\r\ntransfer-encoding: *chunked/.test(lower)) {
      const term = rest.indexOf('\r\n0\r\n\r\n', end);
      const first0 = rest.startsWith('0\r\n\r\n', end + 4) ? end + 4 + 5 : -1;
      if (first0 >= 0) size = first0;
      else if (term >= 0) size = term + 7;
      else break;
    } else if (cl) {
      size = head.length + Number(cl[1]);
      if (rest.length < size) break;
    }
    out.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  return { requests: out, rest };
}

// A raw server. `onRequest(conn, text, n)` answers the n-th complete request of the
// server (conn.n is the connection's index); `onHead(conn, head)` sees each head first.
function rawServer({ onRequest, onHead, quiet } = {}) {
  const serverLines = [];
  const clientLines = [];
  const sockets = [];
  let conns = 0;
  let count = 0;
  const slog = (...a) => serverLines.push(['server', ...a]);
  const clog = (...a) => clientLines.push(['client', ...a]);
  const server = net.createServer((socket) => {
    const conn = { n: conns++, socket, buf: '', heads: 0 };
    sockets.push(socket);
    slog('connection', conn.n);
    socket.on('data', (d) => {
      conn.buf += d.toString('latin1');
      if (onHead) {
        let i = 0;
        let idx;
        let seen = 0;
        while ((idx = conn.buf.indexOf('\r\n\r\n', i)) >= 0) {
          seen++;
          if (seen > conn.heads) { conn.heads = seen; onHead(conn, conn.buf.slice(i, idx + 4)); }
          i = idx + 4;
          break;
        }
      }
      const { requests, rest } = split(conn.buf);
      conn.buf = rest;
      for (const text of requests) {
        conn.heads = 0;
        if (!quiet) slog('request', conn.n, mask(text));
        onRequest(conn, text, count++);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {});
  });
  const ready = new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server, ready, slog, clog,
    get port() { return server.address().port; },
    // Print every line, close the server and every connection.
    finish() {
      setImmediate(() => {
        for (const l of serverLines) log(...l);
        for (const l of clientLines) log(...l);
        for (const s of sockets) s.destroy();
        server.close();
      });
    },
  };
}

// Log the request-side events of `req` and its response, then call `done` on 'close'.
function trace(req, clog, { body = true, done } = {}) {
  req.on('socket', () => clog('socket'));
  req.on('finish', () => clog('finish'));
  req.on('response', (res) => {
    clog('response', res.statusCode, res.statusMessage, res.httpVersion, mask(JSON.stringify(res.rawHeaders)));
    if (body) {
      res.on('data', (d) => clog('data', d.toString('latin1')));
      res.on('end', () => clog('end', res.complete, res.rawTrailers));
      res.on('close', () => clog('res close'));
    }
  });
  req.on('error', (e) => clog('error', e));
  req.on('close', () => { clog('close'); if (done) done(); });
}

module.exports = { rawServer, trace, mask, log };
