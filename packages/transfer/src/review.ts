// Reviewing a received package before import (`sisflow transfer show`): the receive spec is run
// dry — the package decrypted in memory, codes mapped, nothing written — and each resulting record
// is set beside what Aeries already has for the student: new, the same, or different (which
// columns). Records the mapping cannot place are listed as rejects.
import type { Row } from '@sisflow/core';
import { AERIES_CATALOG } from '@sisflow/connectors';
import { readAeriesTable } from './aeries-read.js';
import { operator } from './audit.js';
import type { District } from './district.js';
import type { OutgoingRequest } from './state.js';

export interface ReviewedRecord {
  table: string;
  status: 'new' | 'same' | 'different';
  key: Record<string, unknown>;
  /** For a different record: each changed column, what Aeries has and what arrived. */
  changes?: { column: string; here: unknown; received: unknown }[];
}

export interface Review {
  request: OutgoingRequest;
  records: ReviewedRecord[];
  rejects: { step: string; line: number; reason: string }[];
  counts: Record<string, { new: number; same: number; different: number }>;
}

export function receivedRequest(district: District, id: string): OutgoingRequest & { package_file: string } {
  const r = district.store.outgoing(id);
  if (!r) throw new Error(`there is no request ${id} made by this district (sisflow transfer list shows them)`);
  if (r.status !== 'received' || !r.package_file) throw new Error(`request ${id} is ${r.status}: ${r.status === 'imported' ? 'its package was imported already' : 'no package is waiting for it'}`);
  return r as OutgoingRequest & { package_file: string };
}

export const receiveParams = (r: OutgoingRequest) => ({ request_id: r.id, student_id: String(r.student_id) });

export async function reviewPackage(district: District, id: string, signal?: AbortSignal): Promise<Review> {
  const r = receivedRequest(district, id);
  const plan = district.compileSpec(district.config.receiveSpec, receiveParams(r));
  const { report } = await district.runSpec(district.config.receiveSpec, receiveParams(r), { dryRun: true, sample: Number.MAX_SAFE_INTEGER, ignoreThreshold: true, ...(signal ? { signal } : {}) });
  if (report.error && report.rejects.count === 0) throw new Error(`the package of request ${id} cannot be read: ${report.error}`);
  const records: ReviewedRecord[] = [];
  const counts: Review['counts'] = {};
  for (const output of plan.outputs) {
    const table = AERIES_CATALOG.get(String(output.settings.table).toUpperCase());
    if (!table) continue;
    const key = (output.settings.key as string[] | undefined) ?? table.key;
    const existing = new Map<string, Row>();
    const spec = district.config.receiveSpec;
    for await (const row of readAeriesTable(district, { plan, spec, connection: output.connection, table: table.name, anyOf: { ID: r.student_id }, ...(signal ? { signal } : {}) })) existing.set(keyOf(row, key), row);
    const c = (counts[table.name] = { new: 0, same: 0, different: 0 });
    for (const row of report.outputs[output.name]?.sample ?? []) {
      const here = existing.get(keyOf(row, key));
      const changes = here ? Object.keys(row).filter((k) => !same(row[k], here[k])).map((k) => ({ column: k, here: here[k] ?? null, received: row[k] ?? null })) : [];
      const status = !here ? 'new' : changes.length ? 'different' : 'same';
      c[status]++;
      records.push({ table: table.name, status, key: Object.fromEntries(key.map((k) => [k, row[k]])), ...(status === 'different' ? { changes } : {}) });
    }
  }
  const rejects = report.rejects.sample.map((j) => ({ step: j.step, line: j.line, reason: j.reason }));
  district.audit.write({ event: 'reviewed', by: operator(), request: id, district: r.to_code, student: r.student_id, ...(r.package_sha256 ? { package_sha256: r.package_sha256 } : {}) });
  return { request: r, records, rejects, counts };
}

const keyOf = (row: Row, key: string[]) => JSON.stringify(key.map((k) => row[k] ?? null));
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
