// Port of test/parallel/test-stream-writev.js (decode=true): with decodeStrings, every chunk
// reaches _writev as a Buffer with encoding 'buffer'; write callbacks run in order.
'use strict';
const { Writable } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const w = new Writable({
    highWaterMark: 100,
    write(chunk, encoding, cb) {
      log('_write', chunk, encoding);
      cb();
    },
    writev(chunks, cb) {
      log('_writev', chunks.map((c) => [c.chunk, c.encoding]));
      cb();
    },
  });
  w.cork();
  w.write('hello, ', 'ascii', () => log('cb', 1));
  w.write('world', 'utf8', () => log('cb', 2));
  w.write(Buffer.from('!'), () => log('cb', 3));
  w.write('\nand then...', 'latin1', () => log('cb', 4));
  w.write('facebea7deadbeefdecafbad', 'hex', () => log('cb', 5));
  w.uncork();
  log('uncorked');
  w.end(() => log('end cb'));
})();
