// Port of test/parallel/test-stream-writable-destroy.js (emitClose: false): no 'close' after
// 'finish' or after destroy(); the stream is still auto-destroyed.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    emitClose: false,
    write(chunk, encoding, cb) {
      cb();
    },
  });
  w.on('finish', () => log('finish'));
  w.on('close', () => log('close'));
  w.end('x');
  await tick();
  log('state', w.writableFinished, w.destroyed, w.closed);
  const d = new Writable({ highWaterMark: 100, emitClose: false, write(c, e, cb) { cb(); } });
  d.on('close', () => log('close d'));
  d.on('error', (e) => log('error d', e));
  d.destroy(new Error('e'));
  await tick();
  log('state d', d.destroyed, d.closed);
})();
