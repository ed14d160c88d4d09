// Port of test/parallel/test-stream-writable-null.js and test-stream-writable-invalid-chunk.js:
// write(null) throws ERR_STREAM_NULL_VALUES (also in objectMode); a chunk that is neither a
// string nor a buffer throws ERR_INVALID_ARG_TYPE; the stream stays usable.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 16,
    write(chunk, encoding, cb) {
      log('_write', chunk);
      cb();
    },
  });
  w.on('error', (e) => log('error', e));
  for (const chunk of [null, 123, {}, true]) {
    try {
      w.write(chunk);
      log('no throw');
    } catch (e) {
      log('throw', e);
    }
  }
  const o = new Writable({ objectMode: true, highWaterMark: 2, write(chunk, enc, cb) { log('_write obj', chunk); cb(); } });
  try {
    o.write(null);
  } catch (e) {
    log('objectMode throw', e);
  }
  log('objectMode write 0', o.write(0));
  await tick();
  log('still writable', w.writable, w.destroyed);
  w.end('ok');
})();
