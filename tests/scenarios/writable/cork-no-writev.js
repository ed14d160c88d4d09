// Port of test/parallel/test-stream-writableState-uncorked-bufferedRequestCount.js: without
// _writev, uncork() drains the corked chunks one _write at a time.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk, w.writableLength);
      process.nextTick(cb);
    },
  });
  w.cork();
  w.write('a', () => log('cb a'));
  w.write('b', () => log('cb b'));
  w.write('c', () => log('cb c'));
  log('corked length', w.writableLength);
  w.uncork();
  log('uncorked', w.writableLength);
  await tick();
  log('drained', w.writableLength);
})();
