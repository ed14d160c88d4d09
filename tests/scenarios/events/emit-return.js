// Port of test/parallel/test-event-emitter-method-names.js / test-event-emitter-listeners.js:
// emit() returns whether there were listeners; the arguments reach each listener.
'use strict';
const EventEmitter = require('events');
const { log } = require('../lib/log.js');

const e = new EventEmitter();
log('no listener', e.emit('x', 1));
e.on('x', (...args) => log('listener', args));
log('with listener', e.emit('x'));
log('with listener', e.emit('x', 1, 'two', [3], null));
e.once('o', () => log('once'));
log('once first', e.emit('o'));
log('once second', e.emit('o'));
log('other event', e.emit('y'));
