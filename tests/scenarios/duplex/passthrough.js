// Port of test/parallel/test-stream2-transform.js (passthrough, object passthrough): chunks come
// out as written; event order of 'finish', 'end', 'close'.
'use strict';
const { Duplex, Transform, PassThrough } = require('stream');
const { log } = require('../lib/log.js');
const tick = () => new Promise((resolve) => setImmediate(resolve));

(async () => {
  const p = new PassThrough({ highWaterMark: 100 });
  p.on('finish', () => log('finish'));
  p.on('end', () => log('end'));
  p.on('close', () => log('close'));
  p.write(Buffer.from('foog'));
  p.write(Buffer.from('bark'));
  p.write('bazy');
  p.end('kuel');
  log('read', p.read(5));
  log('read', p.read(5));
  log('read', p.read(5));
  log('read', p.read(5));
  await tick();
  log('read', p.read());
  const o = new PassThrough({ objectMode: true, highWaterMark: 10 });
  o.write(1);
  o.write(true);
  o.write({ a: 'b' });
  o.end('foo');
  o.on('data', (c) => log('obj data', c));
  o.on('end', () => log('obj end'));
})();
