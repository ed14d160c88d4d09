'use strict';
// Port of test/parallel/test-stream-push-strings.js (timer replaced by
// setImmediate): sync, nextTick and deferred pushes from _read, read in a
// 'readable' loop.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

class MyStream extends Readable {
  constructor(options) {
    super(options);
    this._chunks = 3;
  }
  _read(n) {
    log('_read', this._chunks);
    switch (this._chunks--) {
      case 0: return this.push(null);
      case 1: return setImmediate(() => { this.push('last chunk'); });
      case 2: return this.push('second to last chunk');
      case 3: return process.nextTick(() => { this.push('first chunk'); });
      default: throw new Error('?');
    }
  }
}
const ms = new MyStream({ highWaterMark: 16384 });
ms.on('readable', () => {
  let chunk;
  while (null !== (chunk = ms.read())) log('read', String(chunk));
});
ms.on('end', () => log('end', ms._chunks));
