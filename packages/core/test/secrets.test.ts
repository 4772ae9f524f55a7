// Secrets: where a spec may name one, and every form in which a resolved value is kept out of
// what a run prints (issue 21).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, ConnectorRegistry, Redactor, type Connector } from '@sisflow/core';
import { encodedForms } from '../src/runtime/secrets.js';
import { memoryConnector } from './memory-connector.js';

const vault: Connector = {
  name: 'vault',
  summary: 'a connection with one credential setting (tests)',
  connection: { type: 'object', additionalProperties: false, properties: { dir: { type: 'string' }, token: { type: 'string' } } },
  secretSettings: ['token'],
  source: memoryConnector.source!,
  sink: memoryConnector.sink!,
};
const registry = new ConnectorRegistry().register(memoryConnector).register(vault);

const spec = (connection: string, extra = '', column = 'LN') => `sisflow: 1
name: t
connections:
  mem: { use: memory }
  v: ${connection}
sources:
  s:
    from: mem
    table: s
    columns: { ID: int, LN: string }
steps:
  m:
    from: s
    columns:
      ID: ID
      X: ${column}
outputs:
  o:
    from: m
    to: mem
    table: out${extra}
`;

const codes = (text: string) => compile(text, 'spec.yaml', { registry }).diagnostics.map((d) => `${d.code}@${d.span.start.line}`);

test('a secret in a credential setting is fine; in any other setting it is SF480 at its line', () => {
  assert.equal(codes(spec('{ use: vault, token: "${secret:t}" }')), []);
  assert.equal(codes(spec('{ use: vault, dir: "${secret:d}" }')), ['SF480@5']);
  assert.equal(codes(spec('{ use: vault, dir: "in/${secret:d}/x", token: "${secret:t}" }')), ['SF480@5']);
  // Environment values may go anywhere.
  assert.equal(codes(spec('{ use: vault, dir: "${env:DIR}" }')), []);
});

test('a secret in an output, a source or the rejects settings is SF480', () => {
  assert.equal(codes(spec('{ use: vault }', '\n    fail_after: 1\n    wrap_errors: true').replace('table: out', 'table: "${secret:name}"')), ['SF480@21']);
  const rejects = spec('{ use: vault }') + 'rejects:\n  to: mem\n  path: "${secret:rj}.csv"\n';
  assert.ok(codes(rejects).includes('SF480@24'), codes(rejects).join());
});

test('a reference inside an expression is SF330 (it would be written into every row)', () => {
  const d = compile(spec('{ use: vault }', '', `"'\${secret:x}'"`), 'spec.yaml', { registry }).diagnostics;
  assert.equal(d.map((x) => x.code), ['SF330']);
  assert.equal(d[0]!.span.start.line, 16);
  const p = compile(spec('{ use: vault }', '', `"'\${param:x}'"`), 'spec.yaml', { registry }).diagnostics;
  assert.match(p[0]!.hint ?? '', '`$x`');
});

test('the redactor removes a secret as written, JSON-escaped, URL-encoded, hex and base64', () => {
  const secret = 'pä$$ "w/rd+1';
  const r = new Redactor();
  r.add(secret);
  const bytes = Buffer.from(secret);
  const leaks = [
    secret,
    JSON.stringify({ p: secret }),
    encodeURIComponent(secret),
    new URLSearchParams({ p: secret }).toString(),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ];
  for (const leak of leaks) assert.not.ok(r.redact(`x ${leak} y`).includes(leak), leak);
});

test('a secret inside a longer base64 text is found at every offset (SMTP AUTH PLAIN, key blobs)', () => {
  const password = 'correct horse battery';
  const r = new Redactor();
  r.add(password);
  for (const user of ['', 'a', 'ab', 'abc', 'district-admin']) {
    for (const encoding of ['base64', 'base64url'] as const) {
      const plain = Buffer.from(`\0${user}\0${password}`).toString(encoding);
      const out = r.redact(`535 5.7.8 ${plain} rejected`);
      assert.ok(out.includes('***'), `${user}/${encoding}: ${out}`);
      // What is left cannot be decoded back to the password.
      for (const piece of out.split(/\s|\*\*\*/)) assert.not.ok(Buffer.from(piece, encoding).toString('latin1').includes('horse'), piece);
    }
  }
});

test('every form of a short secret is at least its own length or longer; nothing shorter than 3 is redacted', () => {
  for (const f of encodedForms('abc')) assert.ok(f.length >= 3, f);
  const r = new Redactor();
  r.add('ab');
  assert.is(r.redact('ab abc'), 'ab abc');
});

test('redactDeep covers every text of a report, keys and nested paths included', () => {
  const r = new Redactor();
  r.add('s3cr3t-dir');
  const report = { outputs: { o: { files: [{ path: '/remote/s3cr3t-dir/x.csv' }] } }, events: { 'retries s3cr3t-dir': 1 }, ok: true, n: 3 };
  assert.equal(r.redactDeep(report), { outputs: { o: { files: [{ path: '/remote/***/x.csv' }] } }, events: { 'retries ***': 1 }, ok: true, n: 3 });
});

test.run();
