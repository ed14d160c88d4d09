// Port of test/parallel/test-stream-writev.js and test-stream-writableState-uncorked-bufferedRequestCount.js:
// cork/uncork nesting, writableCorked, and the batch of chunks (with encodings) that _writev receives.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    decodeStrings: false,
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding);
      cb();
    },
    writev(chunks, cb) {
      log('_writev', chunks.map((c) => [c.chunk, c.encoding]));
      cb();
    },
  });
  w.on('finish', () => log('finish'));
  w.cork();
  w.cork();
  log('corked', w.writableCorked);
  w.write('hello, ', 'ascii', () => log('cb', 1));
  w.write('world', 'utf8', () => log('cb', 2));
  w.write(Buffer.from('!'), () => log('cb', 3));
  log('buffered', w.writableLength, w.writableCorked);
  w.uncork();
  log('after first uncork', w.writableCorked, w.writableLength);
  await tick();
  log('still corked', w.writableLength);
  w.uncork();
  log('after second uncork', w.writableCorked, w.writableLength);
  w.uncork();
  log('extra uncork', w.writableCorked);
  await tick();
  w.write('single', () => log('cb', 4));
  await tick();
  w.cork();
  w.write('\nand then...', 'latin1', () => log('cb', 5));
  w.write('facebea7deadbeefdecafbad', 'hex', () => log('cb', 6));
  process.nextTick(() => w.uncork());
  await tick();
  w.end();
})();
