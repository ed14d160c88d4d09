'use strict';
// Port of test/parallel/test-stream-unpipe-event.js: 'unpipe' is emitted when
// the source ends (with or without end: false) or on unpipe(), not otherwise.
const { Writable, Readable } = require('stream');
const { log } = require('../lib/log.js');

function make(name, quick, opts, unpipe) {
  const dest = new Writable({ highWaterMark: 16, write(c, e, cb) { cb(); } });
  const src = new Readable({ highWaterMark: 16, read() { if (quick) this.push(null); } });
  dest.on('pipe', () => log(name, 'pipe'));
  dest.on('unpipe', () => log(name, 'unpipe'));
  dest.on('finish', () => log(name, 'finish'));
  src.pipe(dest, opts);
  if (unpipe) src.unpipe(dest);
  return () => log(name, 'data listeners', src.listenerCount('data'), dest.writableEnded);
}
const checks = [
  make('quick', true),
  make('never', false),
  make('never+unpipe', false, undefined, true),
  make('quick end:false', true, { end: false }),
  make('never end:false', false, { end: false }),
  make('never end:false+unpipe', false, { end: false }, true),
];
setImmediate(() => { for (const c of checks) c(); });
