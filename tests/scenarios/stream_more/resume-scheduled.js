'use strict';
// Port of test/parallel/test-stream-readable-resumeScheduled.js: pipe(),
// a 'data' listener and resume() each schedule the resume for the next tick.
const { Readable, Writable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  const w = new Writable({ highWaterMark: 16, write(c, e, cb) { cb(); } });
  r.on('resume', () => log('A resume', r.readableFlowing));
  r.pipe(w);
  log('A piped', r.readableFlowing);
  process.nextTick(() => log('A tick', r.readableFlowing));
}
setImmediate(() => {
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.push(Buffer.from([1, 2, 3]));
  r.on('resume', () => log('B resume'));
  r.on('data', (c) => log('B data', c, r.readableFlowing));
  log('B listening', r.readableFlowing);
  process.nextTick(() => log('B tick'));
});
setImmediate(() => setImmediate(() => {
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.resume();
  log('C resumed', r.readableFlowing, r.isPaused());
  r.on('resume', () => log('C resume'));
  process.nextTick(() => log('C tick'));
}));
