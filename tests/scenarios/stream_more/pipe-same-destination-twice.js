'use strict';
// Port of test/parallel/test-stream-pipe-same-destination-twice.js: piping to
// the same destination twice delivers twice; unpipe() removes one pipe at a time.
const { PassThrough, Writable } = require('stream');
const { log } = require('../lib/log.js');

{
  const pt = new PassThrough({ highWaterMark: 16 });
  const dest = new Writable({ highWaterMark: 16, write(c, e, cb) { log('A _write', c); cb(); } });
  pt.pipe(dest);
  pt.pipe(dest);
  log('A data listeners', pt.listenerCount('data'));
  pt.unpipe(dest);
  log('A data listeners', pt.listenerCount('data'));
  pt.write('foobar');
  pt.pipe(dest);
}
setImmediate(() => {
  const pt = new PassThrough({ highWaterMark: 16 });
  const dest = new Writable({ highWaterMark: 16, write(c, e, cb) { log('B _write', c); cb(); } });
  pt.pipe(dest);
  pt.pipe(dest);
  log('B data listeners', pt.listenerCount('data'));
  pt.write('foobar');
});
setImmediate(() => setImmediate(() => {
  const pt = new PassThrough({ highWaterMark: 16 });
  const dest = new Writable({ highWaterMark: 16, write(c, e, cb) { log('C _write (must not happen)', c); cb(); } });
  dest.on('unpipe', () => log('C unpipe'));
  pt.pipe(dest);
  pt.pipe(dest);
  pt.unpipe(dest);
  pt.unpipe(dest);
  log('C data listeners', pt.listenerCount('data'), pt.readableFlowing);
  pt.write('foobar');
  log('C length', pt.readableLength);
}));
