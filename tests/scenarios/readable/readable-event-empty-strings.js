'use strict';
// Port of test/parallel/test-stream-readable-event.js (case 4): empty string
// pushes in utf8 mode produce no data; every 'readable' read() is logged.
const { Readable } = require('stream');
const { log } = require('../lib/log.js');

const underlyingData = ['', 'x', 'y', '', 'z'];
const r = new Readable({ encoding: 'utf8', highWaterMark: 16 });
r._read = function() {
  process.nextTick(() => {
    if (!underlyingData.length) {
      this.push(null);
    } else {
      this.push(underlyingData.shift());
    }
  });
};
r.on('readable', () => log('readable', r.read()));
r.on('end', () => log('end'));
r.on('close', () => log('close'));
