// The SIRAS import end to end: the student file on a real OpenSSH sshd (127.0.0.1) → matched by
// SSID into CSE of a fresh demo database → the import log received by a loopback SMTP server with
// the right counts and attachments; importing again changes nothing; too many bad rows import
// nothing; a connection dropped mid-download leaves the database as it was.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';
import { sqliteFile } from '../src/sqlite/sqlite-connector.js';
import { startFaultServer, type FaultServer } from './sftp/fault-server.js';
import { SSHD, sshdRequired, startSshd, type Sshd } from './sftp/sshd.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SPEC = readFileSync(join(ROOT, 'examples/siras/import.yaml'), 'utf8');
const SAMPLE = join(ROOT, 'examples/siras/sample/tableA.csv');

let sshd: Sshd;
let faults: FaultServer;
let smtp: SMTPServer;
let smtpPort = 0;
const mail: ParsedMail[] = [];

test.before(async () => {
  process.env.SISFLOW_DEMO_DIR = await tempDir('sisflow-siras-demo-'); // a demo database of its own
  sshd = await startSshd();
  mkdirSync(join(sshd.root, 'siras'));
  copyFileSync(SAMPLE, join(sshd.root, 'siras/tableA.csv'));
  copyFileSync(SAMPLE.replace('tableA', 'tableB'), join(sshd.root, 'siras/tableB.csv'));
  faults = await startFaultServer();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((m) => {
        mail.push(m);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as { port: number }).port;
});

test.after(async () => {
  await sshd?.stop();
  await faults?.stop();
  // smtp is unset when starting sshd or the fault server failed: let that error be the one shown.
  if (smtp) await new Promise((r) => smtp.close(() => r(undefined)));
});

const onLoopback = (text: string, siras = `siras:
    use: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    username: ${sshd.username}
    private_key: \${secret:siras_key}
    host_key: ${sshd.fingerprint}
    dir: ${sshd.root}/siras`) =>
  text
    .replace('siras:\n    use: files\n    dir: sample', siras)
    .replace('    host: localhost\n    port: 25', `    host: 127.0.0.1\n    port: ${smtpPort}`);

function query(sql: string, ...args: unknown[]): Record<string, unknown>[] {
  const db = new Database(sqliteFile({ demo: true }, '.'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
const cse = () => query('SELECT * FROM CSE ORDER BY ID');
const services = (id: number) => query('SELECT * FROM CSV WHERE ID = ? ORDER BY SQ', id);

test('the nightly import: SFTP file → CSE by SSID, and the import log arrives by e-mail', async () => {
  const dir = await tempDir('sisflow-siras-');
  const liamBefore = services(100002);
  const { report } = await runSpec(onLoopback(SPEC), { siras_key: sshd.privateKey }, { baseDir: dir });
  assert.ok(report.ok, report.error);
  assert.equal(report.outputs.cse!.changes, { CSE: { inserted: 2, updated: 3, deleted: 0 } });
  assert.equal(report.rejects.bySource.sped_file, { unreadable: 1, unmatched: 1, duplicate: 1, invalid: 1 });
  // Services: each student in the file gets exactly its services, numbered in file order...
  assert.equal(report.outputs.csv_services!.changes, { CSV: { inserted: 1, updated: 0, deleted: 0 } });
  assert.equal(report.rejects.bySource.services_file, { unmatched: 1 });
  assert.equal(services(100006).map((r) => [r.SQ, r.SV]), [[1, '415'], [2, '520'], [3, '415']]);
  // ...except a student whose row in the student file was refused (Liam is in it twice): his
  // services stay exactly as they were, and the log says why.
  assert.equal(services(100002), liamBefore);
  assert.equal(report.held.csv_services!.slices.map((h) => h.slice.ID), [100001, 100002, 100003]);
  assert.equal(report.held.csv_services!.slices[1]!.reasons, ["sped_file line 13: duplicate SSID '1000700014' (first seen on line 2)"]);
  const rows = cse();
  assert.ok(rows.some((r) => r.CID === '1000700000' && r.DI === '290' && r.MD === '2026-11-10' && r.DEL === 0), 'a new special-ed student was inserted');
  assert.ok(rows.find((r) => r.CID === '1000700014')!.MD === '2026-11-05', 'a changed meeting date was updated');
  assert.equal(report.notifications.import_log, { sent: true, to: 'sped-office@district.example' });

  assert.is(mail.length, 1);
  const m = mail[0]!;
  assert.is(m.subject, 'SIRAS import: succeeded');
  assert.match(m.text!, 'sped_file: 14 read, 10 matched, 1 unmatched, 1 duplicate, 1 error, 1 unreadable');
  assert.match(m.text!, 'CSE (cse): 2 inserted, 3 updated, 0 deleted');
  assert.match(m.text!, 'CSV (csv_services): 1 inserted, 0 updated, 0 deleted');
  assert.match(m.text!, 'services_file: 17 read, 16 matched, 1 unmatched, 0 duplicate, 0 error, 0 unreadable');
  assert.match(m.text!, "Held, left exactly as they were (a record of theirs was refused)\n  csv_services: ID 100001 — sped_file line 14: DI '999' is not one of");
  assert.match(m.text!, "  csv_services: ID 100002 — sped_file line 13: duplicate SSID '1000700014' (first seen on line 2)\n");
  assert.equal(m.attachments.map((a) => a.filename).sort(), ['siras-import.rejects.csv', 'siras-imported.csv', 'siras-not-in-file.csv']);
  // Special-ed students Aeries has that the file does not mention: every CSE row but the 8 matched.
  const notInFile = m.attachments.find((a) => a.filename === 'siras-not-in-file.csv')!.content.toString('utf8').trim().split('\r\n');
  assert.is(notInFile[0], 'Student ID,SSID,Last Name,First Name,Grade');
  assert.is(notInFile.length - 1, rows.length - 10);
  assert.not.ok(notInFile.some((l) => l.includes('1000700014')));
  const imported = m.attachments.find((a) => a.filename === 'siras-imported.csv')!.content.toString('utf8');
  assert.match(imported, /^Line,SSID,Student ID,Last Name,First Name,Birth Date,Grade,/);
  assert.match(imported, /\r\n2,1000700014,100002,Patel,Liam,2017-02-16,03,/);
  assert.is(imported.trim().split('\r\n').length, 11);

  // The same file again (SIRAS did not refresh it): nothing changes.
  const again = await runSpec(onLoopback(SPEC), { siras_key: sshd.privateKey }, { baseDir: dir });
  assert.ok(again.report.ok, again.report.error);
  assert.equal(again.report.outputs.cse!.changes, { CSE: { inserted: 0, updated: 0, deleted: 0 } });
  assert.equal(again.report.outputs.csv_services!.changes, { CSV: { inserted: 0, updated: 0, deleted: 0 } });
  assert.equal(cse(), rows);
});

test('a log that cannot be sent never undoes an import: the run succeeds and says the mail was not sent', async () => {
  const { freePort } = await import('./sftp/sshd.js');
  const closed = await freePort();
  const spec = onLoopback(SPEC).replace(`port: ${smtpPort}`, `port: ${closed}`);
  const { report } = await runSpec(spec, { siras_key: sshd.privateKey }, { baseDir: await tempDir('sisflow-siras-') });
  assert.ok(report.ok, report.error);
  assert.is(report.notifications.import_log!.sent, false);
  assert.match(report.notifications.import_log!.error!, new RegExp(`^connection mail \\(used by notification import_log\\): 127\\.0\\.0\\.1:${closed} refused the connection`));
  assert.ok(report.warnings.some((w) => w.startsWith('notification import_log was not sent')));
});

test('more bad rows than the spec allows: nothing is imported, and the log says why', async () => {
  const before = cse();
  mail.length = 0;
  const strict = onLoopback(SPEC).replace('  max: 5 ', '  max: 3 ');
  const { report } = await runSpec(strict, { siras_key: sshd.privateKey }, { baseDir: await tempDir('sisflow-siras-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, '4 row(s) rejected, more than the spec allows');
  assert.equal(cse(), before);
  assert.is(mail[0]!.subject, 'SIRAS import: FAILED');
  assert.match(mail[0]!.text!, 'Error:    4 row(s) rejected');
});

test('a connection dropped mid-download fails the run and leaves the database as it was', async () => {
  const before = cse();
  faults.files.set('/data/tableA.csv', { data: readFileSync(SAMPLE), mtime: Date.now() });
  faults.faults = { dropAfterRead: 500 };
  const viaFaults = `siras:
    use: sftp
    host: 127.0.0.1
    port: ${faults.port}
    username: sis
    password: \${secret:siras_password}
    host_key: ${faults.fingerprint}
    dir: /data
    retries: 0`;
  const { report } = await runSpec(onLoopback(SPEC, viaFaults), { siras_password: faults.password }, { baseDir: await tempDir('sisflow-siras-') });
  assert.not.ok(report.ok);
  assert.match(report.error!, /^source sped_file: downloading tableA\.csv on 127\.0\.0\.1:\d+ failed/);
  assert.equal(cse(), before);
});

if (SSHD) test.run();
else if (sshdRequired()) throw new Error('OpenSSH sshd is not installed; .ci/run installs openssh-server');
else console.warn('SKIPPED siras-e2e.test.ts: no OpenSSH sshd here (apt-get install openssh-server)');
