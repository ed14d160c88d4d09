// Port of test/parallel/test-stream-writable-decoded-encoding.js: with decodeStrings:false,
// _write sees strings and the encoding name as given; buffers come with 'buffer'; an unknown
// encoding throws ERR_UNKNOWN_ENCODING.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  for (const decodeStrings of [false, true]) {
    const w = new Writable({
      highWaterMark: 100,
      decodeStrings,
      write(chunk, encoding, cb) {
        log('_write', decodeStrings, Buffer.isBuffer(chunk), chunk, encoding);
        cb();
      },
    });
    w.write('some-text', 'utf8');
    w.write('plain');
    w.write('caf\u00e9', 'latin1');
    w.write('6869', 'hex');
    w.write('aGk=', 'base64');
    w.write(Buffer.from('buf'));
    w.write('ucs', 'utf16le');
    try {
      w.write('x', 'no-such-encoding');
    } catch (e) {
      log('throw', e);
    }
    await tick();
  }
})();
