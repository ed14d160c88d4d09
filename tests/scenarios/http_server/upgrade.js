'use strict';
// Port of test/parallel/test-http-upgrade-server.js: an 'upgrade' listener gets the request,
// the raw socket and the bytes read past the head; it answers 101 itself and speaks its own
// protocol (here: echo) on the socket. No 'request' event for it.
const { listen, connect, maskDate, log } = require('./lib/wire.js');

(async () => {
  const server = await listen((req, res) => { log('server', 'request', req.url); res.end(); });
  server.on('upgrade', (req, socket, head) => {
    log('server', 'upgrade', req.method, req.url, req.headers.upgrade, head.toString('latin1'));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    socket.write(head);
    socket.on('data', (d) => socket.write(d));
    socket.on('end', () => { log('server', 'socket end'); socket.end(); });
  });
  const c = connect(server);
  c.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello');
  await c.waitFor('hello');
  c.write(' world');
  await c.waitFor(' world');
  c.socket.end();
  log('client', 'bytes', maskDate(await c.closed));
  server.close();
})();
