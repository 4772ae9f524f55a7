// Matching a requested student to this district's Aeries students, read through the send spec's
// own `aeries` connection (SQLite or SQL Server alike): the SSID first, then the prior local ID
// with the birth date, then name and birth date — the last only a suggestion a person confirms.
import { dirname } from 'node:path';
import { Redactor, resolveSettings, type Row, type RunContext } from '@sisflow/core';
import { AERIES_CATALOG, tableSchema } from '@sisflow/connectors';
import type { District } from './district.js';
import type { MatchKind, StudentIdentity } from './state.js';

export interface StudentMatch {
  id: number | null;
  kind: MatchKind;
}

const fold = (s: unknown) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();

export async function matchStudent(district: District, who: StudentIdentity, signal?: AbortSignal): Promise<StudentMatch> {
  const plan = district.compileSpec(district.config.sendSpec, {});
  const conn = plan.connections.aeries;
  if (!conn) throw new Error(`${district.config.sendSpec} has no \`aeries\` connection to match students in`);
  const connector = district.connectors.get(conn.use);
  if (!connector?.source) throw new Error(`connection aeries (${conn.use}) cannot be read`);
  const connection = resolveSettings(conn.settings, district.specSecrets(), new Redactor(), 'connection aeries');
  const schema = tableSchema(AERIES_CATALOG.get('STU')!, ['ID', 'CID', 'LN', 'FN', 'BD', 'DEL']);
  const ctx: RunContext = {
    signal: signal ?? new AbortController().signal,
    log: () => undefined,
    warn: () => undefined,
    reject: () => undefined,
    baseDir: dirname(district.config.sendSpec),
    startedAt: district.clock().toISOString(),
    count: () => undefined,
    afterSuccess: () => undefined,
  };
  const found: Record<Exclude<MatchKind, 'none'>, Set<number>> = { ssid: new Set(), 'prior-id': new Set(), 'name-birth-date': new Set() };
  for await (const batch of connector.source.read({ connection, settings: { table: 'STU', columns: schema.map((c) => c.name) }, schema, batchSize: 2000 }, ctx)) {
    for (const r of batch.rows as Row[]) {
      if (r.DEL === true) continue;
      const id = Number(r.ID);
      if (who.ssid && r.CID === who.ssid) found.ssid.add(id);
      if (who.prior_id && String(r.ID) === who.prior_id && r.BD === who.birth_date) found['prior-id'].add(id);
      if (r.BD === who.birth_date && fold(r.LN) === fold(who.last_name) && fold(r.FN) === fold(who.first_name)) found['name-birth-date'].add(id);
    }
  }
  // One student (a mover has a row at each school, with one permanent ID) or no match at all:
  // two different students sharing an SSID or a name and birth date is for a person to sort out.
  for (const kind of ['ssid', 'prior-id', 'name-birth-date'] as const) {
    if (found[kind].size === 1) return { id: [...found[kind]][0]!, kind };
    if (found[kind].size > 1) return { id: null, kind: 'none' };
  }
  return { id: null, kind: 'none' };
}
