// Port of test/parallel/test-stream-writable-constructor-set-methods.js: a Writable without
// _write throws ERR_METHOD_NOT_IMPLEMENTED from write()/end(); with only writev, writes go through it.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({ highWaterMark: 16 });
  try {
    w.end(Buffer.from('blerg'));
    log('no throw');
  } catch (e) {
    log('throw', e);
  }
  const v = new Writable({
    highWaterMark: 16,
    writev(chunks, cb) {
      log('_writev', chunks.map((c) => [c.chunk, c.encoding]));
      cb();
    },
  });
  v.on('finish', () => log('finish'));
  v.write('a');
  v.cork();
  v.write('b');
  v.write('c');
  v.end();
})();
