'use strict';
// Port of test/parallel/test-stream-finished.js (readable end, writable finish): the callback gets no error.
const { log } = require('../lib/log.js');
const { Readable, Writable, finished } = require('stream');

const rs = new Readable({ highWaterMark: 16, read() {} });
finished(rs, (err) => log('readable-finished', err === undefined ? null : err, rs.readableEnded));
rs.on('end', () => log('end'));
rs.resume();
rs.push('x');
rs.push(null);
const ws = new Writable({ highWaterMark: 16, write(c, e, cb) { cb(); } });
finished(ws, (err) => log('writable-finished', err === undefined ? null : err, ws.writableFinished));
ws.on('finish', () => log('finish'));
ws.end('y');
