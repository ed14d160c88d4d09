'use strict';
// res.strictContentLength = true: a body longer or shorter than its Content-Length
// throws ERR_HTTP_CONTENT_LENGTH_MISMATCH. Too many bytes throw at write() (once the
// head is fixed: the first write() after setHeader is not checked yet), too few at
// end(); end(data) checks the total. Nothing is emitted; the handler destroys the
// response after a throw, so the client gets what was flushed, then the close.
// Port of test/parallel/test-http-content-length-mismatch.js.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

const cases = [
  ['write-over', (res) => {
    res.setHeader('Content-Length', 3);
    log('server', 'write', res.write('ab'));
    res.write('cd');
  }],
  ['first-write-unchecked', (res) => {
    res.setHeader('Content-Length', 1);
    log('server', 'write', res.write('abc'));
    res.end();
  }],
  ['end-short', (res) => {
    res.writeHead(200, { 'Content-Length': 5 });
    res.write('ab');
    res.end();
  }],
  ['end-data-short', (res) => {
    res.writeHead(200, { 'Content-Length': 5 });
    res.write('ab');
    res.end('c');
  }],
  ['end-data-over', (res) => {
    res.setHeader('Content-Length', 3);
    res.end('abcd');
  }],
  ['exact', (res) => {
    res.setHeader('Content-Length', 3);
    res.write('ab');
    res.end('c');
  }],
  ['chunked-unchecked', (res) => {
    res.write('ab');
    res.end('c');
  }],
];

(async () => {
  let current;
  const server = await listen((req, res) => {
    const [name, fn] = current;
    res.strictContentLength = true;
    res.on('error', (e) => log('server', name, 'res error', e));
    res.on('finish', () => log('server', name, 'res finish'));
    try {
      fn(res);
      log('server', name, 'no throw');
    } catch (e) {
      log('server', name, 'threw', e, e.message);
      log('server', name, 'state', res.headersSent, res.writableEnded);
      setImmediate(() => res.destroy());
    }
  });
  for (const c of cases) {
    current = c;
    const client = connect(server);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    if (c[0] === 'exact' || c[0] === 'chunked-unchecked') {
      await client.waitFor(c[0] === 'exact' ? 'abc' : '0\r\n\r\n');
      client.done();
    }
    log('client', c[0], maskDate(await client.closed));
  }
  server.close();
})();
