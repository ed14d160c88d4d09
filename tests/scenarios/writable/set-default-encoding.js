// Port of test/parallel/test-stream-writable-change-default-encoding.js: setDefaultEncoding
// changes how strings written without an encoding are decoded; an unknown name throws.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  for (const decodeStrings of [true, false]) {
    const w = new Writable({
      highWaterMark: 100,
      decodeStrings,
      write(chunk, encoding, cb) {
        log('_write', decodeStrings, chunk, encoding);
        cb();
      },
    });
    w.write('\u00e9');
    log('returns self', w.setDefaultEncoding('latin1') === w);
    w.write('\u00e9');
    w.write('\u00e9', 'utf8');
    try {
      w.setDefaultEncoding('bogus');
    } catch (e) {
      log('throw', e);
    }
    w.write('\u00e9');
    await tick();
  }
  const d = new Writable({
    highWaterMark: 100,
    defaultEncoding: 'hex',
    write(chunk, encoding, cb) {
      log('_write default option', chunk, encoding);
      cb();
    },
  });
  d.write('abcd');
})();
