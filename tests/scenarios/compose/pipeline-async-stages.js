'use strict';
// Port of test/parallel/test-stream-pipeline-async-iterator.js: async generator source, stage and consumer.
const { log } = require('../lib/log.js');
const { pipeline, PassThrough } = require('stream');

async function* source() { for (const c of ['a', 'b', 'c']) yield c; }
async function* upper(src) { for await (const c of src) yield c.toUpperCase(); }
const pt = new PassThrough({ objectMode: true, highWaterMark: 2 });
pipeline(source, upper, pt, async function (src) {
  const got = [];
  for await (const c of src) got.push(c);
  return got.join('');
}, (err, value) => {
  log('callback', err === undefined ? null : err, value);
  log('pt', pt.destroyed, pt.readableEnded);
});
