'use strict';
// Port of test/parallel/test-stream-readable-async-iterators.js (break case):
// leaving a for await loop early destroys the stream; it emits 'close', not 'end'.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

let i = 0;
const r = new Readable({
  objectMode: true,
  highWaterMark: 2,
  read() { this.push(i++); },
});
r.on('end', () => log('end'));
r.on('error', (e) => log('error', e));
r.on('close', () => log('close', r.destroyed, r.readableAborted, r.errored));
(async () => {
  for await (const c of r) {
    log('chunk', c);
    if (c === 2) break;
  }
  log('after loop', r.destroyed);
})();
