// `sisflow doctor`'s questions to real servers (issue 23, item 3): an OpenSSH sshd on 127.0.0.1 and
// the TDS test server answer whether the log-in, the host key, the files, folders and grants a spec
// needs are there, with no data moved.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPlanAccess, compile, type AccessProbe } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { startTdsServer, type Reply, type Statement, type TdsServer } from './mssql/tds-server.js';
import { names, tempDir } from './sftp-helpers.js';
import { startSshd, type Sshd } from './sftp/sshd.js';

const registry = defaultRegistry();
let sshd: Sshd;
let tds: TdsServer;
let handle: (s: Statement) => Reply = () => ({});

test.before(async () => {
  sshd = await startSshd();
  tds = await startTdsServer({ logins: { reader: 'pw-Reader-1' }, databases: ['aeries'], handle: (s) => handle(s) });
});
test.after(async () => {
  await sshd?.stop();
  await tds?.stop();
});

async function probes(spec: string, secrets: Record<string, string>, baseDir = '.'): Promise<{ connection: string; error?: string; probes: Pick<AccessProbe, 'area' | 'status' | 'detail'>[] }[]> {
  const c = compile(spec, join(baseDir, 'spec.yaml'), { registry, today: '2026-11-23' });
  assert.ok(c.plan, c.diagnostics.map((d) => d.message).join('\n'));
  const r = await checkPlanAccess(c.plan!, { registry, baseDir, secrets: { env: () => undefined, secret: (n) => secrets[n] } });
  return r.connections.map((x) => ({ connection: x.connection, ...(x.error ? { error: x.error } : {}), probes: x.probes.map((p) => ({ area: p.area, status: p.status, ...(p.detail ? { detail: p.detail } : {}) })) }));
}

const sftpSpec = (hostKey: string, outPath: string) => `sisflow: 1
name: doctor
connections:
  drop:
    use: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    username: ${sshd.username}
    private_key: \${secret:key}
    host_key: ${hostKey}
    dir: ${sshd.root}
    retries: 0
sources:
  students:
    from: drop
    path: incoming/tableA*.csv
    columns: { SSID: string }
outputs:
  back: { from: students, to: drop, path: ${outPath} }
`;

test('sftp: log-in with the pinned key, the files it reads, a folder it can write (the probe file removed)', async () => {
  await mkdir(join(sshd.root, 'incoming'), { recursive: true });
  await mkdir(join(sshd.root, 'upload'), { recursive: true });
  await writeFile(join(sshd.root, 'incoming/tableA-1.csv'), 'SSID\n1\n');
  const [drop] = await probes(sftpSpec(sshd.fingerprint, 'upload/x.csv'), { key: sshd.privateKey });
  assert.equal(drop!.probes.map((p) => [p.status, p.area]), [
    ['granted', `log in as ${sshd.username} to 127.0.0.1:${sshd.port} (pinned host key)`],
    ['granted', 'read incoming/tableA*.csv'],
    ['granted', 'write into upload'],
  ]);
  assert.equal(await names(join(sshd.root, 'upload')), [], 'the probe file is gone');
});

test('sftp: a folder that is not there, and a host key that is not the pinned one, are refused', async () => {
  const [missing] = await probes(sftpSpec(sshd.fingerprint, 'nowhere/x.csv'), { key: sshd.privateKey });
  assert.equal(missing!.probes.map((p) => p.status), ['granted', 'granted', 'refused']);
  const [wrongKey] = await probes(sftpSpec(`SHA256:${'B'.repeat(43)}`, 'upload/x.csv'), { key: sshd.privateKey });
  assert.is(wrongKey!.probes.length, 1);
  assert.is(wrongKey!.probes[0]!.status, 'refused');
  assert.match(wrongKey!.probes[0]!.detail!, `is ${sshd.fingerprint}`);
  assert.not.match(JSON.stringify(wrongKey), 'PRIVATE KEY');
});

const mssqlSpec = () => `sisflow: 1
name: doctor
connections:
  aeries:
    use: mssql
    server: 127.0.0.1
    port: ${tds.port}
    database: aeries
    user: reader
    password: \${secret:pw}
    encrypt: false
  out: { use: files, dir: out }
sources:
  students: { from: aeries, table: STU, columns: [ID, LN] }
  schools: { from: aeries, table: LOC, columns: [CD, NM] }
outputs:
  o: { from: students, to: out, path: s.csv }
  p: { from: schools, to: out, path: l.csv }
`;

test('mssql: the log-in, then SELECT TOP 0 of exactly the columns each source reads; a missing grant is refused', async () => {
  const seen: string[] = [];
  handle = (s) => {
    seen.push(s.sql);
    if (s.sql.includes('[LOC]')) return { error: { number: 229, message: "The SELECT permission was denied on the object 'LOC', database 'aeries', schema 'dbo'." } };
    return { resultSets: [{ columns: [{ name: 'ID', type: 'int' }, { name: 'LN', type: 'nvarchar' }], rows: [] }] };
  };
  const dir = await tempDir('sisflow-doctor-');
  const report = await probes(mssqlSpec(), { pw: 'pw-Reader-1' }, dir);
  const aeries = report.find((c) => c.connection === 'aeries')!;
  assert.equal(aeries.probes.map((p) => [p.status, p.area]), [
    ['granted', 'log in as reader to 127.0.0.1, database aeries'],
    ['refused', 'SELECT LOC (CD, NM)'],
    ['granted', 'SELECT STU (ID, LN)'],
  ]);
  assert.ok(seen.includes('SELECT TOP 0 [ID], [LN] FROM [dbo].[STU]'), seen.join('\n'));
  const out = report.find((c) => c.connection === 'out')!;
  assert.equal(out.probes.map((p) => p.status), ['granted', 'granted']);
  const wrong = await probes(mssqlSpec(), { pw: 'not-it' }, dir);
  assert.is(wrong.find((c) => c.connection === 'aeries')!.probes[0]!.status, 'refused');
  assert.match(wrong.find((c) => c.connection === 'aeries')!.probes[0]!.detail!, 'login failed for reader');
  assert.not.match(JSON.stringify(wrong), 'not-it');
});

test.run();
