// Port of test/parallel/test-event-emitter-max-listeners-warning.js and
// test-event-emitter-check-listener-leaks.js: going past setMaxListeners(n) warns once per event
// name with MaxListenersExceededWarning and the listener count; 0 means unlimited.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const warnings = [];
process.on('warning', (w) => warnings.push([w.name, w.count, w.type]));
const e = new EventEmitter();
e.setMaxListeners(2);
for (let i = 0; i < 4; i++) {
  e.on('event-type', () => {});
  log('added', e.listenerCount('event-type'));
}
e.on('other', () => {});
e.on('other', () => {});
e.on('other', () => {});
const u = new EventEmitter();
u.setMaxListeners(0);
for (let i = 0; i < 20; i++) u.on('x', () => {});
log('unlimited count', u.listenerCount('x'));
setImmediate(() => {
  log('warnings', warnings.length);
  for (const w of warnings) log('warning', w[0], w[1], w[2]);
});
