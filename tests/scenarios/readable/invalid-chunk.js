'use strict';
// Port of test/parallel/test-stream-readable-invalid-chunk.js: push()/unshift()
// of a non-string non-Buffer in byte mode emits ERR_INVALID_ARG_TYPE.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

function tryIt(method, val, label) {
  const r = new Readable({ highWaterMark: 16, read: () => {} });
  r.on('error', (e) => log(label, 'error', e, r.destroyed, r.errored === e));
  r.on('close', () => log(label, 'close'));
  log(label, method, r[method](val));
  log(label, 'state', r.destroyed, r.readableLength);
}
tryIt('push', [], 'push []');
tryIt('push', {}, 'push {}');
tryIt('push', 0, 'push 0');
tryIt('unshift', [], 'unshift []');
tryIt('unshift', {}, 'unshift {}');
tryIt('unshift', 0, 'unshift 0');
