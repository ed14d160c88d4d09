'use strict';
// Event-log writer shared by every scenario: one JSON array per line on stdout.
// The Python twins encode values the same way (tests/conformance/_golden.py).

function enc(v) {
  if (v === undefined || v === null) return null;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $buf: Buffer.from(v).toString('hex') };
  if (v instanceof Error) {
    const o = { $err: v.code === undefined ? null : v.code, name: v.name };
    return o;
  }
  if (Array.isArray(v)) return v.map(enc);
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * 1e6) / 1e6;
  if (typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = enc(v[k]);
    return o;
  }
  return v;
}

const lines = [];
function log(...parts) {
  const line = JSON.stringify(parts.map(enc));
  lines.push(line);
  process.stdout.write(line + '\n');
}

module.exports = { log, enc };
