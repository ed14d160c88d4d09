// Port of test/parallel/test-stream-writable-destroy.js: destroy() with no error; buffered
// callbacks get ERR_STREAM_DESTROYED, no 'error', then 'close'; end() after destroy.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const pending = [];
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      pending.push(cb);
    },
  });
  w.on('error', (e) => log('error', e));
  w.on('close', () => log('close', w.errored));
  w.on('finish', () => log('finish'));
  w.write('a', (err) => log('cb a', err));
  w.write('b', (err) => log('cb b', err));
  w.destroy();
  log('destroyed', w.destroyed);
  await tick();
  pending.shift()();
  w.end((err) => log('end cb', err));
  await tick();
  log('done', w.writableEnded);
})();
