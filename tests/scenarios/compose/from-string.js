'use strict';
// Port of test/parallel/test-readable-from.js (strings and buffers): one chunk, not one per character.
const { log } = require('../lib/log.js');
const { Readable } = require('stream');

const s = Readable.from('hello');
s.on('data', (c) => log('str', c));
s.on('end', () => {
  log('str-end');
  const b = Readable.from(Buffer.from('bin'));
  b.on('data', (c) => log('buf', c));
  b.on('end', () => log('buf-end', b.readableObjectMode));
});
