'use strict';
// Port of test/parallel/test-stream-readable-event.js (cases 1-3; timers replaced
// by setImmediate): 'readable' fires for a listener added after data was pushed.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 3, read() { log('A _read'); } });
  log('A push', r.push(Buffer.from('blerg')));
  setImmediate(() => {
    r.on('readable', () => log('A readable', r.readableLength));
  });
}
setImmediate(() => setImmediate(() => {
  const r = new Readable({ highWaterMark: 3, read() { log('B _read'); } });
  log('B push', r.push(Buffer.from('bl')));
  setImmediate(() => {
    r.on('readable', () => log('B readable', r.readableLength));
  });
}));
setImmediate(() => setImmediate(() => setImmediate(() => setImmediate(() => {
  const r = new Readable({ highWaterMark: 30, read() { log('C _read'); } });
  log('C push', r.push(Buffer.from('blerg')));
  r.push(null);
  setImmediate(() => {
    r.on('readable', () => log('C readable', r.readableLength, r.readableEnded));
    r.on('end', () => log('C end'));
  });
}))));
