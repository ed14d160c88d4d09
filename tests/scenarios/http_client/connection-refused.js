'use strict';
// Nothing listens: 'error' ECONNREFUSED, then 'close'; no 'socket' event... as Node emits it.
// Port of test/parallel/test-http-client-error-rawbytes.js / test-net-connect-econnrefused.js.
const http = require('http');
const net = require('net');
const { log } = require('./lib/raw.js');

const probe = net.createServer();
probe.listen(0, '127.0.0.1', () => {
  const port = probe.address().port;
  probe.close(() => {
    const req = http.request({ host: '127.0.0.1', port, agent: false });
    req.on('socket', () => log('client', 'socket'));
    req.on('finish', () => log('client', 'finish'));
    req.on('error', (e) => log('client', 'error', e, e.syscall));
    req.on('close', () => log('client', 'close'));
    req.end();
  });
});
