// Hostile input (issue 21): paths steered by parameters or the environment stay in their folder,
// control characters never reach a file name or a report line, an oversized spec is refused
// cleanly, and a private key that cannot be read fails without a byte of it in the error.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, runPlan, type RunReport } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';

const registry = defaultRegistry();

function spec(output: string, params = ''): string {
  return `sisflow: 1
name: hostile
params:
  sub: { type: string, default: district-a }${params}
connections:
  src: { use: files, dir: in }
  out: ${output}
sources:
  s:
    from: src
    path: s.csv
    columns: { ID: int }
outputs:
  o:
    from: s
    to: out
    path: \${env:OUTP}
`;
}

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-hostile-'));
  writeFileSync(join(dir, 'spec.yaml'), '');
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out', 'district-a'), { recursive: true });
  writeFileSync(join(dir, 'in', 's.csv'), 'ID\n1\n');
  return dir;
}

async function run(text: string, dir: string, env: Record<string, string>, params: Record<string, unknown> = {}): Promise<{ report?: RunReport; codes: string[] }> {
  const c = compile(text, join(dir, 'spec.yaml'), { registry, params: params as Record<string, string> });
  if (!c.plan) return { codes: c.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) };
  const { report } = await runPlan(c.plan, { registry, baseDir: dir, secrets: { env: (n) => env[n], secret: () => 'not-used' } });
  return { report, codes: [] };
}

const HOST_KEY = 'SHA256:' + 'A'.repeat(43);

test('an output path from the environment cannot climb out of the folder, locally or over SFTP', async () => {
  for (const output of ['{ use: files, dir: out }', `{ use: sftp, host: 127.0.0.1, port: 1, username: u, password: "\${secret:pw}", host_key: "${HOST_KEY}", dir: upload }`]) {
    for (const bad of ['../escaped.csv', '/tmp/escaped.csv', 'a/../../escaped.csv', 'a\nb.csv']) {
      const dir = workdir();
      const { report } = await run(spec(output), dir, { OUTP: bad });
      assert.is(report!.ok, false, `${output} ${JSON.stringify(bad)}`);
      assert.match(report!.error!, /relative|may not leave|control character/, report!.error);
      assert.not.ok(existsSync(join(dir, 'escaped.csv')));
      assert.not.ok(readdirSync(dir).some((f) => f.includes('\n')));
    }
  }
});

test('a parameter may name a folder inside the fixed one, never an absolute path or `..` (SF270)', async () => {
  const out = '{ use: files, dir: "out/${param:sub}" }';
  const dir = workdir();
  const ok = await run(spec(out), dir, { OUTP: 'x.csv' });
  assert.is(ok.report!.ok, true, ok.report?.error);
  assert.ok(existsSync(join(dir, 'out/district-a/x.csv')));
  for (const sub of ['../../etc', '/etc', 'C:\\\\temp', 'a/../../b']) assert.equal((await run(spec(out), dir, { OUTP: 'x.csv' }, { sub })).codes, ['SF270'], sub);
});

test('a parameter value with a control character is refused before anything runs', async () => {
  const dir = workdir();
  const r = await run(spec('{ use: files, dir: out }'), dir, { OUTP: 'x.csv' }, { sub: 'a\nb' });
  assert.ok(r.codes.length > 0 && !r.report, r.codes.join());
  const d = compile(spec('{ use: files, dir: out }'), join(dir, 'spec.yaml'), { registry, params: { sub: 'a\tb' } }).diagnostics;
  assert.match(d.map((x) => x.message).join('\n'), 'control character');
});

test('a spec over the size limit is one SF130 diagnostic, quickly, not an out-of-memory crash', () => {
  const rows = Array.from({ length: 40_000 }, (_, i) => `        - { ID: ${i}, LN: "Name ${i}" }`).join('\n');
  const big = `sisflow: 1\nname: big\ntests:\n  - name: t\n    given:\n      s:\n${rows}\n`;
  assert.ok(big.length > 1024 * 1024);
  const d = compile(big, 'big.yaml', { registry }).diagnostics;
  assert.equal(d.map((x) => x.code), ['SF130']);
  assert.match(d[0]!.hint!, 'CSV file');
});

test('a private key that cannot be parsed fails with sisflow words, no byte of the key', async () => {
  const dir = workdir();
  const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nRlVOTllLRVlNQVRFUklBTHRoYXRpc3NlY3JldA==\n-----END OPENSSH PRIVATE KEY-----\n';
  const out = `{ use: sftp, host: 127.0.0.1, port: 1, username: u, private_key: "\${secret:key}", host_key: "${HOST_KEY}" }`;
  const c = compile(spec(out), join(dir, 'spec.yaml'), { registry });
  const { report } = await runPlan(c.plan!, { registry, baseDir: dir, secrets: { env: () => 'x.csv', secret: () => key } });
  assert.is(report.ok, false);
  assert.match(report.error!, 'not a private key sisflow can read');
  const text = JSON.stringify(report);
  for (const leak of ['FUNNYKEY', 'RlVOTllLRVlN', 'MATERIAL', 'thatissecret']) assert.not.ok(text.includes(leak), leak);
});

test.run();
