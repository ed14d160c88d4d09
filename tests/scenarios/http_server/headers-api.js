'use strict';
// setHeader / appendHeader / removeHeader / getHeader(s) / hasHeader, set-cookie arrays,
// the multi-value Cookie join, and removeHeader('Date').
// Port of test/parallel/test-http-mutable-headers.js and test-http-append-header.js.
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    res.setHeader('X-One', '1');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.appendHeader('set-cookie', 'c=3');
    res.appendHeader('X-One', ['2', '3']);
    res.appendHeader('X-New', 'n');
    res.setHeader('X-Num', 42);
    res.setHeader('Cookie', ['k=1', 'l=2']);
    res.setHeader('X-Gone', 'g');
    res.removeHeader('x-gone');
    res.removeHeader('Date');
    log('server', 'getHeaders', Object.assign({}, res.getHeaders()));
    log('server', 'getHeaderNames', res.getHeaderNames());
    log('server', 'getRawHeaderNames', res.getRawHeaderNames());
    log('server', 'hasHeader', res.hasHeader('x-one'), res.hasHeader('X-Gone'));
    log('server', 'getHeader', res.getHeader('X-ONE'), res.getHeader('x-num'));
    for (const bad of [() => res.setHeader('Bad Name', 'v'), () => res.setHeader('X-V', 'a\nb'),
      () => res.setHeader('X-U', undefined), () => res.appendHeader('', 'v')]) {
      try { bad(); } catch (err) { log('server', 'throws', err); }
    }
    res.end('ok');
    try { res.setHeader('X-Late', '1'); } catch (err) { log('server', 'after end', err); }
  },
  talk: (c) => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
});
