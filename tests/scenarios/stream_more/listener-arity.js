'use strict';
// Listeners and callbacks that take fewer arguments than the event carries get the first
// ones (JavaScript drops the rest): 'unpipe' carries (src, info), 'pipe' carries src, 'data'
// the chunk, 'error' the error; finished() calls back with (err) and pipeline() with
// (err, value). (Python raises for extra arguments; trio_nodestreams passes only those taken.)
const { Readable, Writable, finished, pipeline } = require('stream');
const { log } = require('../lib/log.js');

const src = new Readable({ read() {} });
const dst = new Writable({ write(c, e, cb) { log('write', c); cb(); } });
dst.on('pipe', (s) => log('pipe', s === src));
dst.on('unpipe', (s) => log('unpipe', s === src));
dst.on('unpipe', () => log('unpipe no args'));
src.on('data', () => log('data no args'));
src.pipe(dst);
src.push(Buffer.from('a'));
setImmediate(() => {
  src.unpipe(dst);
  finished(dst, () => log('finished no args'));
  finished(dst, (err) => log('finished err', err));
  dst.end();
  setImmediate(() => {
    const w = new Writable({ objectMode: true, write(c, e, cb) { log('w', c); cb(); } });
    pipeline(Readable.from(['x', 'y']), w, (err) => log('pipeline err', err));
    setImmediate(() => {
      const sink = new Writable({ objectMode: true, write(c, e, cb) { cb(); } });
      pipeline(Readable.from(['z']), sink, () => log('pipeline no args'));
      setImmediate(() => {
        const bad = new Readable({ read() { this.destroy(new Error('bad')); } });
        finished(bad, () => log('finished no args on error'));
        finished(bad, (err) => log('finished err on error', err));
        bad.on('error', () => log('error no args'));
        bad.resume();
      });
    });
  });
});
