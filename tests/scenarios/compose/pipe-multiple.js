'use strict';
// Port of test/parallel/test-stream-pipe-multiple-pipes.js: one source, several destinations, each gets every chunk.
const { log } = require('../lib/log.js');
const { Readable, PassThrough } = require('stream');

const readable = new Readable({ read() {}, highWaterMark: 16 });
const dests = [0, 1, 2].map(() => new PassThrough({ highWaterMark: 16 }));
dests.forEach((d, i) => {
  readable.pipe(d);
  d.on('data', (c) => log('data', i, c));
  d.on('finish', () => log('finish', i));
});
readable.push(Buffer.from('foo'));
setImmediate(() => {
  log('unpipe-1');
  readable.unpipe(dests[1]);
  readable.push(Buffer.from('bar'));
  readable.push(null);
});
