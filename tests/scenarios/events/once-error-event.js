// Port of test/parallel/test-event-emitter-once.js: once() listeners removed before they run,
// re-emitting inside a once listener, and once('error').
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
e.once('hello', (n) => {
  log('once hello', n);
  e.emit('hello', n + 1);
});
e.on('hello', (n) => log('on hello', n));
e.emit('hello', 1);
log('count', e.listenerCount('hello'));
const remove = () => log('should not run');
e.once('foo', remove);
e.removeListener('foo', remove);
log('foo emit', e.emit('foo'));
e.once('error', (err) => log('once error', err));
e.emit('error', new RangeError('r'));
try {
  e.emit('error', new RangeError('r2'));
} catch (caught) {
  log('second error throws', caught);
}
