'use strict';
// Port of test/parallel/test-readable-from.js (async generators, early destroy): the generator's finally runs.
const { log } = require('../lib/log.js');
const { Readable } = require('stream');

async function* gen() {
  try {
    for (let i = 0; i < 100; i++) yield i;
  } finally {
    log('finally');
  }
}
async function main() {
  const got = [];
  for await (const c of Readable.from(gen())) {
    got.push(c);
    if (c === 2) break;
  }
  log('got', got);
  const nulls = Readable.from([1, null, 2]);
  nulls.on('data', (c) => log('null-data', c));
  nulls.on('error', (err) => log('null-error', err));
  nulls.on('close', () => log('null-close', nulls.destroyed));
}
main();
