// Two districts on loopback for the transfer tests: each with its own demo Aeries database
// (different seeds), its own copy of the example specs pointed at that database, its keys, its
// HTTPS service; one registry signed by an operator key both pin. Certificates are made here.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDemoDatabase } from '@sisflow/connectors';
import { signRegistry, type DistrictEntry, type RegistryDocument } from '@sisflow/connectors/records-transfer';
import { createDistrictKeys, createOperatorKey, District, serve, transferConfig, type TransferService } from '@sisflow/transfer';
import type { SecretSource } from '@sisflow/core';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
export type Row = Record<string, unknown>;

/** Rows of a district's demo database. */
export function query(db: string, sql: string, ...params: unknown[]): Row[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all(...params) as Row[];
  } finally {
    d.close();
  }
}

/** The new district enrolls the prior district's student under its own permanent ID. */
export function enroll(db: string, student: Row, id: number, sn: number): void {
  const d = new Database(db);
  try {
    d.prepare("INSERT INTO STU (SC, SN, ID, CID, LN, FN, GR, SX, BD, TG, DEL) VALUES (994, ?, ?, ?, ?, ?, ?, ?, ?, '', 0)").run(sn, id, student.CID, student.LN, student.FN, student.GR, student.SX, student.BD);
  } finally {
    d.close();
  }
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/records-transfer');

export interface TestDistrict {
  code: string;
  dir: string;
  db: string;
  secretsDir: string;
  district: District;
  service: TransferService;
  entry: DistrictEntry;
}

export interface World {
  dir: string;
  ca: string;
  tls: { cert: Buffer; key: Buffer };
  operatorKey: string;
  operatorThumbprint: string;
  registryFile: string;
  a: TestDistrict;
  b: TestDistrict;
  publish(entries: DistrictEntry[]): Promise<void>;
  close(): Promise<void>;
}

export function fileSecrets(dir: string): SecretSource {
  return {
    env: () => undefined,
    secret: (name) => {
      try {
        return readFileSync(join(dir, name), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
  };
}

export function certificate(dir: string): { cert: Buffer; key: Buffer; ca: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'));
  return { cert, key: readFileSync(join(dir, 'key.pem')), ca: cert.toString('utf8') };
}

export async function twoDistricts(options: { limits?: Record<string, number>; clock?: () => Date } = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'sisflow-transfer-'));
  const tls = certificate(dir);
  const op = await createOperatorKey(join(dir, 'operator'));
  const operatorKey = readFileSync(op.file, 'utf8').trim();
  const registryFile = join(dir, 'registry.jws');
  const publish = async (entries: DistrictEntry[]) => {
    const doc: RegistryDocument = { registry: 'sisflow-records-transfer', issued: '2026-11-29T00:00:00.000Z', districts: entries };
    writeFileSync(registryFile, await signRegistry(doc, operatorKey));
  };
  const make = async (code: string, name: string, seed: number): Promise<Omit<TestDistrict, 'entry'> & { keys: () => Promise<DistrictEntry> }> => {
    const home = join(dir, code);
    mkdirSync(home, { recursive: true });
    const db = join(home, 'aeries.db');
    writeDemoDatabase(db, { studentsPerSchool: 40, seed });
    // The example specs, pointed at this district's database instead of the shared demo one.
    for (const f of ['send.yaml', 'receive.yaml']) writeFileSync(join(home, f), readFileSync(join(EXAMPLE, f), 'utf8').replace('    use: sqlite\n    demo: true\n', '    use: sqlite\n    path: aeries.db\n'));
    cpSync(join(EXAMPLE, 'codes'), join(home, 'codes'), { recursive: true });
    writeFileSync(join(home, 'ca.pem'), tls.ca);
    const { config, diagnostics } = transferConfig(
      { district: code, registry: registryFile, operator_key: op.thumbprint, state: 'state', ca: 'ca.pem', listen: { host: '127.0.0.1', port: 0 }, ...(options.limits ? { limits: options.limits } : {}) },
      join(home, 'transfer.yaml'),
    );
    if (!config) throw new Error(diagnostics.map((d) => d.message).join('; '));
    const secretsDir = join(home, 'secrets');
    const district = new District(config, { secrets: fileSecrets(secretsDir), ...(options.clock ? { clock: options.clock } : {}) });
    const service = await serve(district, { tls: { cert: tls.cert, key: tls.key }, port: 0 });
    return { code, dir: home, db, secretsDir, district, service, keys: async () => (await createDistrictKeys(secretsDir, { code, name, url: service.url })).entry };
  };
  const a0 = await make('1964212', 'Prior Unified', 20261123);
  const b0 = await make('3768338', 'New Valley Unified', 4242);
  const a: TestDistrict = { ...a0, entry: await a0.keys() };
  const b: TestDistrict = { ...b0, entry: await b0.keys() };
  await publish([a.entry, b.entry]);
  return {
    dir,
    ca: tls.ca,
    tls: { cert: tls.cert, key: tls.key },
    operatorKey,
    operatorThumbprint: op.thumbprint,
    registryFile,
    a,
    b,
    publish,
    close: async () => {
      for (const d of [a, b]) {
        await d.service.close();
        d.district.close();
      }
    },
  };
}
