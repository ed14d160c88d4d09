'use strict';
// Port of test/parallel/test-stream-readable-async-iterators.js (error case): a
// destroy(err) while iterating makes the loop throw that error.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
r.on('close', () => log('close'));
r.push('a');
(async () => {
  try {
    for await (const c of r) {
      log('chunk', c);
      setImmediate(() => r.destroy(new TypeError('bad')));
    }
    log('no throw');
  } catch (e) {
    log('caught', e, r.destroyed);
  }
})();
