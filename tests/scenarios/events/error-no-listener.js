// Port of test/parallel/test-event-emitter-errors.js and test-event-emitter-no-error-provided-to-error-event.js:
// emit('error') with no listener throws the error itself, or ERR_UNHANDLED_ERROR when it is
// not an Error; with a listener it does not throw.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
const err = new Error('boom');
try {
  e.emit('error', err);
} catch (caught) {
  log('threw same', caught === err, caught);
}
for (const value of [undefined, 'string value', 42]) {
  try {
    e.emit('error', value);
  } catch (caught) {
    log('threw', caught);
  }
}
e.once('error', (got) => log('listener', got === err));
log('emit with listener', e.emit('error', err));
try {
  e.emit('error', err);
} catch (caught) {
  log('threw again', caught === err);
}
const thrower = new EventEmitter();
thrower.on('x', () => {
  throw new TypeError('from listener');
});
thrower.on('x', () => log('second listener'));
try {
  thrower.emit('x');
} catch (caught) {
  log('listener exception propagates', caught);
}
