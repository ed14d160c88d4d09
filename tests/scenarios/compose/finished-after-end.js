'use strict';
// Port of test/parallel/test-stream-finished.js (finished on an already finished stream, and cleanup).
const { log } = require('../lib/log.js');
const { Readable, finished } = require('stream');

const rs = new Readable({ highWaterMark: 16, read() {} });
rs.push(null);
rs.resume();
rs.on('close', () => {
  log('close');
  finished(rs, (err) => log('late', err === undefined ? null : err));
  const rs2 = new Readable({ highWaterMark: 16, read() {} });
  const cleanup = finished(rs2, () => log('never'));
  log('listeners', rs2.listenerCount('end'), rs2.listenerCount('close'));
  cleanup();
  log('listeners', rs2.listenerCount('end'), rs2.listenerCount('close'));
  rs2.destroy();
});
