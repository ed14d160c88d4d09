'use strict';
// Port of test/parallel/test-stream-readable-readable.js: the readable property
// turns false on destroy(), after a failed _read, and once 'end' is emitted.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  log('A readable', r.readable);
  r.destroy();
  log('A destroyed readable', r.readable);
}
{
  const r = new Readable({ highWaterMark: 16, read() { process.nextTick(() => { this.destroy(new Error()); }); } });
  r.on('error', (err) => log('B error', err, r.readable));
  r.on('close', () => log('B close', r.readable));
  r.resume();
  log('B readable', r.readable);
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('end', () => log('C end', r.readable, r.readableEnded));
  r.push(null);
  log('C after push null', r.readable);
  r.resume();
}
