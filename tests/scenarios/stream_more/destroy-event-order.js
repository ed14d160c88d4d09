'use strict';
// Port of test/parallel/test-stream-destroy-event-order.js: destroy(err) emits
// 'error' before 'close', both after the current tick.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const rs = new Readable({ highWaterMark: 16, read() {} });
rs.on('close', () => log('close', rs.destroyed, rs.closed, rs.errored));
rs.on('error', (err) => log('error', err, rs.destroyed, rs.closed));
process.nextTick(() => log('tick'));
rs.destroy(new Error('kaboom'));
log('after destroy', rs.destroyed, rs.closed);
