// Fetches each request given as JSON on argv[2] ({base, requests: [{path, method, headers}]})
// with Node's http client, one keep-alive agent, one after the other; prints one JSON line per
// response: status, headers, body length and sha256 (of the body decoded from its
// Content-Encoding, and of the bytes as received).
'use strict';
const http = require('http');
const zlib = require('zlib');
const crypto = require('crypto');

const { base, requests } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

function one({ path, method = 'GET', headers = {} }) {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const body = enc === 'gzip' ? zlib.gunzipSync(raw) : enc === 'br' ? zlib.brotliDecompressSync(raw) : raw;
        resolve({
          status: res.statusCode,
          headers: res.headers,
          rawLength: raw.length,
          length: body.length,
          sha256: sha(body),
          text: body.length < 4096 ? body.toString('utf8') : '',
          reusedSocket: req.reusedSocket,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

(async () => {
  for (const r of requests) {
    process.stdout.write(JSON.stringify(await one(r)) + '\n');
  }
  agent.destroy();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
