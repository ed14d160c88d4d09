'use strict';
// A request whose body nobody reads, looked at late: its stream state and the events it
// emits are Node's whenever the handler first touches it: at once, on the next tick
// (before the tick that announces its end), after the response finished, and before
// answering from a later turn. GET requests, so each body ended before the handler returned.
// After test/parallel/test-http-dump-req-when-res-ends.js and test-http-server-consumed-timeout.js.
const { run, log } = require('./lib/wire.js');

// talk() sends request n+1 once request n logged its last line.
const seen = [0, 1, 2, 3, 4].map(() => { let r; const p = new Promise((res) => { r = res; }); return { p, r }; });
const st = (req) => [req.complete, req.readableEnded, req.readableFlowing, req.destroyed, req.readable];

run({
  expected: 5,
  handler(req, res, n) {
    if (n === 0) {
      log('server', n, 'at once', ...st(req));
      res.end(`a${n}`);
      log('server', n, 'after end()', ...st(req));
      process.nextTick(() => log('server', n, 'tick', ...st(req)));
      setImmediate(() => { log('server', n, 'immediate', ...st(req)); seen[n].r(); });
    } else if (n === 1) {
      res.end(`a${n}`);
      setImmediate(() => {
        log('server', n, 'immediate', ...st(req));
        req.on('readable', () => log('server', n, 'readable', req.read()));
        req.on('end', () => log('server', n, 'end'));
        req.on('close', () => log('server', n, 'close'));
        setImmediate(() => { log('server', n, 'later', ...st(req)); seen[n].r(); });
      });
    } else if (n === 2) {
      process.nextTick(() => {
        log('server', n, 'tick', ...st(req));
        req.on('readable', () => log('server', n, 'readable', req.read()));
        req.on('end', () => {
          log('server', n, 'end', ...st(req));
          res.end(`a${n}`);
        });
        req.on('close', () => { log('server', n, 'close'); seen[n].r(); });
      });
    } else if (n === 3) {
      setImmediate(() => {
        log('server', n, 'immediate', ...st(req));
        req.on('end', () => {
          log('server', n, 'end', ...st(req));
          res.end(`a${n}`);
        });
        req.on('close', () => { log('server', n, 'close', ...st(req)); seen[n].r(); });
        req.resume();
      });
    } else {
      req.on('close', () => { log('server', n, 'close', ...st(req)); seen[n].r(); });
      res.on('finish', () => log('server', n, 'res finish', ...st(req)));
      res.end(`a${n}`);
    }
  },
  talk: async (c) => {
    for (let n = 0; n < 5; n++) {
      c.write(`GET /${n} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await c.waitFor(`\r\n\r\na${n}`);
      await seen[n].p;
    }
  },
});
