'use strict';
// scenario: pipeline(source, transform, transform, sink) success: callback once, every stream's final flags.
const { log } = require('../lib/log.js');
const { Readable, Transform, Writable, pipeline } = require('stream');

const src = new Readable({ objectMode: true, highWaterMark: 2, read() {} });
const up = new Transform({ objectMode: true, highWaterMark: 2, transform(c, e, cb) { cb(null, c.toUpperCase()); } });
const dup = new Transform({ objectMode: true, highWaterMark: 2, transform(c, e, cb) { this.push(c); cb(null, c); } });
const seen = [];
const sink = new Writable({ objectMode: true, highWaterMark: 2, write(c, e, cb) { seen.push(c); cb(); } });
const all = { src, up, dup, sink };
for (const [name, s] of Object.entries(all)) s.on('close', () => log('close', name));
sink.on('finish', () => log('finish'));
const ret = pipeline(src, up, dup, sink, (err) => {
  log('callback', err === undefined ? null : err);
  log('seen', seen);
  for (const [name, s] of Object.entries(all)) log('state', name, s.destroyed, s.errored);
});
log('ret-is-sink', ret === sink);
['a', 'b', 'c'].forEach((c) => src.push(c));
src.push(null);
