// Ported from test/parallel/test-fs-read-stream-inherit.js and test-fs-read-stream.js
// (start/end): the range is inclusive at both ends; end past the file stops at its end;
// start past the end reads nothing; end: 0 reads one byte.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log } = require('../lib/log.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tns-fs-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'abc.txt');
fs.writeFileSync(file, 'abcdefghijklmnopqrstuvwxyz');

const cases = [
  { start: 2, end: 5 },
  { start: 20 },
  { end: 0 },
  { start: 24, end: 100 },
  { start: 30 },
  { start: 0, end: 9, highWaterMark: 3 },
];
(async () => {
  for (const opts of cases) {
    const r = fs.createReadStream(file, opts);
    const got = [];
    r.on('data', (c) => got.push(c.toString()));
    await new Promise((resolve) => r.on('close', resolve));
    log(JSON.stringify(opts), got, r.bytesRead);
  }
})();
