'use strict';
// Port of test/parallel/test-stream-pipe-flow.js (first and third cases): an
// object stream piped into an hwm-0 writable flows to the end; pipe() adds a
// 'drain' listener only under back-pressure.
const { Readable, Writable, PassThrough } = require('stream');
const { log } = require('../lib/log.js');

{
  let ticks = 5;
  let writes = 0;
  const rs = new Readable({
    objectMode: true,
    highWaterMark: 16,
    read: () => {
      if (ticks-- > 0) return process.nextTick(() => rs.push({}));
      rs.push({});
      rs.push(null);
    },
  });
  const ws = new Writable({
    highWaterMark: 0,
    objectMode: true,
    write: (data, end, cb) => { writes++; setImmediate(cb); },
  });
  rs.on('end', () => log('A end', writes));
  ws.on('finish', () => log('A finish', writes));
  rs.pipe(ws);
}
{
  const rs = new Readable({ highWaterMark: 16, read() {} });
  const pt = rs.pipe(new PassThrough({ objectMode: true, highWaterMark: 2 }));
  log('B drain listeners', pt.listenerCount('drain'));
  pt.on('finish', () => log('B finish drain listeners', pt.listenerCount('drain')));
  rs.push('asd');
  log('B drain listeners', pt.listenerCount('drain'));
  process.nextTick(() => {
    rs.push('asd');
    log('B drain listeners', pt.listenerCount('drain'));
    rs.push(null);
    log('B drain listeners', pt.listenerCount('drain'));
  });
}
