'use strict';
// Port of test/parallel/test-stream-readable-hwm-0.js and
// test-stream-readable-hwm-0-no-flow-data.js: with highWaterMark 0, read() calls
// _read once, 'readable' fires once at the end.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 0, read() { log('_read'); } });
r.on('readable', () => log('readable', r.read(), r.readableEnded));
r.on('end', () => log('end'));
process.nextTick(() => {
  log('read', r.read());
  log('push null', r.push(null));
});
setImmediate(() => {
  const s = new Readable({ highWaterMark: 0, read() { log('s _read'); } });
  log('s push', s.push('a'), s.readableLength);
  s.on('data', (c) => log('s data', c));
  log('s flowing', s.readableFlowing);
});
