'use strict';
// The https client's verdict on each server certificate: the error code Node reports
// for an untrusted issuer, a self-signed certificate, a root sent in the chain, an
// expired certificate, a name that does not match, and for a server that is not TLS
// at all or hangs up mid-handshake; and what rejectUnauthorized: false lets through.
// After test/parallel/test-https-strict.js, test-tls-client-reject.js and
// test-https-client-checkServerIdentity.js.
const https = require('https');
const net = require('net');
const fs = require('fs');
const path = require('path');
const { log } = require('../lib/log.js');

const certs = path.join(__dirname, '..', '..', 'certs');
const read = (name) => fs.readFileSync(path.join(certs, name));

const cases = [
  ['trusted', 'server', { ca: read('ca.pem') }],
  ['no-ca', 'server', {}],
  ['selfsigned', 'selfsigned', {}],
  ['root-in-chain', 'server-with-root', { ca: read('other-ca.pem') }],
  ['expired', 'expired', { ca: read('ca.pem') }],
  ['wrong-host', 'wronghost', { ca: read('ca.pem') }],
  ['servername-mismatch', 'server', { ca: read('ca.pem'), servername: 'wrong.example' }],
  ['not-verified', 'selfsigned', { rejectUnauthorized: false }],
  ['plain-port', 'plain', { ca: read('ca.pem') }],
  ['hangup', 'hangup', { ca: read('ca.pem') }],
];

function listen(kind, cb) {
  let server;
  if (kind === 'plain') {
    // An HTTP/1.1 server that answers whatever comes with a 400, as a plain port does.
    server = net.createServer((s) => {
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
      s.on('error', () => {});
    });
  } else if (kind === 'hangup') {
    server = net.createServer((s) => s.once('data', () => s.destroy()));
  } else {
    server = https.createServer({ key: read(`${kind}-key.pem`.replace('server-with-root-', 'server-')), cert: read(`${kind}.pem`) }, (req, res) => res.end('ok'));
    server.on('tlsClientError', () => {});
  }
  server.listen(0, '127.0.0.1', () => cb(server));
}

function run(i) {
  if (i === cases.length) return;
  const [name, kind, options] = cases[i];
  listen(kind, (server) => {
    const req = https.get({ host: 'localhost', port: server.address().port, agent: false, ...options }, (res) => {
      log(name, 'response', res.statusCode, req.socket.authorized);
      res.resume();
      res.on('end', () => server.close(() => run(i + 1)));
    });
    req.on('error', (e) => {
      log(name, 'error', e);
      server.close(() => run(i + 1));
    });
  });
}

run(0);
