'use strict';
// Port of test/parallel/test-stream-readable-readable-then-resume.js and
// test-stream-readable-pause-and-resume.js: removing the last 'readable'
// listener lets 'data' flow again (checked on the next tick).
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const chunks = ['hello', null];
const s = new Readable({
  objectMode: true,
  highWaterMark: 1,
  read() { log('_read'); this.push(chunks.shift()); },
});
const readableListener = () => log('readable (must not happen)');
s.on('readable', readableListener);
log('flowing', s.readableFlowing);
s.on('data', (d) => log('data', d));
log('flowing', s.readableFlowing);
s.on('end', () => log('end'));
s.removeListener('readable', readableListener);
log('flowing after remove', s.readableFlowing);
process.nextTick(() => log('tick flowing', s.readableFlowing));

const t = new Readable({ encoding: 'utf8', highWaterMark: 16, read() {} });
function read() {}
t.on('readable', read);
t.removeListener('readable', read);
t.pause();
log('t paused', t.isPaused(), t.readableFlowing);
process.nextTick(() => log('t tick', t.isPaused(), t.readableFlowing));
