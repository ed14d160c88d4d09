'use strict';
// Port of test/parallel/test-stream-end-paused.js: 'end' of a paused empty
// stream is not lost when the listener comes later and resume() follows.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const stream = new Readable({ highWaterMark: 16 });
stream._read = function(n) { log('_read', n); this.push(null); };
stream.on('data', (c) => log('data (must not happen)', c));
stream.pause();
log('paused', stream.isPaused(), stream.readableFlowing);
setImmediate(() => {
  log('later', stream.readableEnded, stream.readableLength);
  stream.on('end', () => log('end'));
  stream.on('close', () => log('close'));
  stream.resume();
});
