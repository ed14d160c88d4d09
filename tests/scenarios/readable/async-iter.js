'use strict';
// Port of test/parallel/test-stream-readable-async-iterators.js (basic case):
// for await collects every chunk, then the stream ends and emits 'close'.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const chunks = ['a', 'b', 'c'];
const r = new Readable({
  highWaterMark: 16,
  read() {
    const c = chunks.shift();
    process.nextTick(() => this.push(c === undefined ? null : c));
  },
});
r.on('end', () => log('end'));
r.on('close', () => log('close', r.destroyed));
(async () => {
  for await (const c of r) log('chunk', c, r.readableFlowing);
  log('loop done', r.readableEnded, r.destroyed);
})();
