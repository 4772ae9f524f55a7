// transfer.yaml problems are diagnostics with their place, code and hint, all of them at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadTransferConfig } from '@sisflow/transfer';

const dir = mkdtempSync(join(tmpdir(), 'sisflow-transfer-config-'));
const KEY = 'a'.repeat(43);

function problems(text: string): string[] {
  const file = join(dir, 'transfer.yaml');
  writeFileSync(file, text);
  try {
    loadTransferConfig(file);
    return [];
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as ConfigError).diagnostics.map((d) => `${d.code}@${d.span ? `${d.span.start.line}:${d.span.start.col}` : '-'}${d.hint ? ` (${d.hint})` : ''}`);
  }
}

test('a good configuration resolves paths against its folder and keeps default limits', () => {
  writeFileSync(join(dir, 'ok.yaml'), `district: "1964212"\nregistry: registry.jws\noperator_key: ${KEY}\nlimits: { package_days: 7 }\n`);
  const c = loadTransferConfig(join(dir, 'ok.yaml'));
  assert.is(c.registry, join(dir, 'registry.jws'));
  assert.is(c.state, join(dir, 'transfer-state'));
  assert.is(c.sendSpec, join(dir, 'send.yaml'));
  assert.is(c.limits.packageDays, 7);
  assert.is(c.limits.maxRequestBytes, 65536);
});

test('the sample configuration in examples/records-transfer loads', () => {
  const c = loadTransferConfig(fileURLToPath(new URL('../../../examples/records-transfer/sample/transfer.yaml', import.meta.url)));
  assert.is(c.district, '1964212');
  assert.match(c.sendSpec, /examples\/records-transfer\/send\.yaml$/);
  assert.is(c.listen.port, 8443);
});

test('every problem is reported with its line and column', () => {
  assert.equal(problems(`district: "19 64"\nregistry: ftp://x/r.jws\noperator: ${KEY}\nlisten: { port: 99999 }\nca: missing.pem\nlimits: { package_day: 3, clock_skew_seconds: -1 }\n`), [
    'SF452@1:1 (the registry operator key\'s thumbprint (43 characters; `sisflow transfer keys --operator` prints it))',
    'SF453@1:11',
    'SF453@2:11',
    'SF451@3:1 (did you mean `operator_key`?)',
    'SF453@4:17',
    'SF454@5:5 (a PEM file of the certificate authority that signed the other districts\' service certificates)',
    'SF451@6:11 (did you mean `package_days`?)',
    'SF453@6:47',
  ]);
});

test('a file that is missing, not YAML, or not a mapping', () => {
  assert.equal(problems('district: [unclosed\n').map((p) => p.slice(0, 5)), ['SF450']);
  assert.equal(problems('- a\n- b\n').map((p) => p.slice(0, 5)), ['SF450']);
  try {
    loadTransferConfig(join(dir, 'nope.yaml'));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /SF450: cannot read .*nope\.yaml: no such file/);
  }
});

test.run();
