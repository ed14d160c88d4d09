'use strict';
// Port of test/parallel/test-stream-readable-flow-recursion.js: read(n) larger
// than highWaterMark raises it to the next power of two; _read sees the new size.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const stream = new Readable({ highWaterMark: 2 });
let total = 5000;
stream._read = function(size) {
  log('_read', size, stream.readableHighWaterMark);
  size = Math.min(size, total);
  total -= size;
  if (size === 0) stream.push(null);
  else stream.push(Buffer.alloc(size, 'x'));
};
let depth = 0;
function flow(size) {
  depth += 1;
  const chunk = stream.read(size);
  log('read', size, chunk === null ? null : chunk.length, depth);
  if (!chunk) stream.once('readable', () => flow(size));
  else log('complete', depth, stream.readableHighWaterMark, stream.readableLength);
  depth -= 1;
}
flow(5000);
stream.on('end', () => log('end'));
stream.on('close', () => log('close', stream.readableLength, stream.readableHighWaterMark));
setImmediate(() => {
  log('hwm', stream.readableHighWaterMark);
  log('read', stream.read());
  stream.resume();
});
