'use strict';
// Port of test/parallel/test-stream-error-once.js: several writes after end(),
// or pushes after EOF, emit 'error' once.
const { Writable, Readable } = require('stream');
const { log } = require('../lib/log.js');

{
  const w = new Writable({ highWaterMark: 16, write(c, e, cb) { cb(); } });
  w.on('error', (err) => log('w error', err));
  w.on('close', () => log('w close'));
  w.end();
  log('w write', w.write('h', (err) => log('w cb1', err)));
  log('w write', w.write('h', (err) => log('w cb2', err)));
}
{
  const r = new Readable({ highWaterMark: 16, read() {} });
  r.on('error', (err) => log('r error', err));
  r.on('close', () => log('r close'));
  r.push(null);
  log('r push', r.push('h'));
  log('r push', r.push('h'));
}
