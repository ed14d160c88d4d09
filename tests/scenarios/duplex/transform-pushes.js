// Port of test/parallel/test-stream2-transform.js (assorted pushes, callback with data):
// several pushes per input chunk, callback(null, data) as a final push, and _flush pushing data.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    highWaterMark: 100,
    transform(chunk, encoding, cb) {
      log('_transform', chunk, encoding);
      this.push(chunk.subarray(0, 1));
      this.push(chunk.subarray(1));
      cb(null, Buffer.from('|'));
    },
    flush(cb) {
      log('_flush');
      this.push('tail');
      cb(null, 'end');
    },
  });
  t.on('data', (c) => log('data', c));
  t.on('end', () => log('end'));
  t.write('abc');
  t.write('de');
  t.end();
})();
