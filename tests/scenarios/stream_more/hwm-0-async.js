'use strict';
// Port of test/parallel/test-stream-readable-hwm-0-async.js: with
// highWaterMark 0, _read keeps being called while pushes arrive asynchronously.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

let count = 3;
const r = new Readable({
  read(n) {
    log('_read', n);
    process.nextTick(() => {
      if (count--) r.push('a');
      else r.push(null);
    });
  },
  highWaterMark: 0,
});
r.on('end', () => log('end'));
r.on('data', (c) => log('data', c));
