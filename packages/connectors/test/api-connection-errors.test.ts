// A connection to an HTTPS API or an SMTP server that cannot be used is reported as the
// connection's own failure, naming it and everything that uses it (issue 23, item 5): a refused
// port, a certificate not trusted, a refused key, token or login. Real servers on loopback: the
// Aeries API and OneRoster provider test servers (private CA), smtp-server, and closed ports.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AeriesApiServer, SIRAS_AREAS } from './aeries/api-server.js';
import { OneRosterProvider } from './oneroster/provider.js';
import { freePort } from './sftp/sshd.js';
import { runSpec, tempDir } from './sftp-helpers.js';

const CERT = 'a1b2c3d4e5f6a7b8c9d0';
const CLIENT = { clientId: 'sisflow-test-client', clientSecret: 'client-Secret-4471' };
const aeries = new AeriesApiServer(new Map([[CERT, new Set(SIRAS_AREAS.filter((a) => !a.endsWith('Contacts')))]]));
const provider = new OneRosterProvider(new Map(), CLIENT);
let dir = '';
let key = '';
let cert = '';
const smtpServers: SMTPServer[] = [];

test.before(async () => {
  dir = await tempDir('sisflow-api-connection-');
  await aeries.start(dir);
  await provider.start(await tempDir('sisflow-api-connection-provider-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'smtp-key.pem'), '-out', join(dir, 'smtp-cert.pem')], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'smtp-key.pem'), 'utf8');
  cert = readFileSync(join(dir, 'smtp-cert.pem'), 'utf8');
  writeFileSync(join(dir, 'people.csv'), 'ID,Name\n1,Ada\n2,Grace\n');
});

test.after(async () => {
  await aeries.stop();
  await provider.stop();
  await Promise.all(smtpServers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Two sources on one Aeries API connection. */
const aeriesSpec = (baseUrl: string, ca: string | undefined) => `sisflow: 1
name: aeries-read
connections:
  aeries:
    use: aeries-api
    base_url: ${baseUrl}
    cert: \${secret:aeries_api_cert}
${ca === undefined ? '' : `    ca: ${JSON.stringify(ca)}\n`}    retries: 1
    retry_delay_seconds: 0.01
  out: { use: files, dir: out }
sources:
  students:
    from: aeries
    endpoint: schools/{school}/students
    schools: [994]
    columns: { StudentID: int, LastName: string }
  contacts:
    from: aeries
    endpoint: schools/{school}/contacts
    schools: [994]
    columns: { StudentID: int, HomePhone: string? }
steps:
  both:
    from: students
    lookup:
      contact: { from: contacts, key: StudentID, on: StudentID }
    columns:
      ID: StudentID
      Name: LastName
      Phone: coalesce(contact.HomePhone, '')
outputs:
  list: { from: both, to: out, path: list.csv }
`;
const AERIES = 'connection aeries (used by source students, source contacts)';

test('aeries-api: a closed port is the connection’s failure, after its retries', async () => {
  const port = await freePort();
  const { report } = await runSpec(aeriesSpec(`https://127.0.0.1:${port}/aeries`, aeries.ca), { aeries_api_cert: CERT }, { baseDir: dir });
  assert.is(report.ok, false);
  assert.is(report.error, `${AERIES}: 127.0.0.1:${port} refused the connection (is the server running, and is this its port?) (after 2 attempts)`);
});

test('aeries-api: a certificate the connection does not trust is the connection’s failure, not retried, with what to do', async () => {
  const { report } = await runSpec(aeriesSpec(aeries.baseUrl, undefined), { aeries_api_cert: CERT }, { baseDir: dir });
  assert.is(report.ok, false);
  const host = new URL(aeries.baseUrl).host;
  assert.match(report.error!, new RegExp(`^${escape(AERIES)}: the TLS certificate of ${escape(host)} is not trusted \\(self.signed certificate\\); .*\`ca:\` on the connection$`));
  assert.equal(report.events, {}, 'a certificate does not change by waiting');
});

test('aeries-api: a refused API certificate (401) and a missing security area (403) name the connection, never the key', async () => {
  const wrong = await runSpec(aeriesSpec(aeries.baseUrl, aeries.ca), { aeries_api_cert: 'wrong-certificate-000' }, { baseDir: dir });
  assert.match(wrong.report.error!, new RegExp(`^${escape(AERIES)}: Aeries refused the API certificate for /aeries/api/v5/schools/994/(students|contacts) \\(401\\)`));
  assert.not.match(JSON.stringify(wrong.report), 'wrong-certificate-000');
  // The key lacks Student Data / Contacts: the endpoint that needs it is named.
  const area = await runSpec(aeriesSpec(aeries.baseUrl, aeries.ca), { aeries_api_cert: CERT }, { baseDir: dir });
  assert.match(area.report.error!, new RegExp(`^${escape(AERIES)}: Aeries refused the API certificate for /aeries/api/v5/schools/994/contacts \\(403\\)`));
  assert.not.match(JSON.stringify(area.report), CERT);
});

/** One source on a OneRoster provider connection. */
const providerSpec = (ca: string | undefined, tokenUrl = provider.tokenUrl) => `sisflow: 1
name: provider-read
connections:
  provider:
    use: oneroster-api
    base_url: ${provider.baseUrl}
    token_url: ${tokenUrl}
    client_id: \${secret:client_id}
    client_secret: \${secret:client_secret}
${ca === undefined ? '' : `    ca: ${JSON.stringify(ca)}\n`}    retries: 1
    retry_delay_seconds: 0.01
  out: { use: files, dir: out }
sources:
  orgs:
    from: provider
    endpoint: orgs
    columns: { sourcedId: string, name: string }
outputs:
  list: { from: orgs, to: out, path: orgs.csv }
`;

test('oneroster-api: refused client credentials, an untrusted certificate and a closed token port name the connection', async () => {
  const refused = await runSpec(providerSpec(provider.ca), { client_id: CLIENT.clientId, client_secret: 'not-the-secret' }, { baseDir: dir });
  assert.match(refused.report.error!, /^connection provider \(used by source orgs\): the token endpoint \/oauth\/token refused the client ID and secret/);
  assert.not.match(JSON.stringify(refused.report), 'not-the-secret');

  const untrusted = await runSpec(providerSpec(undefined), { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, { baseDir: dir });
  assert.match(untrusted.report.error!, /^connection provider \(used by source orgs\): the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(self.signed certificate\)/);
  assert.equal(untrusted.report.events, {});

  const port = await freePort();
  const closed = await runSpec(providerSpec(provider.ca, `https://127.0.0.1:${port}/oauth/token`), { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, { baseDir: dir });
  assert.is(closed.report.error, `connection provider (used by source orgs): 127.0.0.1:${port} refused the connection (is the server running, and is this its port?) (after 2 attempts)`);
});

/** An SMTP server on loopback; `options` decide what it refuses. */
async function smtpServer(options: SMTPServerOptions): Promise<number> {
  const server = new SMTPServer({
    logger: false,
    onData(stream, _session, done) {
      stream.resume();
      stream.on('end', () => done());
    },
    ...options,
  });
  // The client hanging up on an untrusted certificate is an error on the server's side: expected here.
  server.on('error', () => undefined);
  smtpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.server.address() as { port: number }).port;
}

/** A file copy whose log is mailed; the mail connection settings are `mail`. */
const mailSpec = (mail: string) => `sisflow: 1
name: mailed
connections:
  here: { use: files, dir: . }
  staff_mail:
    use: smtp
    from: sisflow@district.example
${mail}
sources:
  people:
    from: here
    path: people.csv
    columns: { ID: int, Name: string }
outputs:
  copy: { from: people, to: here, path: out/people.csv }
notify:
  import_log:
    to: staff_mail
    recipients: [office@district.example]
`;
const MAIL = 'notification import_log was not sent: connection staff_mail (used by notification import_log)';

async function mailed(mail: string, secrets: Record<string, string> = {}) {
  const { report } = await runSpec(mailSpec(mail), secrets, { baseDir: dir });
  assert.ok(report.ok, `a notification never fails the run: ${report.error}`);
  assert.is(report.notifications.import_log!.sent, false);
  const warning = report.warnings.find((w) => w.startsWith('notification import_log'));
  assert.is(warning, `notification import_log was not sent: ${report.notifications.import_log!.error}`);
  return warning!;
}

test('smtp: a closed port is the connection’s failure, named with the notification that uses it', async () => {
  const port = await freePort();
  const warning = await mailed(`    host: 127.0.0.1\n    port: ${port}\n    tls: none`);
  assert.is(warning, `${MAIL}: 127.0.0.1:${port} refused the connection (is the server running, and is this its port?)`);
});

test('smtp: a refused login names the connection and user, never the password', async () => {
  const port = await smtpServer({ authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'], onAuth: (_auth, _session, done) => done(new Error('Invalid username or password')) });
  const warning = await mailed(`    host: 127.0.0.1\n    port: ${port}\n    tls: none\n    username: sisflow\n    password: \${secret:mail_password}`, { mail_password: 'mail-Secret-9182' });
  assert.is(warning, `${MAIL}: 127.0.0.1:${port} refused the login of sisflow (535); check the user name and password`);
  assert.not.match(warning, 'mail-Secret-9182');
});

test('smtp: a server without STARTTLS when the connection requires it, and an untrusted certificate', async () => {
  const plain = await smtpServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
  const noStarttls = await mailed(`    host: 127.0.0.1\n    port: ${plain}`);
  assert.match(noStarttls, new RegExp(`^${escape(MAIL)}: 127\\.0\\.0\\.1:${plain} offers no STARTTLS, which \`tls: starttls\` requires`));

  const secure = await smtpServer({ authOptional: true, secure: true, key, cert });
  const untrusted = await mailed(`    host: 127.0.0.1\n    port: ${secure}\n    tls: implicit`);
  assert.match(untrusted, new RegExp(`^${escape(MAIL)}: the TLS certificate of 127\\.0\\.0\\.1:${secure} is not trusted \\(self.signed certificate\\); .*NODE_EXTRA_CA_CERTS`));
});

test.run();
