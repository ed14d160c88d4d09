'use strict';
// Port of test/parallel/test-stream-pipeline-with-empty-string.js: an empty string source moves nothing and succeeds.
const { log } = require('../lib/log.js');
const { pipeline, PassThrough } = require('stream');

async function runPipeline() {
  const pt = new PassThrough({ objectMode: true, highWaterMark: 2 });
  const got = [];
  pt.on('data', (c) => got.push(c));
  await new Promise((resolve, reject) => pipeline([''], pt, (err) => (err ? reject(err) : resolve())));
  log('done', got, pt.writableFinished);
}
runPipeline();
