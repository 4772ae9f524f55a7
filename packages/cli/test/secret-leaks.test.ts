// Issue 21, item 4: every connector setting marked secret, taken from the connectors' own
// declarations, gets a failing and a succeeding case against a real server on 127.0.0.1, each run
// through the real CLI (`validate`, `plan -o`, `doctor --json`, `run --dry-run`, `run --json`,
// `run`). Then every byte it left behind — stdout, stderr, the report JSON, the plan file, rejects,
// logs, the run history database, the files the server received — is searched for the secret in
// every form it could take. A secret setting added without a case here fails the first test.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import type { SMTPServer as SmtpServerType } from 'smtp-server';
import { CONNECTORS } from '@sisflow/connectors';
import { startFaultServer, type FaultServer } from '../../connectors/test/sftp/fault-server.js';
import { SSHD, sshdRequired, startSshd, type Sshd } from '../../connectors/test/sftp/sshd.js';
import { startTdsServer, type TdsServer } from '../../connectors/test/mssql/tds-server.js';
import { AeriesApiServer, SIRAS_AREAS } from '../../connectors/test/aeries/api-server.js';
import { OneRosterProvider } from '../../connectors/test/oneroster/provider.js';
import { approveRequest, createDistrictKeys, sendRequest } from '@sisflow/transfer';
import { enroll, query, twoDistricts, type Row, type World } from '../../transfer/test/two-districts.js';
import { leakForms } from './leak-forms.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
// The mail server the SIRAS tests use, from the connectors package's test dependencies.
const { SMTPServer } = createRequire(join(ROOT, 'packages/connectors/package.json'))('smtp-server') as typeof import('smtp-server');
const work = mkdtempSync(join(tmpdir(), 'sisflow-secret-leaks-'));
const demoDir = join(work, 'demo');

/** A value no output could hold by chance: a fixed label, random hex, and characters every encoding changes. */
const distinctive = (label: string) => `${label}-${randomHex(12)}/+=&%?é`;
function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

// The declared secret settings, as `connector.setting`.
const DECLARED = CONNECTORS.flatMap((c) => (c.secretSettings ?? []).map((s) => `${c.name}.${s}`)).sort();

interface Attempt {
  /** Secret name → value, given to the CLI as SISFLOW_SECRET_<name>. */
  secrets: Record<string, string>;
  /** The user name a protocol may encode together with each secret (`\0user\0password`, `user:password`). */
  user?: string;
  /** Parts of a secret that are secrets on their own (a JSON key's private `d`). */
  parts?: string[];
}

interface LeakCase {
  spec(): string;
  env?(): Record<string, string>;
  good(): Attempt;
  bad(): Attempt;
  /** The run must say this when it fails (in stdout or stderr). */
  failure: RegExp;
  /** After the good run: what the server received (throws if the run did not really get through). */
  check?(): void;
  /** Folders the server side wrote (scanned too). */
  remote?(): string[];
  /** Files the case needs beside its spec. */
  prepare?(dir: string): void;
  /** Extra arguments for one command (`run`, `dry-run`, …) of an attempt. */
  args?(command: string, label: 'good' | 'bad'): Promise<string[]>;
}

let sshd: Sshd;
let ssh2: FaultServer;
let tds: TdsServer;
let smtp: SmtpServerType;
let smtpPort = 0;
const smtpLogins: string[] = [];
let webhook: Server;
let webhookPort = 0;
let webhookCa = '';
const webhookPosts: string[] = [];
const aeries = new AeriesApiServer(new Map());
let oneroster: OneRosterProvider;
let encryptedKey = '';

const SFTP_PASSWORD = distinctive('sftp-password');
const KEY_PASSPHRASE = distinctive('key-passphrase');
const SQL_PASSWORD = distinctive('sql-password');
const SMTP_USER = 'district-mailer';
const SMTP_PASSWORD = distinctive('smtp-password');
const WEBHOOK_TOKEN = `T0-${randomHex(16)}`;
const AERIES_CERT = `aeries-cert-${randomHex(16)}`;
const CLIENT_ID = `oneroster-client-${randomHex(12)}`;
const CLIENT_SECRET = distinctive('oneroster-secret');
/** A key file that parses as base64 but is no key: its decoded bytes are what a key parser once quoted. */
const BROKEN_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${Buffer.from(`FUNNYKEY-MATERIAL-${randomHex(24)}`).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;

const FILES_SOURCE = `  src: { use: files, dir: in }
  logs: { use: files, dir: logs }`;

/** A small files → OUTPUT spec with one bad row, so a rejects file is written too. */
function fileSpec(name: string, output: string, outputSettings: string, extra = ''): string {
  return `sisflow: 1
name: ${name}
connections:
${FILES_SOURCE}
  out: ${output}
sources:
  s:
    from: src
    path: s.csv
    columns: { ID: int, LN: string }
outputs:
  o:
    from: s
    to: out
${outputSettings}
rejects:
  max: 5
  to: logs
  path: rejects.csv
${extra}`;
}

/** files → files, with a notification through NOTIFIER. */
function notifySpec(name: string, notifier: string, settings: string): string {
  return fileSpec(name, '{ use: files, dir: out }', '    path: o.csv', `notify:\n  note:\n    to: mailer\n${settings}`).replace('  out: {', `  mailer: ${notifier}\n  out: {`);
}

const sftpOutput = (server: { port: number; fingerprint: string; username: string }, credentials: string, dir: string) =>
  `{ use: sftp, host: 127.0.0.1, port: ${server.port}, username: ${server.username}, ${credentials}, host_key: "${server.fingerprint}", dir: "${dir}" }`;

function bundleSpec(sftp: string): string {
  const spec = readFileSync(join(ROOT, 'examples/oneroster/csv-export.yaml'), 'utf8');
  const settings = sftp.replace('{ use: sftp, ', '{ ');
  const remote = spec.replace('bundle: { use: oneroster-csv, path: out/oneroster.zip }', `bundle: { use: oneroster-csv, path: rostering/oneroster.zip, sftp: ${settings} }`);
  assert.ok(remote !== spec, 'the OneRoster example still has its bundle line');
  return remote;
}

const sshdKey = () => ({ sftp_key: sshd.privateKey });

const CASES: Record<string, LeakCase> = {
  'sftp.password': {
    spec: () => fileSpec('leak-sftp-password', sftpOutput(ssh2, 'password: "${secret:sftp_password}"', '/data'), '    path: o.csv'),
    good: () => ({ secrets: { sftp_password: SFTP_PASSWORD }, user: ssh2.username }),
    bad: () => ({ secrets: { sftp_password: distinctive('wrong-sftp-password') }, user: ssh2.username }),
    failure: /authentication|log in|login/i,
    check: () => assert.ok(ssh2.files.has('/data/o.csv'), 'the upload reached the SSH server'),
  },
  'sftp.private_key': {
    spec: () => fileSpec('leak-sftp-key', sftpOutput(sshd, 'private_key: "${secret:sftp_key}"', `${sshd.root}/plain`), '    path: o.csv'),
    good: () => ({ secrets: sshdKey() }),
    bad: () => ({ secrets: { sftp_key: BROKEN_KEY } }),
    failure: /not a private key sisflow can read/,
    check: () => assert.ok(statSync(join(sshd.root, 'plain/o.csv')).size > 0),
    remote: () => [join(sshd.root, 'plain')],
  },
  'sftp.passphrase': {
    spec: () => fileSpec('leak-sftp-passphrase', sftpOutput(sshd, 'private_key: "${secret:sftp_key}", passphrase: "${secret:sftp_passphrase}"', `${sshd.root}/locked`), '    path: o.csv'),
    good: () => ({ secrets: { sftp_key: encryptedKey, sftp_passphrase: KEY_PASSPHRASE } }),
    bad: () => ({ secrets: { sftp_key: encryptedKey, sftp_passphrase: distinctive('wrong-passphrase') } }),
    failure: /passphrase/i,
    check: () => assert.ok(statSync(join(sshd.root, 'locked/o.csv')).size > 0),
    remote: () => [join(sshd.root, 'locked')],
  },
  'oneroster-csv.sftp.password': {
    spec: () => bundleSpec(sftpOutput(ssh2, 'password: "${secret:sftp_password}"', '/data')),
    good: () => ({ secrets: { sftp_password: SFTP_PASSWORD }, user: ssh2.username }),
    bad: () => ({ secrets: { sftp_password: distinctive('wrong-bundle-password') }, user: ssh2.username }),
    failure: /authentication|log in|login/i,
    check: () => assert.ok(ssh2.files.has('/data/rostering/oneroster.zip'), 'the bundle reached the SSH server'),
  },
  'oneroster-csv.sftp.private_key': {
    spec: () => bundleSpec(sftpOutput(sshd, 'private_key: "${secret:sftp_key}"', `${sshd.root}/bundle-key`)),
    good: () => ({ secrets: sshdKey() }),
    bad: () => ({ secrets: { sftp_key: BROKEN_KEY } }),
    failure: /not a private key sisflow can read/,
    check: () => assert.ok(statSync(join(sshd.root, 'bundle-key/rostering/oneroster.zip')).size > 0),
    remote: () => [join(sshd.root, 'bundle-key')],
  },
  'oneroster-csv.sftp.passphrase': {
    spec: () => bundleSpec(sftpOutput(sshd, 'private_key: "${secret:sftp_key}", passphrase: "${secret:sftp_passphrase}"', `${sshd.root}/bundle-locked`)),
    good: () => ({ secrets: { sftp_key: encryptedKey, sftp_passphrase: KEY_PASSPHRASE } }),
    bad: () => ({ secrets: { sftp_key: encryptedKey, sftp_passphrase: distinctive('wrong-bundle-passphrase') } }),
    failure: /passphrase/i,
    check: () => assert.ok(statSync(join(sshd.root, 'bundle-locked/rostering/oneroster.zip')).size > 0),
    remote: () => [join(sshd.root, 'bundle-locked')],
  },
  'mssql.password': {
    spec: () =>
      fileSpec('leak-mssql', '{ use: files, dir: out }', '    path: o.csv')
        .replace('  s:\n    from: src\n    path: s.csv\n    columns: { ID: int, LN: string }', '  s:\n    from: aeries\n    query: SELECT ID, LN FROM STU\n    columns: { ID: int, LN: string }')
        .replace('  out: {', `  aeries: { use: mssql, server: 127.0.0.1, port: ${tds.port}, database: aeries, user: reader, password: "\${secret:aeries_password}", encrypt: false }\n  out: {`),
    good: () => ({ secrets: { aeries_password: SQL_PASSWORD }, user: 'reader' }),
    bad: () => ({ secrets: { aeries_password: distinctive('wrong-sql-password') }, user: 'reader' }),
    failure: /Login failed|log in|login/i,
    check: () => assert.ok(tds.logins.some((l) => l.user === 'reader')),
  },
  'smtp.password': {
    spec: () => notifySpec('leak-smtp', `{ use: smtp, host: 127.0.0.1, port: ${smtpPort}, tls: none, username: ${SMTP_USER}, password: "\${secret:smtp_password}", from: sisflow@district.example }`, '    recipients: [sped-office@district.example]\n    attach: [o, rejects]'),
    good: () => ({ secrets: { smtp_password: SMTP_PASSWORD }, user: SMTP_USER }),
    bad: () => ({ secrets: { smtp_password: distinctive('wrong-smtp-password') }, user: SMTP_USER }),
    failure: /535|Invalid login|authentication/i,
    check: () => assert.ok(smtpLogins.includes(SMTP_USER), 'the mail server saw a login'),
  },
  'webhook.url': {
    spec: () => notifySpec('leak-webhook', '{ use: webhook, url: "${secret:webhook_url}", ca: "${env:WEBHOOK_CA}" }', ''),
    env: () => ({ WEBHOOK_CA: webhookCa }),
    good: () => ({ secrets: { webhook_url: `https://127.0.0.1:${webhookPort}/hooks/${WEBHOOK_TOKEN}` } }),
    bad: () => ({ secrets: { webhook_url: `https://127.0.0.1:${webhookPort}/hooks/wrong-${randomHex(16)}` } }),
    failure: /HTTP 404/,
    check: () => assert.ok(webhookPosts.includes(`/hooks/${WEBHOOK_TOKEN}`), 'the webhook was posted'),
  },
  'aeries-api.cert': {
    spec: () =>
      fileSpec('leak-aeries-api', '{ use: files, dir: out }', '    path: o.csv')
        .replace('name: leak-aeries-api', 'name: leak-aeries-api\nparams:\n  schools: { type: "list<int>", default: [994] }')
        .replace('  s:\n    from: src\n    path: s.csv\n    columns: { ID: int, LN: string }', '  s:\n    from: aeries\n    endpoint: schools/{school}/students\n    schools: ${param:schools}\n    columns: { StudentID: int, LastName: string }')
        .replace('  out: {', '  aeries: { use: aeries-api, base_url: "${env:AERIES_API_URL}", cert: "${secret:aeries_api_cert}", ca: "${env:AERIES_CA}", retry_delay_seconds: 0.01 }\n  out: {'),
    env: () => ({ AERIES_API_URL: aeries.baseUrl, AERIES_CA: aeries.ca }),
    good: () => ({ secrets: { aeries_api_cert: AERIES_CERT } }),
    bad: () => ({ secrets: { aeries_api_cert: `aeries-wrong-${randomHex(16)}` } }),
    failure: /401|denied|refused/i,
    check: () => assert.ok(aeries.requests.length > 0),
  },
  'oneroster-api.client_id': {
    spec: () => oneRosterApiSpec(),
    env: () => oneRosterEnv(),
    good: () => ({ secrets: { or_id: CLIENT_ID, or_secret: CLIENT_SECRET }, user: CLIENT_ID }),
    bad: () => {
      const id = `oneroster-wrong-${randomHex(12)}`;
      return { secrets: { or_id: id, or_secret: CLIENT_SECRET }, user: id };
    },
    failure: /401|token|refused|denied/i,
    check: () => assert.ok(oneroster.tokensIssued > 0),
  },
  'oneroster-api.client_secret': {
    spec: () => oneRosterApiSpec(),
    env: () => oneRosterEnv(),
    good: () => ({ secrets: { or_id: CLIENT_ID, or_secret: CLIENT_SECRET }, user: CLIENT_ID }),
    bad: () => ({ secrets: { or_id: CLIENT_ID, or_secret: distinctive('wrong-oneroster-secret') }, user: CLIENT_ID }),
    failure: /401|token|refused|denied/i,
    check: () => assert.ok(oneroster.tokensIssued > 0),
  },
  'records-transfer.signing_key': {
    spec: () => transferSpec('send.yaml', w.a.db),
    env: () => transferEnv(),
    good: () => jwkAttempt('transfer_signing_key', readFileSync(join(w.a.secretsDir, 'transfer_signing_key'), 'utf8').trim()),
    bad: () => jwkAttempt('transfer_signing_key', strangerSigningKey),
    failure: /the signing key is not the one the registry lists/,
    check: () => assert.ok(w.b.district.store.outgoing(lastRequest)?.status === 'received', 'the package reached the receiving district'),
    // Each run answers a request of its own (a request takes one package).
    args: async (command) => {
      const base = ['--param', `district=${w.a.code}`, '--param', `recipient=${w.b.code}`, '--param', `student_id=${student.ID}`];
      if (command !== 'run') return base;
      lastRequest = (await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() })).id;
      return [...base, '--param', `request_id=${lastRequest}`];
    },
  },
  'records-transfer.encryption_key': {
    spec: () => transferSpec('receive.yaml', w.b.db),
    env: () => ({ ...transferEnv(), SISFLOW_TRANSFER_PACKAGES: w.b.district.store.packagesDir }),
    good: () => jwkAttempt('transfer_encryption_key', readFileSync(join(w.b.secretsDir, 'transfer_encryption_key'), 'utf8').trim()),
    bad: () => jwkAttempt('transfer_encryption_key', readFileSync(join(w.a.secretsDir, 'transfer_encryption_key'), 'utf8').trim()),
    failure: /decrypt|encrypt|key/i,
    check: () => assert.ok(query(w.b.db, 'SELECT COUNT(*) AS n FROM TST WHERE ID = ?', NEW_ID)[0]!.n as number > 0, 'the package was imported'),
    prepare: (dir) => cpSync(join(ROOT, 'examples/records-transfer/codes'), join(dir, 'codes'), { recursive: true }),
    args: async () => ['--param', `district=${w.b.code}`, '--param', `request_id=${delivered}`, '--param', `student_id=${NEW_ID}`],
  },
};

// Two districts for the records-transfer keys; the receiver has a package waiting for one request.
let w: World;
let student: Row;
let delivered = '';
let lastRequest = '';
let strangerSigningKey = '';
const NEW_ID = 900001;
const identity = () => ({ ssid: String(student.CID), last_name: String(student.LN), first_name: String(student.FN), birth_date: String(student.BD) });
const transferSpec = (file: string, db: string) => readFileSync(join(ROOT, 'examples/records-transfer', file), 'utf8').replace('    use: sqlite\n    demo: true\n', `    use: sqlite\n    path: ${db}\n`);
const transferEnv = () => ({ SISFLOW_TRANSFER_REGISTRY: w.registryFile, SISFLOW_TRANSFER_OPERATOR_KEY: w.operatorThumbprint, SISFLOW_TRANSFER_CA: w.ca });
/** A private JWK as a secret, its private part watched on its own too. */
function jwkAttempt(name: string, jwk: string): Attempt {
  return { secrets: { [name]: jwk }, parts: [(JSON.parse(jwk) as { d: string }).d] };
}

function oneRosterApiSpec(): string {
  return fileSpec('leak-oneroster-api', '{ use: files, dir: out }', '    path: o.csv')
    .replace('  s:\n    from: src\n    path: s.csv\n    columns: { ID: int, LN: string }', '  s:\n    from: provider\n    endpoint: orgs\n    sort: sourcedId\n    columns: { sourcedId: string, name: string }')
    .replace('  out: {', '  provider: { use: oneroster-api, base_url: "${env:ONEROSTER_URL}", token_url: "${env:ONEROSTER_TOKEN_URL}", client_id: "${secret:or_id}", client_secret: "${secret:or_secret}", ca: "${env:ONEROSTER_CA}", retry_delay_seconds: 0.01 }\n  out: {');
}
const oneRosterEnv = () => ({ ONEROSTER_URL: oneroster.baseUrl, ONEROSTER_TOKEN_URL: oneroster.tokenUrl, ONEROSTER_CA: oneroster.ca });

function selfSignedCertificate(dir: string): { key: Buffer; cert: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

test.before(async () => {
  mkdirSync(demoDir);
  sshd = await startSshd();
  // A second client key, locked with a passphrase, that the server also accepts.
  const locked = join(work, 'locked_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', KEY_PASSPHRASE, '-f', locked]);
  encryptedKey = readFileSync(locked, 'utf8');
  appendFileSync(join(dirname(sshd.root), 'authorized_keys'), readFileSync(`${locked}.pub`));
  for (const d of ['plain', 'locked', 'bundle-key', 'bundle-locked']) mkdirSync(join(sshd.root, d));
  ssh2 = await startFaultServer();
  ssh2.password = SFTP_PASSWORD;
  tds = await startTdsServer({
    logins: { reader: SQL_PASSWORD },
    databases: ['aeries'],
    handle: () => ({ resultSets: [{ columns: [{ name: 'ID', type: 'int' }, { name: 'LN', type: 'nvarchar' }], rows: [[1, 'Ada'], [2, 'Bo']] }] }),
  });
  // A mail server that, like some do, quotes the login it refused — in clear and as base64.
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, done) {
      smtpLogins.push(auth.username ?? '');
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return done(null, { user: auth.username });
      const echoed = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');
      done(Object.assign(new Error(`Invalid login ${echoed} (${auth.password})`), { responseCode: 535 }));
    },
    onData(stream, _session, done) {
      stream.resume();
      stream.on('end', () => done());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  // A webhook endpoint that answers 404 for an unknown token and echoes the path it was sent to.
  const tls = selfSignedCertificate(mkdtempSync(join(work, 'webhook-')));
  webhookCa = tls.cert;
  webhook = createHttpsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, (req, res) => {
    req.resume();
    req.on('end', () => {
      webhookPosts.push(req.url ?? '');
      const ok = req.url === `/hooks/${WEBHOOK_TOKEN}`;
      res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok' : `no hook at ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', () => resolve()));
  webhookPort = (webhook.address() as { port: number }).port;
  aeries.keys.set(AERIES_CERT, new Set(SIRAS_AREAS));
  await aeries.start(mkdtempSync(join(work, 'aeries-')));
  oneroster = new OneRosterProvider(new Map([['orgs', [{ sourcedId: 'org-1', name: 'Valley High', type: 'school', identifier: '994', status: 'active', dateLastModified: '2026-11-01T00:00:00.000Z' }]]]), { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  await oneroster.start(mkdtempSync(join(work, 'oneroster-')));
  w = await twoDistricts();
  student = query(w.a.db, "SELECT s.* FROM STU s WHERE s.DEL = 0 AND s.TG = '' AND EXISTS (SELECT 1 FROM TST t WHERE t.ID = s.ID) ORDER BY s.ID LIMIT 1")[0]!;
  enroll(w.b.db, student, NEW_ID, 999);
  delivered = (await sendRequest(w.b.district, { from: w.a.code, studentId: NEW_ID, student: identity() })).id;
  await approveRequest(w.a.district, delivered);
  const stranger = mkdtempSync(join(work, 'stranger-'));
  await createDistrictKeys(stranger, { code: w.a.code, name: 'Not Prior Unified', url: 'https://127.0.0.1:1' });
  strangerSigningKey = readFileSync(join(stranger, 'transfer_signing_key'), 'utf8').trim();
});

test.after(async () => {
  await sshd?.stop();
  await ssh2?.stop();
  await tds?.stop();
  await new Promise((r) => (smtp ? smtp.close(() => r(undefined)) : r(undefined)));
  await new Promise((r) => (webhook ? webhook.close(() => r(undefined)) : r(undefined)));
  await aeries.stop();
  await oneroster?.stop();
  await w?.close();
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, which serves every test server meanwhile; keeps its output in DIR. */
function sisflow(dir: string, label: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', SISFLOW_DEMO_DIR: demoDir, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      writeFileSync(join(dir, `${label}.stdout`), stdout);
      writeFileSync(join(dir, `${label}.stderr`), stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under DIR, hidden ones and the run history database included. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Each place a form of a watched value was found, as `file: form`. */
function hits(folders: string[], watched: Attempt[]): string[] {
  const forms = watched.flatMap((a) => [...Object.values(a.secrets), ...(a.parts ?? [])].flatMap((v) => leakForms(v, a.user)));
  const found: string[] = [];
  for (const file of folders.flatMap(allFiles)) {
    const bytes = readFileSync(file);
    // Read as bytes two ways, so text stored as UTF-8 or as UTF-16 (SQLite can keep either) is found.
    const texts = [bytes.toString('latin1'), bytes.toString('utf8'), bytes.toString('utf16le')];
    for (const form of forms) if (texts.some((t) => t.includes(form))) found.push(`${file}: ${JSON.stringify(form)}`);
  }
  return found;
}

test('every secret setting a connector declares has a leak case here', () => {
  assert.ok(DECLARED.length >= 12, DECLARED.join());
  assert.equal(Object.keys(CASES).sort(), DECLARED);
});

// LEAK_CASES=records-transfer runs only the cases whose setting contains that text (while working on one).
for (const [setting, c] of Object.entries(CASES).filter(([s]) => !process.env.LEAK_CASES || s.includes(process.env.LEAK_CASES))) {
  test(`${setting}: a failing and a succeeding run leak no form of the secret anywhere`, async () => {
    const dir = mkdtempSync(join(work, `${setting.replace(/\W+/g, '-')}-`));
    for (const d of ['in', 'logs', 'out']) mkdirSync(join(dir, d));
    writeFileSync(join(dir, 'in/s.csv'), 'ID,LN\n1,Ada\n2,Bo\nnot-a-number,Cy\n');
    writeFileSync(join(dir, 'spec.yaml'), c.spec());
    c.prepare?.(dir);
    const args = async (command: string, label: 'good' | 'bad') => (c.args ? await c.args(command, label) : []);
    const good = c.good();
    const bad = c.bad();
    const env = (a: Attempt) => ({ ...(c.env?.() ?? {}), ...Object.fromEntries(Object.entries(a.secrets).map(([k, v]) => [`SISFLOW_SECRET_${k}`, v])) });

    const validate = await sisflow(dir, 'validate', ['validate', 'spec.yaml', ...(await args('validate', 'good'))], env(good));
    assert.is(validate.code, 0, validate.stdout + validate.stderr);
    const plan = await sisflow(dir, 'plan', ['plan', 'spec.yaml', '--json', '-o', 'plan.json', ...(await args('plan', 'good'))], env(good));
    assert.is(plan.code, 0, plan.stderr);

    for (const [label, attempt] of [['bad', bad], ['good', good]] as const) {
      await sisflow(dir, `${label}-doctor`, ['doctor', 'spec.yaml', '--json', ...(await args('doctor', label))], env(attempt));
      await sisflow(dir, `${label}-dry-run`, ['run', 'spec.yaml', '--dry-run', ...(await args('dry-run', label))], env(attempt));
      const json = await sisflow(dir, `${label}-run-json`, ['run', 'spec.yaml', '--json', ...(await args('run', label))], env(attempt));
      const text = await sisflow(dir, `${label}-run`, ['run', 'spec.yaml', ...(await args('run', label))], env(attempt));
      if (label === 'good') {
        assert.is(json.code, 0, json.stdout + json.stderr);
        assert.is(text.code, 0, text.stdout + text.stderr);
        c.check?.();
      } else {
        const said = json.stdout + json.stderr + text.stdout + text.stderr;
        assert.match(said, c.failure, said);
        // A notification that fails does not fail the run; every other failing secret does.
        if (!/notify/.test(c.spec())) assert.is.not(text.code, 0, said);
      }
    }
    assert.ok(readdirSync(join(dir, '.sisflow')).includes('history.db'), 'the runs were recorded');
    assert.equal(hits([dir, ...(c.remote?.() ?? [])], [good, bad]), []);
  });
}

if (SSHD) test.run();
else if (sshdRequired()) throw new Error('OpenSSH sshd is not installed; .ci/run installs openssh-server');
else console.warn('SKIPPED secret-leaks.test.ts: no OpenSSH sshd here (apt-get install openssh-server)');
