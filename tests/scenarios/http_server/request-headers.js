'use strict';
// req.headers joins duplicates as Node does (set-cookie -> array, first wins for the
// drop-duplicates set, cookie with "; ", others with ", "); req.rawHeaders keeps them all
// as sent; req.headersDistinct lists every value.
// Port of test/parallel/test-http-incoming-message-headers-distinct.js and
// test-http-header-read.js / test-http-multi-line-headers.js.
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    log('server', 'headers', req.headers);
    log('server', 'rawHeaders', req.rawHeaders);
    log('server', 'headersDistinct', Object.assign({}, req.headersDistinct));
    res.end();
  },
  talk: (c) => c.write(
    'GET / HTTP/1.1\r\nHost: x\r\nhost: y\r\nContent-Type: a\r\ncontent-type: b\r\n' +
    'User-Agent: u1\r\nUSER-AGENT: u2\r\nSet-Cookie: s1\r\nset-cookie: s2\r\n' +
    'Cookie: c1=1\r\nCOOKIE: c2=2\r\nAccept: x/y\r\nAccept: z/w\r\nX-Custom: 1\r\nx-custom: 2\r\n' +
    'Authorization: one\r\nAuthorization: two\r\nETag: e1\r\nEtag: e2\r\nVia: v1\r\nVia: v2\r\n' +
    'X-Empty:\r\nX-Space:   padded value  \r\nX-Obs: caf\xe9\r\n\r\n'),
});
