'use strict';
// Port of test/parallel/test-stream-readable-destroy.js (autoDestroy:false push
// after null) and test-stream2-push.js: push() after push(null) emits
// ERR_STREAM_PUSH_AFTER_EOF.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('error', (e) => log('A error', e, r.destroyed, r.errored === e));
  r.on('close', () => log('A close'));
  r.on('end', () => log('A end'));
  log('A push', r.push('a'));
  log('A push null', r.push(null));
  log('A push after', r.push('b'), r.readableLength);
  log('A state', r.destroyed, r.errored !== null);
}
setImmediate(() => {
  const r = new Readable({
    autoDestroy: false,
    highWaterMark: 16,
    read() {
      this.push(null);
      log('B push after', this.push('asd'));
    },
  });
  r.on('error', (e) => log('B error', e, r.destroyed));
  r.on('end', () => log('B end'));
  r.on('close', () => log('B close'));
  r.resume();
});
