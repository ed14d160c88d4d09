'use strict';
// Port of test/parallel/test-stream-readable-destroy.js (_destroy cases): the
// destroy implementation may swallow the error, replace it, or finish later.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const r = new Readable({
    highWaterMark: 16,
    read() {},
    destroy(err, cb) { log('A _destroy', err); cb(); },
  });
  r.on('error', (e) => log('A error', e));
  r.on('close', () => log('A close', r.errored));
  r.destroy(new Error('kaboom'));
  log('A sync', r.destroyed, r.errored);
}
{
  const r = new Readable({
    highWaterMark: 16,
    read() {},
    destroy(err, cb) { log('B _destroy', err); cb(new RangeError('replaced')); },
  });
  r.on('error', (e) => log('B error', e));
  r.on('close', () => log('B close'));
  r.destroy();
  log('B sync', r.destroyed, r.errored);
}
{
  const r = new Readable({
    highWaterMark: 16,
    read() {},
    destroy(err, cb) {
      log('C _destroy', err);
      process.nextTick(() => { log('C cb'); cb(new Error('late')); });
    },
  });
  r.on('error', (e) => log('C error', e, r.errored === e));
  r.on('close', () => log('C close'));
  r.destroy();
  log('C sync', r.destroyed, r.closed, r.errored);
  r.destroy(new Error('ignored'));
  log('C sync 2', r.errored);
}
