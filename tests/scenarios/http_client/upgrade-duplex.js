'use strict';
// Client side of an Upgrade: the 101 response goes to 'upgrade' (res, socket, head), not to
// 'response'; the socket is handed over as a Duplex, `head` holds the bytes that came past
// the 101 head; the client writes through the socket, reads the echo, and ends it.
// Port of test/parallel/test-http-upgrade-client.js.
const http = require('http');
const { rawServer } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn) => {
      conn.socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nwelcome');
      conn.socket.on('data', (d) => conn.socket.write(d));
      conn.socket.on('end', () => s.slog('client ended', conn.n));
    },
  });
  await s.ready;
  const req = http.request({
    host: '127.0.0.1', port: s.port, agent: false,
    headers: { Connection: 'Upgrade', Upgrade: 'echo' },
  });
  req.on('response', () => s.clog('response (unexpected)'));
  req.on('error', (e) => s.clog('error', e));
  req.on('close', () => s.clog('req close'));
  req.on('upgrade', (res, socket, head) => {
    s.clog('upgrade', res.statusCode, res.statusMessage, res.headers, head.toString('latin1'));
    s.clog('socket', socket.readable, socket.writable, socket.destroyed);
    let echoed = '';
    socket.on('data', (d) => {
      echoed += d.toString('latin1');
      if (echoed === 'ping') {
        s.clog('echo', echoed);
        socket.end();
      }
    });
    socket.on('end', () => s.clog('socket end'));
    socket.on('close', () => { s.clog('socket close'); s.finish(); });
    socket.write('ping');
  });
  req.end();
})();
