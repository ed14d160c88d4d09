// Port of test/parallel/test-stream-writable-write-cb-error.js: an error from the _write
// callback (sync and async) reaches the write callback before 'error'; no 'finish'; 'close' last.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  for (const mode of ['sync', 'async']) {
    await new Promise((resolve) => {
      const w = new Writable({
        highWaterMark: 100,
        write(chunk, encoding, cb) {
          log(mode, '_write', chunk);
          if (mode === 'sync') cb(new Error('bad'));
          else process.nextTick(cb, new Error('bad'));
        },
      });
      w.on('error', (e) => log(mode, 'error', e, w.destroyed));
      w.on('finish', () => log(mode, 'finish'));
      w.on('close', () => {
        log(mode, 'close');
        resolve();
      });
      log(mode, 'write', w.write('hi', (err) => log(mode, 'write cb', err)));
      log(mode, 'write 2', w.write('more', (err) => log(mode, 'write cb 2', err)));
      w.end((err) => log(mode, 'end cb', err));
    });
  }
  const w = new Writable({ highWaterMark: 100, write(chunk, enc, cb) { cb(new Error('x')); } });
  w.on('error', (e) => log('loop error', e));
  let cnt = 0;
  while (w.write('a')) cnt++;
  log('loop count', cnt);
})();
