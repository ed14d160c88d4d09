'use strict';
// Port of test/parallel/test-stream-construct.js (Readable cases): _read waits
// for the construct callback; push() before it buffers; an error destroys.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  let cb = null;
  const r = new Readable({
    highWaterMark: 16,
    construct(callback) { log('A construct'); cb = callback; },
    read(n) { log('A _read', n); this.push('x'); this.push(null); },
  });
  r.on('data', (c) => log('A data', c));
  r.on('end', () => log('A end'));
  r.on('close', () => log('A close'));
  log('A read0', r.read(0));
  setImmediate(() => {
    log('A calling back');
    cb();
  });
}
setImmediate(() => setImmediate(() => {
  const r = new Readable({
    highWaterMark: 16,
    construct(callback) { log('B construct'); process.nextTick(callback, new Error('boom')); },
    read() { log('B _read (must not happen)'); },
  });
  r.on('error', (e) => log('B error', e, r.destroyed));
  r.on('close', () => log('B close'));
  r.resume();
}));
setImmediate(() => setImmediate(() => setImmediate(() => {
  const r = new Readable({
    highWaterMark: 16,
    construct(callback) { log('C construct'); callback(); },
    read() { log('C _read'); },
    destroy(err, cb) { log('C _destroy', err); cb(err); },
  });
  log('C destroy');
  r.destroy();
  r.on('close', () => log('C close'));
})));
