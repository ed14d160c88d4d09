'use strict';
// Port of test/parallel/test-stream2-objects.js: in objectMode only null ends the
// stream; falsy values (0, false, '') are ordinary chunks.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const items = [0, false, '', 'x', [1], { a: null }];
const r = new Readable({
  objectMode: true,
  highWaterMark: 3,
  read(n) {
    log('_read', n);
    if (items.length) log('push', this.push(items.shift()));
    else log('push null', this.push(null));
  },
});
r.on('data', (d) => log('data', d, r.readableLength));
r.on('end', () => log('end', r.readableLength));
r.on('close', () => log('close'));
