// Port of test/parallel/test-stream-writable-destroy.js and test-stream-write-destroy.js:
// destroy(err) while one write is in flight and two are buffered; buffered callbacks get the
// error, 'error' then 'close'; the in-flight callback, released later, does not write more.
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
  w.on('error', (e) => log('error', e, w.destroyed, w.errored === e));
  w.on('close', () => log('close', w.closed));
  w.on('finish', () => log('finish'));
  w.write('a', (err) => log('cb a', err));
  w.write('b', (err) => log('cb b', err));
  w.write('c', (err) => log('cb c', err));
  w.destroy(new Error('boom'));
  log('destroyed', w.destroyed, w.writable, w.writableLength);
  await tick();
  log('release in-flight');
  pending.shift()();
  await tick();
  log('write after destroy', w.write('d', (err) => log('cb d', err)));
  await tick();
  log('pending writes', pending.length);
})();
