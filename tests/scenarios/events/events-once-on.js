// Port of test/parallel/test-events-once.js and test-events-on-async-iterator.js:
// once() resolves with the arguments and removes its listeners; an 'error' rejects it;
// on() yields each emission's arguments in order and ends with the error.
'use strict';
const { EventEmitter, once, on } = require('events');
const { log } = require('../lib/log.js');

(async () => {
  const ee = new EventEmitter();
  process.nextTick(() => ee.emit('ready', 1, 2));
  log('once', await once(ee, 'ready'));
  log('listeners after', ee.listenerCount('ready'), ee.listenerCount('error'));
  process.nextTick(() => ee.emit('error', new Error('boom')));
  try {
    await once(ee, 'ready');
  } catch (e) {
    log('rejected', e);
  }
  log('listeners after error', ee.listenerCount('ready'), ee.listenerCount('error'));
  process.nextTick(() => ee.emit('error', new Error('direct')));
  log('once error', await once(ee, 'error'));
  const it = on(ee, 'tick');
  process.nextTick(() => {
    ee.emit('tick', 'a');
    ee.emit('tick', 'b', 'c');
    ee.emit('error', new Error('x'));
  });
  try {
    for await (const v of it) log('tick', v);
  } catch (e) {
    log('on error', e);
  }
  log('listeners after on', ee.listenerCount('tick'), ee.listenerCount('error'));
  const it2 = on(ee, 'n');
  process.nextTick(() => { ee.emit('n', 1); ee.emit('n', 2); });
  for await (const v of it2) {
    log('n', v);
    if (v[0] === 2) break;
  }
  log('listeners after break', ee.listenerCount('n'), ee.listenerCount('error'));
})();
