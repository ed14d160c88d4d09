// Ported from test/parallel/test-zlib-write-after-flush.js and test-zlib-close-after-write.js:
// a gzip stream's writable and readable events in order ('finish', 'end', 'close'),
// bytesWritten, and output that gunzips back to the input.
'use strict';
const zlib = require('zlib');
const { log } = require('../lib/log.js');

const gz = zlib.createGzip();
const out = [];
gz.on('data', (c) => out.push(c));
gz.on('prefinish', () => log('prefinish'));
gz.on('finish', () => log('finish', gz.bytesWritten));
gz.on('end', () => {
  log('end', zlib.gunzipSync(Buffer.concat(out)).toString());
});
gz.on('close', () => log('close', gz.destroyed));
log('write', gz.write('hello ', () => log('cb 1')));
log('write', gz.write('world', () => log('cb 2')));
gz.end(() => log('end cb'));
