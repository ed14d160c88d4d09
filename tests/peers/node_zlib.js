'use strict';
// Node's zlib as a peer: reads {cases: [{make, opts, chunks}]} as JSON on stdin, runs each
// case through a zlib stream (create + write each chunk + end) and prints the outputs
// (hex) or the error codes as JSON. `make` is a zlib factory name such as createGzip;
// chunks and opts.dictionary are hex; opts.params keys are Brotli parameter numbers.
const zlib = require('zlib');

function runCase({ make, opts, chunks }) {
  return new Promise((resolve) => {
    const o = { ...opts };
    if (o.dictionary !== undefined) o.dictionary = Buffer.from(o.dictionary, 'hex');
    const s = zlib[make](o);
    const out = [];
    s.on('data', (c) => out.push(c));
    s.on('error', (e) => resolve({ error: e.code }));
    s.on('end', () => resolve({ out: Buffer.concat(out).toString('hex') }));
    for (const c of chunks) s.write(Buffer.from(c, 'hex'));
    s.end();
  });
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const { cases } = JSON.parse(input);
  const results = [];
  for (const c of cases) results.push(await runCase(c));
  process.stdout.write(JSON.stringify(results));
});
