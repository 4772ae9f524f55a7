// A connection that cannot be used is reported as the connection's failure, naming it and what
// uses it (issue 23, item 5) — never as the failure of whichever output happened to connect first.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';
import { startFaultServer, type FaultServer } from './sftp/fault-server.js';

let server: FaultServer;
let local: string;

/** Two outputs and the rejects on one SFTP connection, and a source read through it. */
const spec = (port: number, hostKey: string) => `sisflow: 1
name: upload
connections:
  here: { use: files, dir: . }
  destiny_sftp:
    use: sftp
    host: 127.0.0.1
    port: ${port}
    username: sis
    password: \${secret:sftp_password}
    host_key: ${hostKey}
    dir: /data
    retries: 1
    retry_delay_seconds: 0.01
sources:
  patrons:
    from: here
    path: patrons.csv
    columns: { ID: int, Name: string }
outputs:
  patrons: { from: patrons, to: destiny_sftp, path: out/patrons.csv }
  copy: { from: patrons, to: destiny_sftp, path: out/copy.csv }
rejects:
  to: destiny_sftp
  path: out/rejects.csv
`;

const USERS = 'connection destiny_sftp (used by output copy, output patrons, rejects)';

/** A port on loopback that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test.before(async () => {
  local = await tempDir('sisflow-sftp-connection-');
  server = await startFaultServer();
  await writeFile(join(local, 'patrons.csv'), 'ID,Name\n1,Ada\n2,Grace\n');
});

test.after(async () => {
  await server.stop();
});

test('a host key that is not the pinned one is the connection’s failure, naming everything that uses it', async () => {
  const other = 'SHA256:' + 'A'.repeat(43);
  const { report } = await runSpec(spec(server.port, other), { sftp_password: server.password }, { baseDir: local });
  assert.is(report.ok, false);
  assert.ok(report.error!.startsWith(`${USERS}: the host key of 127.0.0.1:${server.port} is ${server.fingerprint}`), report.error);
  assert.not.match(report.error!, /^output /);
  assert.is(server.files.size, 0, 'nothing was written');
});

test('a refused login is the connection’s failure', async () => {
  const { report } = await runSpec(spec(server.port, server.fingerprint), { sftp_password: 'wrong-password' }, { baseDir: local });
  assert.is(report.ok, false);
  assert.is(report.error, `${USERS}: 127.0.0.1:${server.port} refused the login of sis (wrong password or key?)`);
  assert.not.match(report.error!, 'wrong-password');
});

test('a closed port is the connection’s failure, after its retries', async () => {
  const port = await closedPort();
  const { report } = await runSpec(spec(port, server.fingerprint), { sftp_password: server.password }, { baseDir: local });
  assert.is(report.ok, false);
  assert.match(report.error!, new RegExp(`^${USERS.replace(/[()]/g, '\\$&')}: connecting on 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED.* \\(after 2 attempts\\)$`));
});

test('a source read through the connection is named too; a failure inside one output still names that output', async () => {
  const both = spec(server.port, 'SHA256:' + 'B'.repeat(43))
    .replace("    from: here\n    path: patrons.csv", '    from: destiny_sftp\n    path: in/patrons.csv')
    .replace('rejects:\n  to: destiny_sftp\n  path: out/rejects.csv\n', '');
  const { report } = await runSpec(both, { sftp_password: server.password }, { baseDir: local });
  assert.ok(report.error!.startsWith('connection destiny_sftp (used by source patrons, output copy, output patrons): the host key'), report.error);

  server.faults = { denyWrite: true };
  try {
    const denied = await runSpec(spec(server.port, server.fingerprint), { sftp_password: server.password }, { baseDir: local });
    assert.is(denied.report.ok, false);
    assert.match(denied.report.error!, /^output (patrons|copy|rejects): .*permission denied/);
  } finally {
    server.faults = {};
  }
});

test('a SQL Server that cannot be reached is the connection’s failure, naming the sources that read it', async () => {
  const port = await closedPort();
  const text = `sisflow: 1
name: read
connections:
  aeries:
    use: mssql
    server: 127.0.0.1
    port: ${port}
    database: aeries
    user: reader
    password: \${secret:aeries_password}
    encrypt: false
  here: { use: files, dir: . }
sources:
  students:
    from: aeries
    table: STU
    columns: [ID, LN]
outputs:
  list: { from: students, to: here, path: out/students.csv }
`;
  const { report } = await runSpec(text, { aeries_password: 'pw' }, { baseDir: local });
  assert.is(report.ok, false);
  assert.match(report.error!, new RegExp(`^connection aeries \\(used by source students\\): cannot connect to SQL Server 127\\.0\\.0\\.1:${port}, database aeries: `));
});

test.run();
