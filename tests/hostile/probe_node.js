'use strict';
// Send every raw request of tests/hostile/cases.py to a fresh Node http server
// on 127.0.0.1 and log what Node answers: the status line, whether the server
// closed the connection, the parser error code the server saw ('clientError'),
// and the raw response bytes (Date value masked).
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
  return Object.entries(JSON.parse(out)).map(([name, text]) => [name, Buffer.from(text, 'latin1')]);
}

const maskDate = (s) => s.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: <DATE>\r\n');

// True when `buf` holds one complete response that does not announce a close.
function completeKeepAlive(buf) {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end);
  if (/\r\nconnection: close/i.test(head)) return false;
  if (/\r\ntransfer-encoding: chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n');
  const m = /\r\ncontent-length: (\d+)/i.exec(head);
  return m !== null && text.length - end - 4 >= Number(m[1]);
}

function runCase(name, data) {
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
    const serverSide = new Promise((r) => { serverSocketClosed = r; });
    server.on('connection', (s) => s.on('close', serverSocketClosed));
    server.listen(0, '127.0.0.1', () => {
      const chunks = [];
      let closed = false;
      let timedOut = false;
      const c = net.connect(server.address().port, '127.0.0.1');
      const timer = setTimeout(() => { timedOut = true; c.destroy(); }, 3000);
      c.on('data', (d) => {
        chunks.push(d);
        if (completeKeepAlive(Buffer.concat(chunks))) c.destroy();
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
      c.write(data);
    });
  });
}

async function main() {
  for (const [name, data] of loadCases()) await runCase(name, data);
}

main();
