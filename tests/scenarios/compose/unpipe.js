'use strict';
// Port of test/parallel/test-stream-pipe-unpipe-streams.js: unpipe one destination, then all.
const { log } = require('../lib/log.js');
const { Readable, Writable } = require('stream');

const source = new Readable({ read() {}, highWaterMark: 16 });
const mk = (name) => new Writable({ highWaterMark: 16, write(c, e, cb) { log('write', name, c); cb(); } });
const d1 = mk('d1');
const d2 = mk('d2');
d1.on('pipe', () => log('pipe', 'd1'));
d2.on('pipe', () => log('pipe', 'd2'));
d1.on('unpipe', (s) => log('unpipe', 'd1', s === source));
d2.on('unpipe', (s) => log('unpipe', 'd2', s === source));
source.pipe(d1);
source.pipe(d2);
log('pipes', source._readableState.pipes.length);
source.push('x');
setImmediate(() => {
  source.unpipe(d2);
  log('pipes', source._readableState.pipes.length, source.readableFlowing);
  source.push('y');
  setImmediate(() => {
    source.unpipe();
    log('pipes', source._readableState.pipes.length, source.readableFlowing);
    source.push('z');
    setImmediate(() => log('length', source.readableLength));
  });
});
