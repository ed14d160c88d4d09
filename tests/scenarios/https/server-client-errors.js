'use strict';
// What an https server reports ('tlsClientError') for clients that fail the
// handshake: plain HTTP sent to the TLS port (no answer, the connection closes),
// a hello cut short, a client without the certificate the server requires; then
// a good client is still served. After test/parallel/test-https-client-reject.js,
// test-tls-client-abort.js and test-https-agent-constructor.js.
const https = require('https');
const net = require('net');
const fs = require('fs');
const path = require('path');
const { log } = require('../lib/log.js');

const certs = path.join(__dirname, '..', '..', 'certs');
const read = (name) => fs.readFileSync(path.join(certs, name));
const serverLines = [];
const clientLines = [];
const slog = (...a) => serverLines.push(['server', ...a]);
const clog = (...a) => clientLines.push(['client', ...a]);

const server = https.createServer(
  { key: read('server-key.pem'), cert: read('server.pem'), ca: read('ca.pem'), requestCert: true },
  (req, res) => {
    slog('request', req.url, req.socket.authorized, req.socket.getPeerCertificate().subjectaltname);
    res.end('ok');
  },
);
server.on('secureConnection', (s) => slog('secureConnection', s.authorized));
server.on('tlsClientError', (e) => slog('tlsClientError', e));

function raw(port, bytes, name, next) {
  const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
  const got = [];
  s.on('data', (d) => got.push(d));
  s.on('error', () => {});
  s.on('close', () => {
    clog(name, 'closed', Buffer.concat(got).length);
    next();
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const opts = { host: 'localhost', port, agent: false, ca: read('ca.pem') };
  raw(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'plain-http', () =>
    raw(port, Buffer.from('16030100050100000100', 'hex'), 'short-hello', () => {
      const req = https.get(opts, () => clog('no-cert', 'response'));
      req.on('error', (e) => {
        clog('no-cert', 'error', e);
        const good = https.get({ ...opts, cert: read('client.pem'), key: read('client-key.pem') }, (res) => {
          clog('with-cert', 'response', res.statusCode);
          res.resume();
          res.on('end', () =>
            server.close(() => {
              for (const l of serverLines) log(...l);
              for (const l of clientLines) log(...l);
            }),
          );
        });
        good.on('error', (e2) => clog('with-cert', 'error', e2));
      });
    }),
  );
});
