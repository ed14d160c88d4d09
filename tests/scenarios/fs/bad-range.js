// Ported from test/parallel/test-fs-read-stream-throw-type-error.js: start and end are
// validated when the stream is made (ERR_OUT_OF_RANGE, ERR_INVALID_ARG_TYPE).
'use strict';
const fs = require('fs');
const { log } = require('../lib/log.js');

const cases = [
  { start: 5, end: 2 },
  { start: -1 },
  { end: -1 },
  { start: 1.5 },
  { start: 'a' },
  { start: 0, end: 0 },
];
for (const opts of cases) {
  try {
    const r = fs.createReadStream(__filename, opts);
    log(JSON.stringify(opts), 'ok');
    r.destroy();
  } catch (e) {
    log(JSON.stringify(opts), e);
  }
}
try {
  fs.createWriteStream(__filename + '.none', { start: -1 });
} catch (e) {
  log('write start -1', e);
}
