'use strict';
// Port of test/parallel/test-stream-pipeline.js (a middle stream errors): every stream destroyed, callback gets the error.
const { log } = require('../lib/log.js');
const { Readable, Transform, PassThrough, Writable, pipeline } = require('stream');

const src = new Readable({ objectMode: true, highWaterMark: 2, read() {} });
const bad = new Transform({
  objectMode: true, highWaterMark: 2,
  transform(c, e, cb) { if (c === 'boom') cb(new RangeError('boom')); else cb(null, c); },
});
const pt = new PassThrough({ objectMode: true, highWaterMark: 2 });
const sink = new Writable({ objectMode: true, highWaterMark: 2, write(c, e, cb) { log('write', c); cb(); } });
const all = { src, bad, pt, sink };
for (const [name, s] of Object.entries(all)) {
  s.on('close', () => log('close', name));
  s.on('error', (err) => log('error', name, err));
}
pipeline(src, bad, pt, sink, (err) => {
  log('callback', err);
  for (const [name, s] of Object.entries(all)) log('state', name, s.destroyed, s.errored);
});
src.push('a');
setImmediate(() => src.push('boom'));
