'use strict';
// A keep-alive Agent with maxSockets 1: three requests share one connection,
// the later ones queued until the socket is free ('free' event, reusedSocket).
// Port of test/parallel/test-http-keep-alive.js / test-http-agent-keepalive.js.
const http = require('http');
const { rawServer } = require('./lib/raw.js');

(async () => {
  const s = rawServer({
    onRequest: (conn, text, n) => conn.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nr${n}`),
  });
  await s.ready;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  agent.on('free', () => s.clog('agent free'));
  let left = 3;
  for (let i = 0; i < 3; i++) {
    const req = http.request({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent });
    req.on('socket', () => s.clog('socket', i));
    req.on('response', (res) => {
      s.clog('response', i, res.statusCode, req.reusedSocket);
      res.setEncoding('latin1');
      res.on('data', (d) => s.clog('data', i, d));
      res.on('end', () => s.clog('end', i));
    });
    req.on('close', () => {
      s.clog('close', i);
      if (--left === 0) {
        setImmediate(() => {
          s.clog('free sockets', Object.values(agent.freeSockets).flat().length);
          agent.destroy();
          s.finish();
        });
      }
    });
    req.end();
  }
  s.clog('queued', Object.values(agent.requests).flat().length);
})();
