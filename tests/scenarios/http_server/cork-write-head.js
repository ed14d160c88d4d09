'use strict';
// res.cork(); res.write() fixes the head at once (headersSent, then setHeader throws
// ERR_HTTP_HEADERS_SENT) although nothing leaves until uncork(); the corked writes
// then go out together. Scenario: OutgoingMessage.write_() calls _implicitHeader()
// before the socket's cork holds the bytes back (lib/_http_outgoing.js).
const { run, log } = require('./lib/wire.js');

run({
  handler(req, res) {
    res.setHeader('X-Before', '1');
    res.cork();
    log('server', 'corked', res.writableCorked, res.headersSent);
    log('server', 'write', res.write('a'));
    log('server', 'headersSent', res.headersSent);
    try { res.setHeader('X-Late', '1'); } catch (err) { log('server', 'setHeader', err); }
    try { res.removeHeader('X-Before'); } catch (err) { log('server', 'removeHeader', err); }
    try { res.writeHead(201); } catch (err) { log('server', 'writeHead', err); }
    for (let i = 0; i < 9; i++) res.write(String(i));
    res.uncork();
    log('server', 'uncorked', res.writableCorked);
    res.end();
  },
  talk: (c) => c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
});
