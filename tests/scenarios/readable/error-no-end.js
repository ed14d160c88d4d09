'use strict';
// Port of test/parallel/test-stream-readable-error-end.js and
// test-stream-readable-end-destroyed.js: destroy(err) after push(null) but
// before 'end': no 'end'; 'error' then 'close'.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
r.on('end', () => log('end'));
r.on('data', (c) => log('data', c));
r.on('error', (e) => log('error', e));
r.on('close', () => log('close', r.readableEnded, r.readableAborted));
r.push('asd');
r.push(null);
r.destroy(new Error('kaboom'));
log('sync', r.destroyed);

setImmediate(() => {
  const s = new Readable({ highWaterMark: 16, read() {} });
  s.on('end', () => log('s end'));
  s.on('close', () => log('s close', s.readableEnded));
  s.push(null);
  s.resume();
  process.nextTick(() => {
    log('s destroy in tick');
    s.destroy();
  });
});
