'use strict';
// Port of test/parallel/test-stream-pipeline.js (the destination fails): the source is destroyed too.
const { log } = require('../lib/log.js');
const { Readable, Writable, pipeline } = require('stream');

let n = 0;
const src = new Readable({ highWaterMark: 4, read() { if (n < 5) this.push(String(n++)); else this.push(null); } });
const sink = new Writable({
  highWaterMark: 4,
  write(c, e, cb) { log('write', c); if (c.toString() === '2') cb(new TypeError('nope')); else cb(); },
});
src.on('close', () => log('close', 'src', src.destroyed, src.readableEnded));
sink.on('close', () => log('close', 'sink'));
pipeline(src, sink, (err) => {
  log('callback', err);
  log('state', src.destroyed, src.errored, sink.destroyed, sink.errored);
});
