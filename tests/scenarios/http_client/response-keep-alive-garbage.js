'use strict';
// A keep-alive response followed, in the same write, by bytes that are no response
// ("GARBAGE"), through a keep-alive agent. The parser reads on past the complete response
// and fails; Node's client reports the parse error on the request after 'response', and the
// connection is not reused: the next request of the agent opens a new one.
// After test/parallel/test-http-client-parse-error.js and test-http-keep-alive.js.
const http = require('http');
const { rawServer, trace } = require('./lib/raw.js');

const answers = [
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext',
];

(async () => {
  const s = rawServer({ onRequest: (conn, text, n) => conn.socket.write(answers[n]) });
  await s.ready;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < answers.length; i++) {
    await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: s.port, path: `/${i}`, agent });
      trace(req, s.clog);
      req.on('response', () => s.clog('reused', req.reusedSocket));
      req.on('close', () => setImmediate(resolve));
      req.end();
    });
  }
  s.clog('free sockets', Object.values(agent.freeSockets).reduce((n, l) => n + l.length, 0));
  agent.destroy();
  s.finish();
})();
