'use strict';
// Port of test/parallel/test-stream-readable-no-unneeded-readable.js: a
// wrapper reading on 'readable' still sees 'end' (sync pushes, then async EOF).
const { Readable, PassThrough } = require('stream');
const { log } = require('../lib/log.js');

function test(name, r) {
  const wrapper = new Readable({
    highWaterMark: 16,
    read: () => {
      let data = r.read();
      if (data) { wrapper.push(data); return; }
      r.once('readable', () => {
        data = r.read();
        log(name, 'late read', data);
        if (data) wrapper.push(data);
      });
    },
  });
  r.once('end', () => { log(name, 'source end'); wrapper.push(null); });
  wrapper.on('data', (c) => log(name, 'data', c));
  wrapper.once('end', () => log(name, 'wrapper end'));
}
{
  const source = new Readable({ highWaterMark: 16, read: () => {} });
  source.push('foo');
  source.push('bar');
  source.push(null);
  test('A', source.pipe(new PassThrough({ highWaterMark: 16 })));
}
setImmediate(() => {
  const chunks = ['foo', 'bar'];
  const r = new Readable({
    highWaterMark: 16,
    read: () => {
      const chunk = chunks.shift();
      if (chunk) r.push(chunk);
      else process.nextTick(() => r.push(null));
    },
  });
  test('B', r);
});
