'use strict';
// An https server on one kept-alive connection carrying two requests: 'connection',
// then 'secureConnection', then each 'request'; what both sockets say about TLS.
// After test/parallel/test-https-simple.js and test-https-agent-session-reuse.js.
// Server and client lines are kept apart and printed at the end, so the log never
// depends on how the two sides interleave.
const https = require('https');
const fs = require('fs');
const path = require('path');
const { log } = require('../lib/log.js');

const certs = path.join(__dirname, '..', '..', 'certs');
const read = (name) => fs.readFileSync(path.join(certs, name));
const serverLines = [];
const clientLines = [];
const slog = (...a) => serverLines.push(['server', ...a]);
const clog = (...a) => clientLines.push(['client', ...a]);

const server = https.createServer({ key: read('server-key.pem'), cert: read('server.pem') }, (req, res) => {
  const s = req.socket;
  slog('request', req.url, s.encrypted, s.authorized, s.alpnProtocol, s.servername, s.getProtocol());
  res.end('ok ' + req.url);
});
server.on('connection', () => slog('connection'));
server.on('secureConnection', (s) => slog('secureConnection', s.encrypted, s.servername));
server.on('tlsClientError', (e) => slog('tlsClientError', e));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const agent = new https.Agent({ keepAlive: true, ca: read('ca.pem') });
  const one = (url, next) => {
    const req = https.get({ host: 'localhost', port, path: url, agent }, (res) => {
      const s = req.socket;
      clog('response', res.statusCode, req.reusedSocket, s.encrypted, s.authorized, s.alpnProtocol, s.getProtocol());
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        clog('end', Buffer.concat(parts).toString());
        setImmediate(next); // once the socket went back to the pool
      });
    });
    req.on('socket', (s) => clog('socket', s.encrypted));
    req.on('error', (e) => clog('error', e));
  };
  one('/first', () =>
    one('/second', () => {
      agent.destroy();
      server.close(() => {
        for (const l of serverLines) log(...l);
        for (const l of clientLines) log(...l);
      });
    }),
  );
});
