'use strict';
// Port of test/parallel/test-stream-transform-callback-twice.js: calling the
// transform callback twice is ERR_MULTIPLE_CALLBACK.
const { Transform } = require('stream');
const { log } = require('../lib/log.js');

const t = new Transform({
  highWaterMark: 16,
  transform(chunk, enc, cb) { log('_transform', chunk); cb(); cb(); },
});
t.on('error', (err) => log('error', err, t.destroyed));
t.on('close', () => log('close'));
log('write', t.write('foo', (err) => log('write cb', err)));
