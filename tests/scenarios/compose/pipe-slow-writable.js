'use strict';
// scenario: pipe() into a slow Writable: write() returns false at the hwm, the source pauses until 'drain'.
const { log } = require('../lib/log.js');
const { Readable, Writable } = require('stream');

const src = new Readable({ highWaterMark: 4, read() {} });
const pending = [];
const dst = new Writable({
  highWaterMark: 4,
  write(chunk, enc, cb) { log('write', chunk); pending.push(cb); },
});
const origWrite = dst.write.bind(dst);
dst.write = (chunk) => { const r = origWrite(chunk); log('write-ret', r, dst.writableLength); return r; };
dst.on('drain', () => log('drain'));
dst.on('finish', () => log('finish'));
src.on('pause', () => log('pause'));
src.on('resume', () => log('resume'));
src.on('end', () => log('end'));
src.pipe(dst);
for (const c of ['ab', 'cd', 'ef', 'gh']) src.push(c);
src.push(null);
setImmediate(() => {
  log('step1', src.readableLength, src.isPaused());
  const flush = () => {
    const cbs = pending.splice(0);
    if (cbs.length === 0) { log('done', dst.writableFinished); return; }
    cbs.forEach((cb) => cb());
    setImmediate(flush);
  };
  flush();
});
