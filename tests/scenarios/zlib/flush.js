// Ported from test/parallel/test-zlib-flush.js and test-zlib-flush-write-sync-interleaved.js:
// flush() makes everything written so far decodable, in order with the writes; its
// callback runs after the flushed output was pushed; params() flushes then applies.
'use strict';
const zlib = require('zlib');
const { log } = require('../lib/log.js');

const decode = (bufs) => zlib.inflateSync(Buffer.concat(bufs), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();

const d = zlib.createDeflate();
const out = [];
d.on('data', (c) => out.push(c));
d.on('end', () => log('end', decode(out)));
d.on('close', () => log('close'));
d.write('abc');
d.flush(() => {
  log('flushed 1', decode(out));
  d.write('def');
  d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
    log('flushed 2', decode(out));
    d.params(9, zlib.constants.Z_DEFAULT_STRATEGY, () => {
      log('params', decode(out));
      d.end('ghi');
    });
  });
});
