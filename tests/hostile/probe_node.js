'use strict';
// Send every raw request of tests/hostile/cases.py to a fresh Node http server
// on 127.0.0.1 and log what Node answers: the status line, whether the server
// closed the connection, the parser error code the server saw ('clientError'),
// and the raw response bytes (Date value masked). A case is sent in the writes
// cases.py gives (each after the server has read the ones before), then
// half-closed if the case says so.
//
// Run through tests/scenarios/http_server/hostile.js so that
// scripts/record_goldens.py writes tests/golden/http_server/hostile.jsonl.

const http = require('http');
const net = require('net');
const path = require('path');
const fs = require('fs');
const { execFileSync } = require('child_process');
const { log } = require('../scenarios/lib/log.js');

function loadCases() {
  const root = path.resolve(__dirname, '..', '..');
  const venv = path.join(root, '.venv', 'bin', 'python');
  const python = process.env.PYTHON || (fs.existsSync(venv) ? venv : 'python3');
  const out = execFileSync(python, [path.join(__dirname, 'cases.py')], { encoding: 'utf8' });
  return Object.entries(JSON.parse(out)).map(([name, c]) => [name, {
    writes: c.writes.map((text) => Buffer.from(text, 'latin1')),
    halfClose: c.half_close,
    responses: c.responses,
  }]);
}

const maskDate = (s) => s.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <DATE>\r\n');

// True when `buf` holds `count` complete responses, none announcing a close.
// (Our server's chunked answers are never long enough to hold '0\r\n\r\n' early.)
function completeKeepAlive(buf, count) {
  let text = buf.toString('latin1');
  for (let i = 0; i < count; i++) {
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const head = text.slice(0, end);
    if (/\r\nconnection: close/i.test(head)) return false;
    let size;
    if (/\r\ntransfer-encoding: chunked/i.test(head)) {
      const last = text.indexOf('\r\n0\r\n\r\n', end);
      if (last < 0) return false;
      size = last + 7;
    } else {
      const m = /\r\ncontent-length: (\d+)/i.exec(head);
      if (m === null || text.length - end - 4 < Number(m[1])) return false;
      size = end + 4 + Number(m[1]);
    }
    text = text.slice(size);
  }
  return true;
}

// Resolve once the server side of the connection has read `n` bytes (polled each
// check phase, so whatever the server did with them has run by then).
function readBy(socketPromise, n) {
  return socketPromise.then((s) => new Promise((resolve) => {
    const poll = () => (s.bytesRead >= n || s.destroyed ? resolve() : setImmediate(poll));
    poll();
  }));
}

function runCase(name, { writes, halfClose, responses }) {
  return new Promise((resolve) => {
    const rec = { code: null, reason: null };
    const server = http.createServer((req, res) => {
      const body = [];
      req.on('data', (c) => body.push(c));
      req.on('end', () => {
        res.end(JSON.stringify({
          method: req.method, url: req.url, version: req.httpVersion,
          body: Buffer.concat(body).toString('latin1'), trailers: req.trailers,
        }));
      });
    });
    const emit = server.emit;
    server.emit = function(event, ...args) {
      if (event === 'clientError' && rec.code === null) {
        rec.code = args[0].code === undefined ? null : args[0].code;
        rec.reason = typeof args[0].reason === 'string' ? args[0].reason : null;
      }
      return emit.call(this, event, ...args);
    };
    let serverSocketClosed;
    let serverSocketOpened;
    const serverSide = new Promise((r) => { serverSocketClosed = r; });
    const serverSocket = new Promise((r) => { serverSocketOpened = r; });
    server.on('connection', (s) => { serverSocketOpened(s); s.on('close', serverSocketClosed); });
    server.listen(0, '127.0.0.1', () => {
      const chunks = [];
      let closed = false;
      let timedOut = false;
      const c = net.connect(server.address().port, '127.0.0.1');
      const timer = setTimeout(() => { timedOut = true; c.destroy(); }, 3000);
      c.on('data', (d) => {
        chunks.push(d);
        if (completeKeepAlive(Buffer.concat(chunks), responses)) c.destroy();
      });
      c.on('end', () => { closed = true; });
      c.on('error', () => {});
      c.on('close', async () => {
        clearTimeout(timer);
        await serverSide;
        server.close();
        const raw = maskDate(Buffer.concat(chunks).toString('latin1'));
        const m = /^HTTP\/1\.[01] \d{3} [^\r\n]*/.exec(raw);
        log('case', name, {
          status: m ? m[0] : null,
          closed_by_server: closed,
          timeout: timedOut,
          client_error: rec.code,
          reason: rec.reason,
          raw,
        });
        resolve();
      });
      (async () => {
        let sent = 0;
        for (const [i, piece] of writes.entries()) {
          if (i > 0) await readBy(serverSocket, sent);
          if (c.destroyed) return;
          c.write(piece);
          sent += piece.length;
        }
        if (halfClose && !c.destroyed) c.end();
      })();
    });
  });
}

async function main() {
  for (const [name, c] of loadCases()) await runCase(name, c);
}

main();
