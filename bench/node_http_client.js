'use strict';
// Anchor for bench/client_bench.py: Node's http client, sequential keep-alive GETs.
// Usage: node bench/node_http_client.js PORT COUNT PATH  -> prints requests/s as JSON.
const http = require('http');

const [port, count, path] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] || '/fixed'];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function one() {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
  });
}

(async () => {
  for (let i = 0; i < Math.min(200, count); i++) await one();  // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await one();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ requests: count, seconds: secs, rps: count / secs }) + '\n');
  agent.destroy();
})();
