'use strict';
// Port of test/parallel/test-stream-pipeline.js (an async generator stage throws): streams destroyed, error once.
const { log } = require('../lib/log.js');
const { pipeline, Readable, Writable } = require('stream');

const src = new Readable({ objectMode: true, highWaterMark: 2, read() {} });
async function* stage(s) {
  for await (const c of s) {
    if (c === 3) throw new RangeError('three');
    yield c;
  }
}
const sink = new Writable({ objectMode: true, highWaterMark: 2, write(c, e, cb) { log('write', c); cb(); } });
src.on('close', () => log('close', 'src'));
sink.on('close', () => log('close', 'sink'));
let calls = 0;
pipeline(src, stage, sink, (err) => {
  calls++;
  log('callback', calls, err);
  log('state', src.destroyed, sink.destroyed, sink.errored);
});
src.push(1);
src.push(2);
setImmediate(() => src.push(3));
