// Matching a requested student to this district's Aeries students, read through the send spec's
// own `aeries` connection (SQLite or SQL Server alike): the SSID first, then the prior local ID
// with the birth date, then name and birth date — the last only a suggestion a person confirms.
import { readAeriesTable } from './aeries-read.js';
import type { District } from './district.js';
import type { MatchKind, StudentIdentity } from './state.js';

export interface StudentMatch {
  id: number | null;
  kind: MatchKind;
}

const fold = (s: unknown) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();

export async function matchStudent(district: District, who: StudentIdentity, signal?: AbortSignal): Promise<StudentMatch> {
  const spec = district.config.sendSpec;
  const found: Record<Exclude<MatchKind, 'none'>, Set<number>> = { ssid: new Set(), 'prior-id': new Set(), 'name-birth-date': new Set() };
  // Every kind of match needs the SSID or the birth date to agree: only those rows are read.
  const rows = readAeriesTable(district, { plan: district.compileSpec(spec, {}), spec, connection: 'aeries', table: 'STU', columns: ['ID', 'CID', 'LN', 'FN', 'BD', 'DEL'], anyOf: { CID: who.ssid || null, BD: who.birth_date }, ...(signal ? { signal } : {}) });
  for await (const r of rows) {
    if (r.DEL === true) continue;
    const id = Number(r.ID);
    if (who.ssid && r.CID === who.ssid) found.ssid.add(id);
    if (who.prior_id && String(r.ID) === who.prior_id && r.BD === who.birth_date) found['prior-id'].add(id);
    if (r.BD === who.birth_date && fold(r.LN) === fold(who.last_name) && fold(r.FN) === fold(who.first_name)) found['name-birth-date'].add(id);
  }
  // One student (a mover has a row at each school, with one permanent ID) or no match at all:
  // two different students sharing an SSID or a name and birth date is for a person to sort out.
  for (const kind of ['ssid', 'prior-id', 'name-birth-date'] as const) {
    if (found[kind].size === 1) return { id: [...found[kind]][0]!, kind };
    if (found[kind].size > 1) return { id: null, kind: 'none' };
  }
  return { id: null, kind: 'none' };
}
