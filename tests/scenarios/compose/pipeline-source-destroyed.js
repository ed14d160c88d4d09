'use strict';
// Port of test/parallel/test-stream-pipeline.js (source destroyed without error): premature close reaches the callback.
const { log } = require('../lib/log.js');
const { Readable, PassThrough, Writable, pipeline } = require('stream');

const src = new Readable({ highWaterMark: 16, read() {} });
const pt = new PassThrough({ highWaterMark: 16 });
const sink = new Writable({ highWaterMark: 16, write(c, e, cb) { log('write', c); cb(); } });
const all = { src, pt, sink };
for (const [name, s] of Object.entries(all)) s.on('close', () => log('close', name));
pipeline(src, pt, sink, (err) => {
  log('callback', err);
  for (const [name, s] of Object.entries(all)) log('state', name, s.destroyed, s.errored);
});
src.push('x');
setImmediate(() => src.destroy());
