'use strict';
// Errors thrown by http.request itself: https URL, bad URL, unescaped path,
// bad method; and ERR_HTTP_HEADERS_SENT after the head left.
// Port of test/parallel/test-http-client-unescaped-path.js / test-http-invalid-urls.js.
const http = require('http');
const { log } = require('./lib/raw.js');

function attempt(label, fn) {
  try { fn(); log(label, 'ok'); } catch (e) { log(label, e); }
}
attempt('https', () => http.request('https://127.0.0.1/'));
attempt('bad url', () => http.request('http://exa mple/'));
attempt('unescaped', () => http.request({ host: '127.0.0.1', port: 1, path: '/a b', agent: false }));
attempt('control', () => http.request({ host: '127.0.0.1', port: 1, path: '/\x01', agent: false }));
attempt('method', () => http.request({ host: '127.0.0.1', port: 1, method: 'G T', agent: false }));
attempt('header', () => http.request({ host: '127.0.0.1', port: 1, headers: { 'X\r\n': '1' }, agent: false }));
