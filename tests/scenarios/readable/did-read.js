'use strict';
// Port of test/parallel/test-stream-readable-didRead.js: readableDidRead is true
// only once a chunk has been delivered, not after read()/resume() of nothing.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

function check(label, readable, fn) {
  log(label, 'before', readable.readableDidRead);
  readable.on('error', (e) => log(label, 'error', e));
  readable.on('data', () => log(label, 'data'));
  readable.on('end', () => log(label, 'end'));
  readable.on('close', () => log(label, 'close'));
  fn();
  log(label, 'sync', readable.readableDidRead);
  return new Promise((resolve) => setImmediate(() => {
    log(label, 'after', readable.readableDidRead);
    resolve();
  }));
}
const onlyNull = () => new Readable({ highWaterMark: 16, read() { this.push(null); } });
const withData = () => new Readable({ highWaterMark: 16, read() { this.push('data'); this.push(null); } });
function noop() {}
(async () => {
  let r = onlyNull();
  await check('read', r, () => r.read());
  r = onlyNull();
  await check('resume', r, () => r.resume());
  r = onlyNull();
  await check('destroy', r, () => r.destroy());
  r = onlyNull();
  await check('destroy err', r, () => r.destroy(new Error()));
  r = withData();
  await check('on data', r, () => r.on('data', noop));
  r = withData();
  await check('on off data', r, () => { r.on('data', noop); r.off('data', noop); });
})();
