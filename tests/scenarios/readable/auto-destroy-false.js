'use strict';
// Port of test/parallel/test-stream-autodestroy.js (readable part): with
// autoDestroy:false 'end' does not destroy or close the stream.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ autoDestroy: false, highWaterMark: 16, read() {} });
r.on('data', (c) => log('data', c));
r.on('end', () => log('end', r.destroyed));
r.on('close', () => log('close', r.destroyed, r.closed));
r.push('a');
r.push(null);
setImmediate(() => {
  log('after end', r.destroyed, r.closed, r.readableEnded);
  r.destroy();
  log('destroyed', r.destroyed, r.closed);
});
setImmediate(() => {
  const t = new Readable({ autoDestroy: true, highWaterMark: 16, read() {} });
  t.on('end', () => log('T end', t.destroyed));
  t.on('close', () => log('T close', t.destroyed, t.closed));
  t.resume();
  t.push(null);
});
