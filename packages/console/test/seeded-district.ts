// A district project with a history made of real runs (runRecorded): the Destiny patrons example on
// the demo district published once, then held by its guard (one school instead of five), and a
// roster spec whose SQL Server (password from the secrets) refuses the connection, so its run fails. The district's
// name carries markup, to show pages print it as text.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';
import { compileSpecFile, openHistory, openProject, runRecorded, type HistoryStore, type RunRecord } from '@sisflow/service';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DISTRICT = 'Test <script>alert("x")</script> Unified';
export const ADMIN_TOKEN = 'adm-7Qk2-token-XY9w-secret';
export const SIS_PASSWORD = 'Pw-sis-Zr8p-very-secret';

const ROSTER = `sisflow: 1
name: roster
sources:
  students:
    from: sis
    table: STU
    columns: [ID, LN]
outputs:
  roster:
    from: students
    to: outbox
    path: roster.csv
schedule:
  cron: "0 4 * * 1-5"
  timezone: America/Los_Angeles
`;

export interface Seeded {
  dir: string;
  store: HistoryStore;
  secretsDir: string;
  env: NodeJS.ProcessEnv;
  ok: RunRecord;
  held: RunRecord;
  failed: RunRecord;
}

export async function seededDistrict(o: { district?: string } = {}): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'sisflow-console-'));
  mkdirSync(join(dir, 'specs'));
  writeFileSync(
    join(dir, 'sisflow.yaml'),
    `sisflow_project: 1
district:
  name: '${o.district ?? DISTRICT}'
  cds_code: "1234567"
  timezone: America/Los_Angeles
specs: [specs/*.yaml]
connections:
  sis: { use: mssql, server: 127.0.0.1, port: 1, database: DST26000TEST, user: sisflow, password: "\${secret:sis_password}" }
  outbox: { use: files, dir: ../out }
`,
  );
  cpSync(join(ROOT, 'examples/destiny/patrons.yaml'), join(dir, 'specs', 'patrons.yaml'));
  writeFileSync(join(dir, 'specs', 'roster.yaml'), ROSTER);
  const secretsDir = mkdtempSync(join(tmpdir(), 'sisflow-console-secrets-'));
  writeFileSync(join(secretsDir, 'console_admin_token'), `${ADMIN_TOKEN}\n`);
  writeFileSync(join(secretsDir, 'sis_password'), SIS_PASSWORD);
  const env = { ...process.env, SISFLOW_SECRETS_DIR: secretsDir };
  const registry = defaultRegistry();
  const opened = openProject(dir, registry);
  const project = opened.project;
  if (!project || opened.diagnostics.length) throw new Error(`the project: ${JSON.stringify(opened.diagnostics)}`);
  const store = openHistory(dir);
  const run = async (file: string, params: Record<string, string> = {}) => {
    const plan = compileSpecFile(join(dir, 'specs', file), project, { registry, params }).plan;
    if (!plan) throw new Error(`${file} did not compile: ${JSON.stringify(compileSpecFile(join(dir, "specs", file), project, { registry, params }).diagnostics)}`);
    const r = await runRecorded({ plan, file: join(dir, 'specs', file), store, trigger: 'schedule', run: { registry, baseDir: join(dir, 'specs'), secrets: environmentSecrets(env) } });
    if (!r.record) throw new Error('busy');
    return r.record;
  };
  const ok = await run('patrons.yaml');
  const held = await run('patrons.yaml', { schools: '991' });
  const failed = await run('roster.yaml');
  if (ok.status !== 'ok' || held.status !== 'held' || failed.status !== 'failed') throw new Error(`unexpected seed: ${ok.status} ${held.status} ${failed.status} ${failed.error ?? ''}`);
  return { dir, store, secretsDir, env, ok, held, failed };
}

/** The staged file of the held run and the published one. */
export function patronsFile(dir: string): string {
  return readFileSync(join(dir, 'specs', 'out', 'patrons.csv'), 'utf8');
}
