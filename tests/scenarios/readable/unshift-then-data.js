'use strict';
// Port of test/parallel/test-stream-readable-unshift.js (ArrayReader case): read
// once from 'readable', unshift, then switch to 'data' until the end.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const hwm = 5;
const buffer = new Array(hwm * 2).fill(0).map(String);
const stream = new Readable({
  highWaterMark: hwm,
  read(size) {
    log('_read', size);
    while (buffer.length) {
      const c = buffer.shift();
      if (!buffer.length) {
        this.push(c);
        this.push(null);
        return;
      }
      if (!this.push(c)) return;
    }
  },
});
function onRead() {
  let c;
  while (null !== (c = stream.read())) {
    log('read', c);
    stream.removeListener('readable', onRead);
    log('unshift', stream.unshift('a'));
    stream.on('data', (d) => log('data', d));
    break;
  }
}
stream.once('readable', onRead);
stream.on('end', () => log('end'));
