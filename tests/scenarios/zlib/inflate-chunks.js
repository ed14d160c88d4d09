// Ported from test/parallel/test-zlib-from-string.js and test-zlib-params.js (chunkSize):
// decompressed output comes in chunkSize buffers; the free room of a partly filled buffer
// is filled first by the next write's output.
'use strict';
const zlib = require('zlib');
const { log } = require('../lib/log.js');

const plain = Buffer.alloc(40000);
for (let i = 0; i < plain.length; i++) plain[i] = (i * 7) % 251;
const gz = zlib.gzipSync(plain);

(async () => {
  for (const chunkSize of [16384, 1000]) {
    const g = zlib.createGunzip({ chunkSize });
    const sizes = [];
    g.on('data', (c) => sizes.push(c.length));
    g.end(gz);
    await new Promise((resolve) => g.on('close', resolve));
    log('chunkSize', chunkSize, sizes, g.bytesWritten === gz.length);
  }
  // Two members, one write each: the second member's output first fills the free room.
  const two = zlib.createGunzip({ chunkSize: 16384 });
  const sizes = [];
  two.on('data', (c) => sizes.push(c.length));
  two.write(zlib.gzipSync(plain.subarray(0, 20000)));
  two.end(zlib.gzipSync(plain.subarray(0, 20000)));
  await new Promise((resolve) => two.on('close', resolve));
  log('two writes', sizes);
})();
