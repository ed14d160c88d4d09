'use strict';
// Port of test/parallel/test-stream-auto-destroy.js (first three cases): with
// autoDestroy, 'close' follows 'end' / 'finish' and _destroy runs once.
const stream = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new stream.Readable({
    highWaterMark: 16,
    autoDestroy: true,
    read() { this.push('hello'); this.push('world'); this.push(null); },
    destroy(err, cb) { log('R _destroy', err); cb(); },
  });
  r.resume();
  r.on('end', () => log('R end'));
  r.on('close', () => log('R close', r.destroyed));
}
setImmediate(() => {
  const w = new stream.Writable({
    highWaterMark: 16,
    autoDestroy: true,
    write(data, enc, cb) { log('W _write', data); cb(null); },
    destroy(err, cb) { log('W _destroy', err); cb(); },
  });
  w.write('hello');
  w.write('world');
  w.end();
  w.on('finish', () => log('W finish'));
  w.on('close', () => log('W close', w.destroyed));
});
setImmediate(() => setImmediate(() => {
  const t = new stream.Transform({
    highWaterMark: 16,
    autoDestroy: true,
    transform(data, enc, cb) { cb(null, data); },
    destroy(err, cb) { log('T _destroy', err); cb(); },
  });
  t.write('hello');
  t.write('world');
  t.end();
  t.resume();
  t.on('end', () => log('T end'));
  t.on('finish', () => log('T finish'));
  t.on('close', () => log('T close'));
}));
