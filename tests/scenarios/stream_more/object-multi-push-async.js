'use strict';
// Port of test/parallel/test-stream-readable-object-multi-push-async.js: an
// object stream that pushes a batch per asynchronous fetch, read through
// 'readable' and through 'data'.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

function make(name, MAX, BATCH) {
  let i = 0;
  let reads = 0;
  const readable = new Readable({
    objectMode: true,
    highWaterMark: 4,
    read() {
      reads++;
      setImmediate(() => {
        const data = [];
        if (i <= MAX) for (const max = i + BATCH; i < max; i++) data.push(i);
        if (data.length === 0) this.push(null);
        else data.forEach((d) => this.push(d));
      });
    },
  });
  readable.on('end', () => log(name, 'end', i, reads));
  return readable;
}
{
  const r = make('readable', 7, 3);
  r.on('readable', () => {
    const got = [];
    let d;
    while ((d = r.read()) !== null) got.push(d);
    log('readable', 'read', got);
  });
}
{
  const r = make('data', 7, 3);
  r.on('data', (d) => log('data', 'data', d));
}
{
  const r = new Readable({ objectMode: true, highWaterMark: 4, read() { log('null-first _read (must not happen)'); } });
  r.on('data', () => log('null-first data (must not happen)'));
  r.push(null);
  process.nextTick(() => log('null-first tick'));
  r.on('end', () => log('null-first end'));
}
