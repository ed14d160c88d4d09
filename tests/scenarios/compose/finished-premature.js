'use strict';
// Port of test/parallel/test-stream-finished.js (premature close): destroy before end gives ERR_STREAM_PREMATURE_CLOSE.
const { log } = require('../lib/log.js');
const { Readable, Writable, finished } = require('stream');

const rs = new Readable({ highWaterMark: 16, read() {} });
finished(rs, (err) => log('readable', err));
rs.push('x');
const ws = new Writable({ highWaterMark: 16, write(c, e, cb) { } });
finished(ws, (err) => log('writable', err));
ws.write('a');
const rs2 = new Readable({ highWaterMark: 16, read() {} });
finished(rs2, (err) => log('errored', err));
setImmediate(() => {
  rs.destroy();
  ws.destroy();
  rs2.destroy(new RangeError('bad'));
  rs2.on('error', () => log('rs2-error'));
});
