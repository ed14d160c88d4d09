'use strict';
// Header order and casing as sent: options.headers first (as given), then set_header
// calls, Host last unless given; array values repeat the field; the header API.
// Port of test/parallel/test-http-client-headers-array.js / test-http-mutable-headers.js.
const http = require('http');
const { rawServer, trace, mask } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => conn.socket.write('HTTP/1.1 204 No Content\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n'),
  });
  await s.ready;
  const req = http.request({ host: '127.0.0.1', port: s.port, path: '/h', agent: false,
    headers: { 'X-First': 'one', 'content-TYPE': 'text/plain', accept: ['a/b', 'c/d'] } });
  req.setHeader('X-Second', 2);
  req.setHeader('x-first', 'uno');
  req.setHeader('Cookie', ['k=v', 'k2=v2']);
  req.setHeader('X-Gone', 'x');
  req.removeHeader('x-gone');
  s.clog('names', req.getHeaderNames());
  s.clog('raw names', req.getRawHeaderNames().map((n) => n === 'Host' ? n : n));
  s.clog('get', req.getHeader('X-FIRST'), req.hasHeader('cookie'), req.hasHeader('x-gone'));
  s.clog('headers', mask(JSON.stringify(req.getHeaders())));
  trace(req, s.clog, { done: () => s.finish() });
  req.on('response', (res) => s.clog('res headers', res.headers));
  req.end();
})();
