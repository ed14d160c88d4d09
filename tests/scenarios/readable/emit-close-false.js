'use strict';
// Port of test/parallel/test-stream-readable-destroy.js / test-stream-destroy.js
// (emitClose option): with emitClose:false neither end nor destroy emits 'close'.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ emitClose: false, highWaterMark: 16, read() {} });
r.on('close', () => log('A close'));
r.on('end', () => log('A end'));
r.on('data', (c) => log('A data', c));
r.push('a');
r.push(null);
setImmediate(() => {
  log('A state', r.destroyed, r.closed, r.readableEnded);
  const d = new Readable({ emitClose: false, highWaterMark: 16, read() {} });
  d.on('close', () => log('B close'));
  d.on('error', (e) => log('B error', e));
  d.destroy(new Error('x'));
  setImmediate(() => log('B state', d.destroyed, d.closed, d.errored !== null));
});
