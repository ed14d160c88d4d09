'use strict';
// Port of test/parallel/test-stream-readableListening-state.js and
// test-stream-readable-readable-then-resume.js: a 'readable' listener takes
// precedence over 'data'; readableFlowing stays false; resume() is ignored.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const r = new Readable({ highWaterMark: 16, read() {} });
r.on('readable', () => {
  log('readable', r.readableFlowing, r.readableLength);
  let c;
  while ((c = r.read()) !== null) log('read', c);
});
log('after readable', r.readableFlowing);
r.on('data', (c) => log('data', c));
log('after data', r.readableFlowing);
r.resume();
log('after resume', r.readableFlowing, r.isPaused());
r.push('one');
setImmediate(() => {
  log('step 2', r.readableFlowing);
  r.push('two');
  r.push(null);
  r.on('end', () => log('end'));
});
