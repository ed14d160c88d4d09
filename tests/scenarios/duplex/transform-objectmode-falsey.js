// Port of test/parallel/test-stream-transform-objectmode-falsey-value.js: falsy objects
// (0, false, '') pass through an objectMode Transform.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const t = new Transform({
    objectMode: true,
    highWaterMark: 10,
    transform(chunk, encoding, cb) {
      log('_transform', chunk, encoding);
      cb(null, chunk);
    },
  });
  t.on('data', (c) => log('data', c));
  t.on('end', () => log('end'));
  for (const v of [0, false, '', -1, [], {}]) t.write(v);
  t.end();
})();
